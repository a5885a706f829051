import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyring, decodeCredential, verifyCredential } from '@campus/protocol/credentials/index';
import { formatIssuedCardsCsv, issueCards, parseCardRoster } from '@campus/edge-agent/cards/index';
import { parseCsv } from '../../src/cards/csv.js';

const issuer = generateKeyPairSync('ed25519');
const keyring = createKeyring({ K7: issuer.publicKey });

async function rows(csv: string) {
  const r = await parseCardRoster(csv);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.rows;
}

describe('issueCards', () => {
  it('signs one verifiable card per row, version from the roster, the edge, or 1', async () => {
    const roster = await rows('学号,姓名,班级,卡版本\n2023010123,张三,3班,4\n2023010124,李四,3班,\n2023010125,王五,3班,\n');
    const current = new Map([['2023010124', 3]]);
    const progress: Array<[number, number]> = [];
    const cards = issueCards(roster, issuer.privateKey, 'K7', {
      versionFor: (id) => current.get(id),
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(cards.map((c) => [c.personId, c.cardVersion])).toEqual([
      ['2023010123', 4],
      ['2023010124', 3],
      ['2023010125', 1],
    ]);
    expect(progress).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    for (const c of cards) {
      const v = verifyCredential(c.credential, keyring, Date.now());
      expect(v).toEqual({ ok: true, kid: 'K7', credential: { kind: 'card', personId: c.personId, cardVersion: c.cardVersion } });
      expect(c.credential.length).toBeLessThanOrEqual(120);
    }
  });

  it('accepts the private key as PEM, and the edge refuses the old card after a reissue', async () => {
    const pem = issuer.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const [old] = issueCards(await rows('学号,姓名,卡版本\n7,甲,1\n'), pem, 'K7');
    const [fresh] = issueCards(await rows('学号,姓名,卡版本\n7,甲,2\n'), pem, 'K7');
    const minCardVersion = () => 2;
    expect(verifyCredential(old!.credential, keyring, Date.now(), { minCardVersion })).toMatchObject({ reason: 'credential.revoked' });
    expect(verifyCredential(fresh!.credential, keyring, Date.now(), { minCardVersion }).ok).toBe(true);
  });

  it('refuses to sign with a public key or a bad kid', async () => {
    const r = await rows('学号,姓名\n7,甲\n');
    expect(() => issueCards(r, issuer.publicKey, 'K7')).toThrow(/Ed25519/);
    expect(() => issueCards(r, issuer.privateKey, 'k7')).toThrow(/K1/);
  });
});

describe('formatIssuedCardsCsv', () => {
  it('writes an Excel-friendly CSV (BOM, CRLF) that reads back to the same cards', async () => {
    const cards = issueCards(await rows('学号,姓名,年级,班级\n1,"欧阳,娜娜",高一,3班\n2,李四,,\n'), issuer.privateKey, 'K7');
    const csv = formatIssuedCardsCsv(cards);
    expect(csv.startsWith('\uFEFF学号,姓名,年级,班级,卡版本,凭证\r\n')).toBe(true);
    const back = parseCsv(csv.slice(1));
    expect(back.slice(1).map((r) => r.fields)).toEqual(
      cards.map((c) => [c.personId, c.name, c.grade ?? '', c.className ?? '', String(c.cardVersion), c.credential]),
    );
    const decoded = decodeCredential(back[1]!.fields[5]);
    expect(decoded.ok && decoded.credential).toEqual({ kind: 'card', personId: '1', cardVersion: 1 });
  });
});
