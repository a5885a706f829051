import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson, CanonicalJsonError } from './canonical-json.js';
import { UsbPolicySchema, type UsbPolicy, type UsbPolicyInput } from './policy.js';
import { USB_REASON, type UsbReason } from './reasons.js';

/**
 * Signed policy envelope. The edge signs the canonical JSON of the policy with Ed25519;
 * the PC agent holds only public keys, so a compromised PC cannot mint policies for
 * others. Key ids (kid) let IT rotate the edge's signing key: agents accept any key in
 * their keyring, the edge signs with the newest.
 *
 * The signed bytes are a domain tag followed by the canonical policy, so a signature made
 * for some other purpose with the same key can never pass as a policy signature.
 */
export const SIGNED_POLICY_FORMAT = 'campus.usb-policy.signed/1';
const SIGNATURE_DOMAIN = 'campus.usb-policy.v1\n';

export const KID_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const ED25519_SIGNATURE_B64_RE = /^[A-Za-z0-9+/]{86}==$/;

export const SignedUsbPolicySchema = z.strictObject({
  format: z.literal(SIGNED_POLICY_FORMAT),
  /** Checked against the signature first, then parsed by UsbPolicySchema. */
  policy: z.record(z.string(), z.unknown()),
  signature: z.strictObject({
    alg: z.literal('Ed25519'),
    kid: z.string().regex(KID_RE),
    value: z.string().regex(ED25519_SIGNATURE_B64_RE, '64-byte Ed25519 signature in base64'),
  }),
});
export interface SignedUsbPolicy {
  format: typeof SIGNED_POLICY_FORMAT;
  policy: UsbPolicy;
  signature: { alg: 'Ed25519'; kid: string; value: string };
}

/** Public keys an agent trusts, by kid. */
export type PolicyKeyring = ReadonlyMap<string, KeyObject>;
export type PolicyKeyInput = KeyObject | string;

export interface PolicyKeyPair {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  privateKeyPem: string;
  publicKeyPem: string;
}

/** A fresh Ed25519 signing key for the edge; its kid derives from the public key. */
export function generatePolicyKeyPair(): PolicyKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    kid: policyKeyId(publicKey),
    privateKey,
    publicKey,
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Stable key id: "ed25519-" + first 16 hex digits of SHA-256 over the SPKI DER. */
export function policyKeyId(publicKey: PolicyKeyInput): string {
  const der = toPublicKey(publicKey).export({ type: 'spki', format: 'der' });
  return `ed25519-${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

/** Builds a keyring from PEM strings or KeyObjects; refuses anything but Ed25519. */
export function policyKeyring(keys: Iterable<{ kid?: string; publicKey: PolicyKeyInput }>): PolicyKeyring {
  const ring = new Map<string, KeyObject>();
  for (const k of keys) {
    const key = toPublicKey(k.publicKey);
    const kid = k.kid ?? policyKeyId(key);
    if (!KID_RE.test(kid)) throw new Error(`invalid key id "${kid}"`);
    ring.set(kid, key);
  }
  return ring;
}

/** SHA-256 (hex) of the canonical policy: identifies "the same policy" across re-deliveries. */
export function policyDigest(policy: UsbPolicy | Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(policy)).digest('hex');
}

/**
 * Validates and normalises the policy (defaults filled in), then signs it. Throws a
 * ZodError for an invalid policy: the edge must never publish what agents will refuse.
 */
export function signPolicy(policy: UsbPolicyInput | UsbPolicy, privateKey: PolicyKeyInput, kid: string): SignedUsbPolicy {
  if (!KID_RE.test(kid)) throw new Error(`invalid key id "${kid}"`);
  const parsed = UsbPolicySchema.parse(policy);
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') throw new Error('signPolicy needs an Ed25519 private key');
  const value = sign(null, signedBytes(parsed), key).toString('base64');
  return { format: SIGNED_POLICY_FORMAT, policy: parsed, signature: { alg: 'Ed25519', kid, value } };
}

export type PolicyVerification =
  | { ok: true; policy: UsbPolicy; kid: string; digest: string }
  /** On refusal, `version` is the version the message claims (unverified), when it has one. */
  | { ok: false; reason: UsbReason; detail: string; kid?: string; version?: number };

/**
 * Checks an envelope received from the network. Never throws: every way it can be wrong
 * maps to a reason code the agent reports back. Order matters — the signature is
 * checked before the content is interpreted, so unsigned input never reaches the
 * policy parser's error messages.
 */
export function verifySignedPolicy(envelope: unknown, publicKeys: PolicyKeyring | Readonly<Record<string, PolicyKeyInput>>): PolicyVerification {
  const env = SignedUsbPolicySchema.safeParse(envelope);
  if (!env.success) return { ok: false, reason: USB_REASON.policyMalformed, detail: summarize(env.error) };
  const { kid } = env.data.signature;
  // The version as claimed, before anything is verified: only to let the edge match a refusal to what it sent.
  const claimed = env.data.policy.version;
  const v = typeof claimed === 'number' && Number.isSafeInteger(claimed) && claimed >= 0 ? { version: claimed } : {};
  const key = lookup(publicKeys, kid);
  if (!key) return { ok: false, reason: USB_REASON.policyUnknownKey, detail: kid, kid, ...v };
  let bytes: Buffer;
  try {
    bytes = signedBytes(env.data.policy);
  } catch (e) {
    if (e instanceof CanonicalJsonError) return { ok: false, reason: USB_REASON.policyMalformed, detail: e.message, kid, ...v };
    throw e;
  }
  let valid = false;
  try {
    valid = verify(null, bytes, key, Buffer.from(env.data.signature.value, 'base64'));
  } catch {
    valid = false; // a key of the wrong type lands here
  }
  if (!valid) return { ok: false, reason: USB_REASON.policyBadSignature, detail: `kid ${kid}`, kid, ...v };
  const policy = UsbPolicySchema.safeParse(env.data.policy);
  if (!policy.success) return { ok: false, reason: USB_REASON.policyInvalid, detail: summarize(policy.error), kid, ...v };
  return { ok: true, policy: policy.data, kid, digest: policyDigest(policy.data) };
}

function signedBytes(policy: unknown): Buffer {
  return Buffer.from(SIGNATURE_DOMAIN + canonicalJson(policy), 'utf8');
}

function lookup(keys: PolicyKeyring | Readonly<Record<string, PolicyKeyInput>>, kid: string): KeyObject | undefined {
  const k = keys instanceof Map ? keys.get(kid) : Object.hasOwn(keys, kid) ? (keys as Record<string, PolicyKeyInput>)[kid] : undefined;
  if (k === undefined) return undefined;
  try {
    return toPublicKey(k);
  } catch {
    return undefined;
  }
}

function toPublicKey(k: PolicyKeyInput): KeyObject {
  const key = typeof k === 'string' ? createPublicKey(k) : k.type === 'private' ? createPublicKey(k) : k;
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`policy keys must be Ed25519, got ${key.asymmetricKeyType ?? key.type}`);
  return key;
}

function summarize(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ')
    .slice(0, 300);
}
