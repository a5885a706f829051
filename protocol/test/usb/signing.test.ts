import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generatePolicyKeyPair,
  policyDigest,
  policyKeyId,
  policyKeyring,
  signPolicy,
  verifySignedPolicy,
} from '@campus/protocol/usb/signing';
import { USB_REASON } from '@campus/protocol/usb/reasons';
import { canonicalJson } from '@campus/protocol/usb/canonical-json';
import { policy, T0 } from './fixtures.js';

const edge = generatePolicyKeyPair();
const ring = policyKeyring([{ publicKey: edge.publicKeyPem }]);

describe('policy signatures', () => {
  it('verifies what the edge signed, after a JSON round trip', () => {
    const signed = signPolicy(policy({ rules: [{ id: 'printer', action: 'allow', match: { interfaceClass: 7 } }] }), edge.privateKey, edge.kid);
    const wire = JSON.parse(JSON.stringify(signed)) as unknown;
    const r = verifySignedPolicy(wire, ring);
    expect(r).toMatchObject({ ok: true, kid: edge.kid });
    if (!r.ok) throw new Error('unreachable');
    expect(r.policy.rules[0]?.id).toBe('printer');
    expect(r.digest).toBe(policyDigest(signed.policy));
  });

  it('fills defaults before signing, so what is signed is what is enforced', () => {
    const signed = signPolicy({ format: 'campus.usb-policy/1', version: 3, issuedAt: T0, target: { scope: 'all' } }, edge.privateKeyPem, edge.kid);
    expect(signed.policy).toMatchObject({ killSwitch: false, defaultAction: 'deny', rules: [], exceptions: [] });
  });

  it('derives key ids from the public key and accepts PEM or KeyObject', () => {
    expect(edge.kid).toMatch(/^ed25519-[0-9a-f]{16}$/);
    expect(policyKeyId(edge.publicKeyPem)).toBe(edge.kid);
    expect(policyKeyId(edge.privateKey)).toBe(edge.kid);
    expect(verifySignedPolicy(signPolicy(policy(), edge.privateKey, edge.kid), { [edge.kid]: edge.publicKey }).ok).toBe(true);
  });

  it('refuses a forged policy: content changed after signing', () => {
    const signed = signPolicy(policy(), edge.privateKey, edge.kid);
    const forged = { ...signed, policy: { ...signed.policy, killSwitch: true } };
    expect(verifySignedPolicy(forged, ring)).toMatchObject({ ok: false, reason: USB_REASON.policyBadSignature });
  });

  it('refuses a policy signed by another key claiming the edge kid', () => {
    const attacker = generatePolicyKeyPair();
    const signed = signPolicy(policy({ killSwitch: true }), attacker.privateKey, edge.kid);
    expect(verifySignedPolicy(signed, ring)).toMatchObject({ ok: false, reason: USB_REASON.policyBadSignature });
  });

  it('refuses an unknown key id', () => {
    const other = generatePolicyKeyPair();
    const signed = signPolicy(policy(), other.privateKey, other.kid);
    expect(verifySignedPolicy(signed, ring)).toMatchObject({ ok: false, reason: USB_REASON.policyUnknownKey, kid: other.kid });
  });

  it('refuses a signature moved onto another policy (replay of a signature)', () => {
    const a = signPolicy(policy({ version: 5 }), edge.privateKey, edge.kid);
    const b = signPolicy(policy({ version: 6, killSwitch: true }), edge.privateKey, edge.kid);
    expect(verifySignedPolicy({ ...b, signature: a.signature }, ring)).toMatchObject({ ok: false, reason: USB_REASON.policyBadSignature });
  });

  it('reports signed but invalid content (unknown fields) as invalid, with the version', () => {
    // An edge running a newer format could sign fields this agent does not know.
    const signed = signPolicy(policy({ version: 9 }), edge.privateKey, edge.kid);
    const withExtra = { ...signed.policy, usbCopyLimitMb: 10 };
    const value = sign(null, Buffer.from('campus.usb-policy.v1\n' + canonicalJson(withExtra)), edge.privateKey).toString('base64');
    const r = verifySignedPolicy({ ...signed, policy: withExtra, signature: { ...signed.signature, value } }, ring);
    expect(r).toMatchObject({ ok: false, reason: USB_REASON.policyInvalid, version: 9 });
    if (r.ok) throw new Error('unreachable');
    expect(r.detail).toMatch(/usbCopyLimitMb|unrecognized/i);
  });

  it.each([
    ['null', null],
    ['a string', 'policy'],
    ['an array', []],
    ['missing signature', { format: 'campus.usb-policy.signed/1', policy: {} }],
    ['an unknown envelope field', { format: 'campus.usb-policy.signed/1', policy: {}, signature: { alg: 'Ed25519', kid: 'k', value: 'A'.repeat(86) + '==' }, x: 1 }],
    ['a short signature', { format: 'campus.usb-policy.signed/1', policy: {}, signature: { alg: 'Ed25519', kid: 'k', value: 'AAAA' } }],
    ['another algorithm', { format: 'campus.usb-policy.signed/1', policy: {}, signature: { alg: 'HS256', kid: 'k', value: 'A'.repeat(86) + '==' } }],
  ])('refuses a malformed envelope: %s', (_name, env) => {
    expect(verifySignedPolicy(env, ring)).toMatchObject({ ok: false, reason: USB_REASON.policyMalformed });
  });

  it('refuses an envelope whose policy nests absurdly deep without throwing', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = { d: deep };
    const env = { format: 'campus.usb-policy.signed/1', policy: { deep }, signature: { alg: 'Ed25519', kid: edge.kid, value: 'A'.repeat(86) + '==' } };
    expect(verifySignedPolicy(env, ring)).toMatchObject({ ok: false, reason: USB_REASON.policyMalformed });
  });

  it('will not sign an invalid policy or with a non-Ed25519 key', () => {
    expect(() => signPolicy({ ...policy(), version: 0 }, edge.privateKey, edge.kid)).toThrow();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    expect(() => signPolicy(policy(), rsa, edge.kid)).toThrow(/Ed25519/);
    expect(() => policyKeyring([{ publicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey }])).toThrow(/Ed25519/);
  });
});

