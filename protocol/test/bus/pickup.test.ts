import { describe, expect, it } from 'vitest';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { Keyring, verifyCredential } from '../../src/credentials/index.js';
import {
  PICKUP_CODE_STEP_MS,
  checkPickupCode,
  encodePickupPass,
  pickupCode,
  pickupCodeKey,
  pickupCodeStep,
  pickupKeyTag,
  verifyPickupPass,
} from '../../src/bus/pickup.js';

describe('bus pickup pass (SP1) and one-time codes', () => {
  const school = generateKeyPairSync('ed25519');
  const other = generateKeyPairSync('ed25519');
  const keyring = new Keyring();
  keyring.add('K1', school.publicKey);

  it('round-trips and fits the reader limit, even with the longest person id', () => {
    const text = encodePickupPass({ studentId: '2026010001', recordKey: 'pp-zhang-mum', passVersion: 3 }, school.privateKey, 'K1');
    expect(text.startsWith('SP1:')).toBe(true);
    expect(text.length).toBe(106);
    expect(verifyPickupPass(text, keyring)).toEqual({ ok: true, kid: 'K1', pass: { studentId: '2026010001', pickupTag: pickupKeyTag('pp-zhang-mum'), passVersion: 3 } });
    const longest = encodePickupPass({ studentId: 'ZZZZZZZZZZZZZZZZ', recordKey: 'x'.repeat(128), passVersion: 16_383 }, school.privateKey, 'K1');
    expect(longest.length).toBeLessThanOrEqual(120);
    expect(verifyPickupPass(longest, keyring).ok).toBe(true);
    expect(() => encodePickupPass({ studentId: 'lower-case', recordKey: 'k', passVersion: 0 }, school.privateKey, 'K1')).toThrow(RangeError);
    expect(() => encodePickupPass({ studentId: '1', recordKey: 'k', passVersion: 16_384 }, school.privateKey, 'K1')).toThrow(RangeError);
  });

  it('refuses another school’s key, a forged signature, damage, and is no gate credential', () => {
    const foreign = encodePickupPass({ studentId: '2026010001', recordKey: 'pp', passVersion: 0 }, other.privateKey, 'K9');
    expect(verifyPickupPass(foreign, keyring)).toMatchObject({ ok: false, reason: 'pickup.pass.unknown_key' });
    const sameKid = encodePickupPass({ studentId: '2026010001', recordKey: 'pp', passVersion: 0 }, other.privateKey, 'K1');
    expect(verifyPickupPass(sameKid, keyring)).toMatchObject({ ok: false, reason: 'pickup.pass.bad_signature' });
    const good = encodePickupPass({ studentId: '2026010001', recordKey: 'pp', passVersion: 0 }, school.privateKey, 'K1');
    // Flip one body character: another student or tag under the old signature.
    const i = 8;
    const flipped = good.slice(0, i) + (good[i] === 'A' ? 'B' : 'A') + good.slice(i + 1);
    expect(verifyPickupPass(flipped, keyring).ok).toBe(false);
    for (const bad of ['SP1:', 'SP1:!!!!', good.slice(0, -3), good + 'AAAA', 'SC1:' + good.slice(4)]) expect(verifyPickupPass(bad, keyring).ok).toBe(false);
    // The gate's decoder never takes it for a card or pass.
    expect(verifyCredential(good, keyring, Date.now())).toMatchObject({ ok: false, reason: 'credential.unknown_prefix' });
  });

  it('codes: bound to the child and the pass version, valid for the current and previous step, expired after', () => {
    const secret = randomBytes(32);
    const key = pickupCodeKey(secret, 'pp-zhang-mum', 2);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const now = Date.UTC(2026, 8, 7, 9, 2, 30);
    const step = pickupCodeStep(now);
    const code = pickupCode(key, '2026010001', step);
    expect(code).toMatch(/^\d{6}$/);
    expect(checkPickupCode(key, '2026010001', code, now)).toBe('ok');
    expect(checkPickupCode(key, '2026010001', code, now + PICKUP_CODE_STEP_MS)).toBe('ok');
    expect(checkPickupCode(key, '2026010001', code, now + 3 * PICKUP_CODE_STEP_MS)).toBe('expired');
    expect(checkPickupCode(key, '2026010001', code, now + 20 * PICKUP_CODE_STEP_MS)).toBe('wrong');
    expect(checkPickupCode(key, '2026010002', code, now)).not.toBe('ok');
    expect(checkPickupCode(pickupCodeKey(secret, 'pp-zhang-mum', 3), '2026010001', code, now)).not.toBe('ok');
    expect(checkPickupCode(key, '2026010001', '12345', now)).toBe('wrong');
    expect(checkPickupCode(key, '2026010001', 'abcdef', now)).toBe('wrong');
  });
});
