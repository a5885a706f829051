import { describe, expect, it } from 'vitest';
import {
  CREDENTIAL_MAX_LENGTH,
  CREDENTIAL_PREFIX,
  CredentialEncodeError,
  CredentialKeyError,
  decodeCredential,
  encodeCredential,
  type Credential,
} from '@campus/protocol/credentials/index';
import { card, HOUR, newIssuer, pickup, T, visitor, worstCase } from './helpers.js';

const issuer = newIssuer();

function roundTrip(cred: Credential, kid = 'K1'): Credential {
  const text = encodeCredential(cred, issuer.privateKey, kid);
  const decoded = decodeCredential(text);
  if (!decoded.ok) throw new Error(`decode failed: ${decoded.reason} ${decoded.detail}`);
  expect(decoded.kid).toBe(kid);
  return decoded.credential;
}

describe('credential codec: round trip', () => {
  it.each([
    ['student card', card],
    ['staff card with a code id', { kind: 'card', personId: 'T2019-001', cardVersion: 3 } as Credential],
    ['visitor pass', visitor],
    ['visitor pass for zones only, multi-use', { ...visitor, gates: [], zones: [2], oneUse: false } as Credential],
    ['pickup pass', pickup],
  ])('%s survives encode → decode unchanged', (_name, cred) => {
    expect(roundTrip(cred)).toEqual(cred);
  });

  it('keeps leading zeros and tells digits from codes', () => {
    for (const personId of ['0', '00', '007', '7', '0000000000000000', 'A', '0A', '-', '_0']) {
      expect(roundTrip({ kind: 'card', personId, cardVersion: 1 })).toEqual({ kind: 'card', personId, cardVersion: 1 });
    }
  });

  it('carries the key id', () => {
    for (const kid of ['00', 'K1', 'ZZ', '9A']) expect(roundTrip(card, kid)).toEqual(card);
  });

  it('starts with the prefix and uses only base64url characters after it', () => {
    const text = encodeCredential(visitor, issuer.privateKey, 'K1');
    expect(text.startsWith(CREDENTIAL_PREFIX)).toBe(true);
    expect(text.slice(CREDENTIAL_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});

describe('credential codec: length bound', () => {
  it.each(Object.entries(worstCase))('worst realistic %s fits in 120 characters', (_name, cred) => {
    const text = encodeCredential(cred as Credential, issuer.privateKey, 'ZZ');
    expect(text.length).toBeLessThanOrEqual(CREDENTIAL_MAX_LENGTH);
    expect(roundTrip(cred as Credential, 'ZZ')).toEqual(cred);
  });

  it('a typical student card is about 100 characters', () => {
    expect(encodeCredential(card, issuer.privateKey, 'K1').length).toBe(100);
  });

  it('refuses to sign a pass that would not fit, with a bilingual reason', () => {
    const tooBig: Credential = { ...worstCase.visitor, hostPersonId: 'ZZZZZZZZZZZZZZZZ' };
    try {
      encodeCredential(tooBig, issuer.privateKey, 'K1');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CredentialEncodeError);
      expect((err as CredentialEncodeError).code).toBe('credential.error.too_long');
      expect((err as CredentialEncodeError).texts['zh-CN']).toContain('超过上限 120');
    }
  });
});

describe('credential codec: refuses invalid input to sign', () => {
  const invalid: Array<[string, unknown]> = [
    ['card version 0', { ...card, cardVersion: 0 }],
    ['lower-case id', { ...card, personId: 't001' }],
    ['id of 17 characters', { ...card, personId: '12345678901234567' }],
    ['empty id', { ...card, personId: '' }],
    ['window ending before it starts', { ...visitor, validUntil: visitor.validFrom }],
    ['window of 367 days', { ...pickup, validUntil: pickup.validFrom + 367 * 24 * HOUR }],
    ['start not on a minute', { ...visitor, validFrom: T + 1 }],
    ['start before 2024', { ...visitor, validFrom: Date.UTC(2023, 11, 31), validUntil: Date.UTC(2024, 0, 2) }],
    ['visitor with no place', { ...visitor, gates: [], zones: [] }],
    ['five gates', { ...visitor, gates: [1, 2, 3, 4, 5] }],
    ['gate number 0', { ...visitor, gates: [0] }],
    ['pass id over 2^21', { ...pickup, passId: 2 ** 21 }],
  ];
  it.each(invalid)('%s', (_name, cred) => {
    expect(() => encodeCredential(cred as Credential, issuer.privateKey, 'K1')).toThrow(CredentialEncodeError);
  });

  it('refuses a bad key id and a public key in place of the private key', () => {
    expect(() => encodeCredential(card, issuer.privateKey, 'k1')).toThrow(CredentialKeyError);
    expect(() => encodeCredential(card, issuer.privateKey, 'ABC')).toThrow(CredentialKeyError);
    expect(() => encodeCredential(card, issuer.publicKey, 'K1')).toThrow(CredentialKeyError);
  });
});

describe('credential codec: decoding foreign and damaged text', () => {
  const good = encodeCredential(visitor, issuer.privateKey, 'K1');

  it.each([
    ['a URL', 'https://weixin.qq.com/r/abc', 'credential.unknown_prefix'],
    ['empty', '', 'credential.unknown_prefix'],
    ['lower-case prefix', good.replace('SC1:', 'sc1:'), 'credential.unknown_prefix'],
    ['a newer format', good.replace('SC1:', 'SC2:'), 'credential.unsupported_version'],
    ['truncated', good.slice(0, 80), 'credential.bad_length'],
    ['one character short', good.slice(0, -1), 'credential.malformed'],
    ['overlong', good + 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'credential.bad_length'],
    ['with a line ending', good.slice(0, 110) + '\r\n', 'credential.malformed'],
    ['with a space', good.slice(0, 50) + ' ' + good.slice(51), 'credential.malformed'],
    ['with base64 padding', good.slice(0, -2) + '==', 'credential.malformed'],
  ])('%s → %s', (_name, text, reason) => {
    const r = decodeCredential(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe(reason);
  });

  it('refuses non-strings', () => {
    for (const v of [undefined, null, 42, Buffer.from(good), { text: good }]) {
      const r = decodeCredential(v);
      expect(r.ok ? 'ok' : r.reason).toBe('credential.malformed');
    }
  });

  it('refuses a second text form of the same bytes (unused low bits set)', () => {
    const b64 = good.slice(CREDENTIAL_PREFIX.length);
    // 87 bytes → 116 characters: the last character carries 4 unused bits.
    const last = b64.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
    const variant = CREDENTIAL_PREFIX + b64.slice(0, -1) + twin;
    expect(Buffer.from(variant.slice(4), 'base64url')).toEqual(Buffer.from(b64, 'base64url'));
    const r = decodeCredential(variant);
    expect(r.ok ? 'ok' : r.reason).toBe('credential.malformed');
  });

  function withBody(mutate: (body: Buffer) => Buffer): string {
    const bytes = Buffer.from(good.slice(CREDENTIAL_PREFIX.length), 'base64url');
    const body = mutate(Buffer.from(bytes.subarray(0, bytes.length - 64)));
    return CREDENTIAL_PREFIX + Buffer.concat([body, bytes.subarray(bytes.length - 64)]).toString('base64url');
  }

  it('maps unknown layout versions and kinds to their own reasons', () => {
    const v2 = withBody((b) => ((b[0] = (b[0]! & 0x3f) | 0x80), b));
    expect(decodeCredential(v2)).toMatchObject({ ok: false, reason: 'credential.unsupported_version' });
    const kind7 = withBody((b) => ((b[0] = b[0]! | 0x38), b));
    expect(decodeCredential(kind7)).toMatchObject({ ok: false, reason: 'credential.unsupported_kind' });
  });

  it('refuses trailing bytes, reserved flags and out-of-range key ids', () => {
    expect(decodeCredential(withBody((b) => Buffer.concat([b, Buffer.from([1])])))).toMatchObject({
      reason: 'credential.malformed',
    });
    // visitor flags byte follows header (2) and a 2-byte pass id (4711)
    expect(decodeCredential(withBody((b) => ((b[4] = b[4]! | 1), b)))).toMatchObject({ reason: 'credential.malformed' });
    expect(decodeCredential(withBody((b) => ((b[0] = b[0]! | 0x07), (b[1] = 0xff), b)))).toMatchObject({
      reason: 'credential.malformed',
    });
  });
});
