import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring, verifyCredential } from '@campus/protocol/credentials/index';
import { availableBackends } from '../helpers/backends.js';
import { startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { staffSignIn, type StaffClient } from '../helpers/staff-client.js';

const PW = 'card-sheet-pass-1';
/** On PostgreSQL when it runs here (as CI does), else PGlite. */
const backend = (await availableBackends()).at(-1)!;

/** QR texts on one page of a PDF, read by Poppler and zbar (tools nobody here wrote), at three resolutions. */
function qrTexts(pdf: Buffer, dir: string): string[] {
  const file = join(dir, `sheet-${Date.now()}.pdf`);
  writeFileSync(file, pdf);
  const found = new Set<string>();
  for (const dpi of [150, 220, 300]) {
    const prefix = join(dir, `page-${dpi}`);
    execFileSync('pdftoppm', ['-png', '-r', String(dpi), '-f', '1', '-l', '1', '-singlefile', file, prefix]);
    let out = '';
    try {
      out = execFileSync('zbarimg', ['-q', '--raw', '-Sdisable', '-Sqrcode.enable', `${prefix}.png`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (err) {
      out = String((err as { stdout?: string }).stdout ?? '');
    }
    for (const l of out.split('\n')) if (l) found.add(l);
  }
  return [...found].sort();
}
const pdfText = (pdf: Buffer, dir: string) => {
  const file = join(dir, 'text.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
};

/**
 * Card print sheets from the console's API: the edge's sheet layout (protocol/cards), QR
 * codes signed with the cloud's issuer key at each card record's version and verified here
 * with only the public key, a card record made for a person without one, and the refusals
 * (revoked card, unknown person, an id no card can carry, no issuer key, other roles and schools).
 */
describe(`card print sheets on ${backend.name}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'campus-card-sheets-'));
  const pair = generateKeyPairSync('ed25519');
  const keyring = new Keyring([['C7', pair.publicKey.export({ format: 'pem', type: 'spki' }).toString()]]);
  let cloud: TestCloud;
  let bare: TestCloud;
  let A: string;
  let B: string;
  let admin: StaffClient;
  let head: StaffClient;
  let adminB: StaffClient;
  const print = async (c: StaffClient, personIds: string[], school = A) => {
    const res = await fetch(`${cloud.url}/api/staff/schools/${school}/card-sheets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: c.cookie!, 'x-csrf-token': c.csrfToken! },
      body: JSON.stringify({ personIds }),
    });
    const buf = Buffer.from(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get('content-type') ?? '', buf, json: (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(buf.toString('utf8')) : null };
  };
  const cursor = async (school: string) => (await cloud.records.changesAfter(school, 0, 1000)).cursor;

  beforeAll(async () => {
    cloud = await startTestCloud(backend, { cards: { kid: 'C7', privateKey: pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() } });
    A = (await cloud.provisionEdge({ schoolName: '印卡小学', site: 'cards-a' })).schoolId;
    B = (await cloud.provisionEdge({ schoolName: '乙校', site: 'cards-b' })).schoolId;
    await cloud.records.write(A, [
      { kind: 'person', key: 'S1', data: { name: '张小明', roles: ['student'], classId: '三年级-2班' } },
      { kind: 'person', key: 'S2', data: { name: '李小红', roles: ['student'], classId: '三年级-2班' } },
      { kind: 'person', key: 'S3', data: { name: '王小刚', roles: ['student'], classId: '三年级-2班' } },
      { kind: 'person', key: 'lower', data: { name: '小写', roles: ['student'] } },
      { kind: 'card', key: 'S1', data: { personId: 'S1', version: 3, revoked: false } },
      { kind: 'card', key: 'S3', data: { personId: 'S3', version: 2, revoked: true } },
    ]);
    await cloud.admin('POST', `/schools/${A}/accounts`, { username: 'cs-admin', displayName: '管理员', password: PW });
    await cloud.admin('POST', `/schools/${B}/accounts`, { username: 'cs-admin-b', displayName: '乙校管理员', password: PW });
    admin = await staffSignIn(cloud.url, 'cs-admin', PW);
    adminB = await staffSignIn(cloud.url, 'cs-admin-b', PW);
    expect((await admin.call('POST', '/accounts', { username: 'cs-head', displayName: '班主任', password: PW, roles: ['head_teacher'], classes: ['三年级-2班'] })).status).toBe(201);
    head = await staffSignIn(cloud.url, 'cs-head', PW);
  }, 180_000);
  afterAll(async () => {
    await cloud?.dispose();
    await bare?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the chosen people on one A4 sheet, each QR signed at its card version; a person without a card gets version 1 in the feed', async () => {
    const before = await cursor(A);
    const r = await print(admin, ['S1', 'S2']);
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/pdf');
    expect(r.buf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(r.buf.toString('latin1').match(/\/Type \/Page(?![s\w])/g)).toHaveLength(1);
    const text = pdfText(r.buf, dir);
    expect(text).toContain('张小明');
    expect(text).toContain('印卡小学');
    const qrs = qrTexts(r.buf, dir);
    expect(qrs).toHaveLength(2);
    const verified = qrs.map((q) => verifyCredential(q, keyring, Date.now()));
    expect(verified.map((v) => (v.ok ? [v.credential.kind, (v.credential as { personId: string }).personId, (v.credential as { cardVersion: number }).cardVersion] : v.reason)).sort()).toEqual([
      ['card', 'S1', 3],
      ['card', 'S2', 1],
    ]);
    // S2 had no card: one now, version 1, in the feed the edges read.
    expect(await cloud.records.get(A, 'card', 'S2')).toEqual({ personId: 'S2', version: 1, revoked: false });
    expect(await cursor(A)).toBe(before + 1);
    const audit = (await admin.call('GET', '/audit?action=card.sheet.print')).json.entries;
    expect(audit[0]).toMatchObject({ actorName: 'cs-admin', action: 'card.sheet.print' });
    expect(audit[0].detail).toMatchObject({ count: 2, pages: 1, kid: 'C7', versions: { S1: 3, S2: 1 }, newCards: 1 });
  });

  it('refuses a revoked card, an unknown person and an id no card can carry, printing and writing nothing', async () => {
    const before = await cursor(A);
    const revoked = await print(admin, ['S2', 'S3']);
    expect(revoked.status).toBe(400);
    expect(revoked.json.error.message['zh-CN']).toBe('以下人员的卡已挂失，请先补办（提升卡版本）再打印：S3');
    const unknown = await print(admin, ['S1', 'S404']);
    expect(unknown.status).toBe(400);
    expect(unknown.json.error.message['zh-CN']).toContain('S404');
    const bad = await print(admin, ['lower']);
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('staff.error.card_bad_id');
    expect((await print(admin, [])).status).toBe(400);
    expect(await cursor(A)).toBe(before);
    // The cloud goes on printing.
    expect((await print(admin, ['S1'])).status).toBe(200);
  });

  it("keeps printing within the caller's reach: a head teacher, another school's admin", async () => {
    expect((await print(head, ['S1'])).status).toBe(403);
    expect((await print(adminB, ['S1'])).status).toBe(404);
    const other = await print(adminB, ['S1'], B);
    expect(other.status).toBe(400);
    expect(other.json.error.code).toBe('staff.error.card_people_unknown');
  });

  it('says so when the cloud has no issuer key', async () => {
    bare = await startTestCloud(backend);
    const school = (await bare.provisionEdge({ schoolName: '无钥学校', site: 'cards-c' })).schoolId;
    await bare.records.write(school, [{ kind: 'person', key: 'S1', data: { name: '甲', roles: ['student'] } }]);
    await bare.admin('POST', `/schools/${school}/accounts`, { username: 'cs-bare', displayName: '管理员', password: PW });
    const c = await staffSignIn(bare.url, 'cs-bare', PW);
    const r = await c.call('POST', `/schools/${school}/card-sheets`, { personIds: ['S1'] });
    expect(r.status).toBe(409);
    expect(r.json.error.message['zh-CN']).toContain('云端未配置发卡密钥');
    expect(await bare.records.get(school, 'card', 'S1')).toBeNull();
  }, 120_000);
});
