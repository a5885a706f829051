import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CREDENTIAL_PREFIX,
  CREDENTIAL_REASONS,
  CredentialKeyError,
  createKeyring,
  credentialReasonMessageId,
  encodeCredential,
  explainCredentialFailure,
  Keyring,
  publicKeyToRaw,
  verifyCredential,
} from '@campus/protocol/credentials/index';
import { allMessages, translate } from '@campus/protocol/i18n/index';
import { card, HOUR, newIssuer, pickup, T, visitor } from './helpers.js';

const issuer = newIssuer();
const keyring = createKeyring({ K1: issuer.publicKey });

describe('verifyCredential', () => {
  it('accepts a genuine card, visitor pass and pickup pass', () => {
    for (const cred of [card, visitor, pickup]) {
      const r = verifyCredential(encodeCredential(cred, issuer.privateKey, 'K1'), keyring, T + HOUR);
      expect(r).toEqual({ ok: true, kid: 'K1', credential: cred });
    }
  });

  it('refuses a credential signed by another key under a known kid (forgery)', () => {
    const forger = newIssuer();
    const forged = encodeCredential(card, forger.privateKey, 'K1');
    const r = verifyCredential(forged, keyring, T);
    expect(r).toMatchObject({ ok: false, reason: 'credential.bad_signature', kid: 'K1' });
    expect(r.ok || r.credential).toBeFalsy();
  });

  it('refuses a genuine body with a signature lifted from another credential', () => {
    const a = Buffer.from(encodeCredential(card, issuer.privateKey, 'K1').slice(4), 'base64url');
    const b = Buffer.from(
      encodeCredential({ ...card, personId: '2023010124' }, issuer.privateKey, 'K1').slice(4),
      'base64url',
    );
    const spliced = CREDENTIAL_PREFIX + Buffer.concat([b.subarray(0, b.length - 64), a.subarray(a.length - 64)]).toString('base64url');
    expect(verifyCredential(spliced, keyring, T)).toMatchObject({ ok: false, reason: 'credential.bad_signature' });
  });

  it('refuses every single-bit change of a genuine credential', () => {
    const text = encodeCredential(visitor, issuer.privateKey, 'K1');
    const bytes = Buffer.from(text.slice(CREDENTIAL_PREFIX.length), 'base64url');
    const seen = new Set<string>();
    for (let i = 0; i < bytes.length * 8; i++) {
      const flipped = Buffer.from(bytes);
      flipped[i >> 3] = flipped[i >> 3]! ^ (1 << (i & 7));
      const r = verifyCredential(CREDENTIAL_PREFIX + flipped.toString('base64url'), keyring, T + HOUR);
      expect(r.ok, `bit ${i}`).toBe(false);
      if (!r.ok) seen.add(r.reason);
    }
    expect(seen).toContain('credential.bad_signature');
    expect(seen).toContain('credential.malformed');
  });

  it('refuses every single-character change of a genuine credential', () => {
    const text = encodeCredential(card, issuer.privateKey, 'K1');
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] === 'A' ? 'B' : 'A';
      const r = verifyCredential(text.slice(0, i) + ch + text.slice(i + 1), keyring, T);
      expect(r.ok, `position ${i}`).toBe(false);
    }
  });

  it('reports an unknown key id with the kid for the message', () => {
    const r = verifyCredential(encodeCredential(card, issuer.privateKey, 'K2'), keyring, T);
    expect(r).toMatchObject({ ok: false, reason: 'credential.unknown_key', kid: 'K2' });
    if (!r.ok) expect(explainCredentialFailure(r)['zh-CN']).toContain('K2');
  });

  it('verifies during key rotation with either key, and refuses once the old key is dropped', () => {
    const next = newIssuer();
    const old = encodeCredential(card, issuer.privateKey, 'K1');
    const fresh = encodeCredential({ ...card, cardVersion: 2 }, next.privateKey, 'K2');
    const both = createKeyring(new Map([['K1', issuer.publicKey], ['K2', next.publicKey]]));
    expect(verifyCredential(old, both, T).ok).toBe(true);
    expect(verifyCredential(fresh, both, T).ok).toBe(true);
    const onlyNew = createKeyring({ K2: next.publicKey });
    expect(verifyCredential(old, onlyNew, T)).toMatchObject({ ok: false, reason: 'credential.unknown_key' });
  });

  it('refuses a card whose version is below the person’s current version', () => {
    const text = encodeCredential({ ...card, cardVersion: 2 }, issuer.privateKey, 'K1');
    const min = (v: number) => (id: string) => (id === card.personId ? v : undefined);
    expect(verifyCredential(text, keyring, T, { minCardVersion: min(2) }).ok).toBe(true);
    expect(verifyCredential(text, keyring, T, { minCardVersion: min(1) }).ok).toBe(true);
    const r = verifyCredential(text, keyring, T, { minCardVersion: min(3) });
    expect(r).toMatchObject({ ok: false, reason: 'credential.revoked', credential: { personId: card.personId } });
    if (!r.ok) expect(explainCredentialFailure(r)['zh-CN']).toBe('卡片已挂失或已补办（卡版本 2，当前版本 3）');
    expect(verifyCredential(text, keyring, T, { minCardVersion: () => undefined }).ok).toBe(true);
  });

  describe('pass validity window [validFrom, validUntil)', () => {
    const text = encodeCredential(visitor, issuer.privateKey, 'K1');
    it.each([
      [visitor.validFrom - 1, 'credential.not_yet_valid'],
      [visitor.validFrom, 'ok'],
      [visitor.validUntil - 1, 'ok'],
      [visitor.validUntil, 'credential.expired'],
      [visitor.validUntil + 365 * 24 * HOUR, 'credential.expired'],
    ])('at %d → %s', (now, expected) => {
      const r = verifyCredential(text, keyring, now);
      expect(r.ok ? 'ok' : r.reason).toBe(expected);
    });

    it('accepts a Date for now', () => {
      expect(verifyCredential(text, keyring, new Date(visitor.validFrom)).ok).toBe(true);
    });

    it('widens both ends by the clock tolerance', () => {
      const opts = { clockToleranceMs: 60_000 };
      expect(verifyCredential(text, keyring, visitor.validFrom - 60_000, opts).ok).toBe(true);
      expect(verifyCredential(text, keyring, visitor.validFrom - 60_001, opts).ok).toBe(false);
      expect(verifyCredential(text, keyring, visitor.validUntil + 59_999, opts).ok).toBe(true);
      expect(verifyCredential(text, keyring, visitor.validUntil + 60_000, opts).ok).toBe(false);
    });

    it('explains the window in school time (Asia/Shanghai)', () => {
      const r = verifyCredential(text, keyring, visitor.validUntil);
      if (r.ok) expect.unreachable();
      expect(explainCredentialFailure(r)['zh-CN']).toBe('通行证已过期（截止 2026-03-02 12:30）');
      const early = verifyCredential(text, keyring, T - HOUR, { timeZone: 'UTC' });
      if (early.ok) expect.unreachable();
      expect(explainCredentialFailure(early).en).toBe('Pass is not valid yet (valid from 2026-03-02 00:30)');
    });

    it('checks the signature before the window, so a forged expired pass is called forged', () => {
      const forged = encodeCredential(visitor, newIssuer().privateKey, 'K1');
      expect(verifyCredential(forged, keyring, visitor.validUntil + HOUR)).toMatchObject({ reason: 'credential.bad_signature' });
    });
  });

  it('never throws, even for a keyring that is not one', () => {
    const text = encodeCredential(card, issuer.privateKey, 'K1');
    const r = verifyCredential(text, {} as Keyring, T);
    expect(r).toMatchObject({ ok: false, reason: 'credential.malformed' });
  });
});

describe('keyring', () => {
  it('accepts KeyObjects, SPKI PEM and raw 32-byte keys in base64 or base64url', () => {
    const raw = publicKeyToRaw(issuer.publicKey);
    expect(Buffer.from(raw, 'base64url')).toHaveLength(32);
    const std = Buffer.from(raw, 'base64url').toString('base64');
    const pem = issuer.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const text = encodeCredential(card, issuer.privateKey, 'K1');
    for (const input of [issuer.publicKey, pem, raw, std]) {
      expect(verifyCredential(text, createKeyring({ K1: input }), T).ok).toBe(true);
    }
  });

  it('derives the public key when handed the private key, so the edge keeps only that', () => {
    const ring = new Keyring([['K1', issuer.privateKey]]);
    expect(ring.get('K1')?.type).toBe('public');
  });

  it('refuses a bad kid, garbage and non-Ed25519 keys with bilingual errors', () => {
    expect(() => createKeyring({ k1: issuer.publicKey })).toThrow(CredentialKeyError);
    expect(() => createKeyring({ K1: 'not a key' })).toThrow(/不是有效的 Ed25519 密钥/);
    expect(() => createKeyring({ K1: 'AAAA' })).toThrow(CredentialKeyError);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(() => createKeyring({ K1: ec })).toThrow(/type ec/);
    expect(() => createKeyring({ K1: ec.export({ format: 'pem', type: 'spki' }).toString() })).toThrow(CredentialKeyError);
  });

  it('lists its kids', () => {
    expect(createKeyring({ K2: issuer.publicKey, K1: issuer.publicKey }).kids).toEqual(['K1', 'K2']);
  });
});

describe('reason texts', () => {
  it('every reason code has zh-CN and English text', () => {
    const catalogue = allMessages();
    for (const reason of CREDENTIAL_REASONS) {
      const msg = catalogue[credentialReasonMessageId(reason)];
      expect(msg, reason).toBeDefined();
      expect(msg!['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
      expect(msg!.en.length).toBeGreaterThan(5);
      expect(translate('zh-CN', credentialReasonMessageId(reason))).not.toBe(credentialReasonMessageId(reason));
    }
  });
});
