import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CREDENTIAL_EPOCH_MS,
  CREDENTIAL_LIMITS,
  CREDENTIAL_MAX_LENGTH,
  CREDENTIAL_PREFIX,
  CREDENTIAL_REASONS,
  CredentialEncodeError,
  createKeyring,
  decodeCredential,
  encodeCredential,
  MINUTE_MS,
  verifyCredential,
  type Credential,
} from '@campus/protocol/credentials/index';
import { card, newIssuer, T, visitor } from './helpers.js';

const issuer = newIssuer();
const keyring = createKeyring({ K1: issuer.publicKey });
const reasons = new Set<string>(CREDENTIAL_REASONS);
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('');

function assertVerdict(text: unknown): void {
  const r = verifyCredential(text, keyring, T);
  if (!r.ok) expect(reasons.has(r.reason), r.reason).toBe(true);
  const d = decodeCredential(text);
  if (!d.ok) expect(reasons.has(d.reason), d.reason).toBe(true);
}

describe('credential fuzzing (fast-check)', () => {
  it('random strings: verify never throws and always gives a known reason', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => assertVerdict(s)), { numRuns: 3000 });
  });

  it('random prefixed base64url of every plausible length: never accepted, never throws', () => {
    const arb = fc
      .array(fc.constantFrom(...B64URL), { minLength: 0, maxLength: 130 })
      .map((cs) => CREDENTIAL_PREFIX + cs.join(''));
    fc.assert(
      fc.property(arb, (s) => {
        assertVerdict(s);
        expect(verifyCredential(s, keyring, T).ok).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('random bodies behind a real-looking header: decoder never throws', () => {
    const arb = fc.uint8Array({ minLength: 4, maxLength: 24 }).map((body) => {
      body[0] = 0x40 | (body[0]! & 0x3f); // layout version 1, any kind and kid
      return CREDENTIAL_PREFIX + Buffer.concat([body, Buffer.alloc(64)]).toString('base64url');
    });
    fc.assert(fc.property(arb, (s) => assertVerdict(s)), { numRuns: 5000 });
  });

  it('random mutations of a genuine credential are never accepted', () => {
    const text = encodeCredential(visitor, issuer.privateKey, 'K1');
    const arb = fc.record({
      at: fc.nat({ max: text.length - 1 }),
      cut: fc.nat({ max: 3 }),
      insert: fc.string({ maxLength: 3 }),
    });
    fc.assert(
      fc.property(arb, ({ at, cut, insert }) => {
        const mutated = text.slice(0, at) + insert + text.slice(at + cut);
        fc.pre(mutated !== text);
        expect(verifyCredential(mutated, keyring, T + 1).ok).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('any schema-valid credential either round-trips within 120 characters or is refused as too long', () => {
    const personId = fc.oneof(
      fc.stringMatching(/^[0-9]{1,12}$/),
      fc.stringMatching(/^[0-9A-Z_-]{1,16}$/),
    );
    const minute = fc.integer({ min: 0, max: 2 ** 24 - 1 }).map((m) => CREDENTIAL_EPOCH_MS + m * MINUTE_MS);
    const duration = fc.integer({ min: 1, max: CREDENTIAL_LIMITS.maxPassMinutes }).map((m) => m * MINUTE_MS);
    const places = fc.array(fc.integer({ min: 1, max: CREDENTIAL_LIMITS.maxPlaceNo }), { maxLength: 4 });
    const passId = fc.integer({ min: 1, max: CREDENTIAL_LIMITS.maxPassId });
    const cred: fc.Arbitrary<Credential> = fc.oneof(
      fc.record({ kind: fc.constant('card' as const), personId, cardVersion: fc.integer({ min: 1, max: 16_383 }) }),
      fc
        .record({ passId, from: minute, duration, oneUse: fc.boolean(), hostPersonId: personId, gates: places, zones: places })
        .filter((v) => v.gates.length + v.zones.length > 0)
        .map(({ from, duration: d, ...v }) => ({ kind: 'visitor' as const, ...v, validFrom: from, validUntil: from + d })),
      fc
        .record({ passId, from: minute, duration, oneUse: fc.boolean(), holderPersonId: personId })
        .map(({ from, duration: d, ...v }) => ({ kind: 'pickup' as const, ...v, validFrom: from, validUntil: from + d })),
    );
    fc.assert(
      fc.property(cred, (c) => {
        let text: string;
        try {
          text = encodeCredential(c, issuer.privateKey, 'K1');
        } catch (err) {
          expect(err).toBeInstanceOf(CredentialEncodeError);
          expect((err as CredentialEncodeError).code).toBe('credential.error.too_long');
          return;
        }
        expect(text.length).toBeLessThanOrEqual(CREDENTIAL_MAX_LENGTH);
        const r = verifyCredential(text, keyring, c.kind === 'card' ? T : c.validFrom);
        expect(r).toEqual({ ok: true, kid: 'K1', credential: c });
      }),
      { numRuns: 1500 },
    );
  });

  it('a card text is never mistaken for another person: distinct ids give distinct texts', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9A-Z_-]{1,16}$/), fc.stringMatching(/^[0-9A-Z_-]{1,16}$/), (a, b) => {
        fc.pre(a !== b);
        const ta = decodeCredential(encodeCredential({ ...card, personId: a }, issuer.privateKey, 'K1'));
        const tb = decodeCredential(encodeCredential({ ...card, personId: b }, issuer.privateKey, 'K1'));
        expect(ta.ok && tb.ok && Buffer.compare(Buffer.from(ta.body), Buffer.from(tb.body)) !== 0).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
