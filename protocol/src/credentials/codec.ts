import { sign, type KeyObject } from 'node:crypto';
import { bilingual } from '../i18n/index.js';
import { FieldOutOfRange, TruncatedBody } from './bytes.js';
import { assertKid, toPrivateKey } from './keys.js';
import { InvalidFields, readBody, UnsupportedKind, UnsupportedLayout, writeBody } from './layout.js';
import type { CredentialDecodeReason } from './reasons.js';
import { CredentialSchema, type Credential } from './schema.js';

/**
 * The text on the QR: "SC1:" + base64url(body ‖ Ed25519 signature).
 *
 * Why base64url and not base45 (RFC 9285, QR alphanumeric mode): the limit that matters
 * is characters on the reader's serial line (~1 ms each at 9600 baud). The signature alone
 * is 96 base45 characters, leaving 20 characters (13 bytes) for prefix-free fields, too few
 * for a visitor pass (pass id, host, window, gates ≈ 18-23 bytes). base64url carries 6 bits
 * a character against base45's 5.33, so every kind is shorter; the QR uses byte mode
 * (version 7-M at 120 characters, still easy for gate scanners at card size).
 * base32 would need 103 characters for the signature alone.
 *
 * The signature covers the prefix too, so the same bytes under another prefix do not verify.
 */
export const CREDENTIAL_PREFIX = 'SC1:';
export const CREDENTIAL_MAX_LENGTH = 120;
export const SIGNATURE_BYTES = 64;
const MIN_BODY_BYTES = 4; // header + a one-digit person id + card version
const PREFIX_BYTES = Buffer.from(CREDENTIAL_PREFIX, 'ascii');
const OTHER_VERSION_RE = /^SC[0-9]:/;
const BASE64URL_RE = /^[A-Za-z0-9_-]*$/;

function base64urlLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}
export const CREDENTIAL_MIN_LENGTH = CREDENTIAL_PREFIX.length + base64urlLength(MIN_BODY_BYTES + SIGNATURE_BYTES);

export type CredentialEncodeErrorCode = 'credential.error.invalid' | 'credential.error.too_long';

/** Raised by encodeCredential: the issuing side shows `texts` to the operator. */
export class CredentialEncodeError extends Error {
  readonly texts: { 'zh-CN': string; en: string };

  constructor(
    readonly code: CredentialEncodeErrorCode,
    readonly params: Record<string, string | number>,
  ) {
    const texts = bilingual(code, params);
    super(`${texts['zh-CN']} / ${texts.en}`);
    this.name = 'CredentialEncodeError';
    this.texts = texts;
  }
}

/** The bytes the signature covers. */
export function signedBytes(body: Uint8Array): Buffer {
  return Buffer.concat([PREFIX_BYTES, body]);
}

/**
 * Signs a credential with the school's issuer key. Throws CredentialEncodeError when the
 * fields are invalid or the text would exceed 120 characters, CredentialKeyError for a
 * bad key or kid. Never returns a credential the edge would refuse as malformed.
 */
export function encodeCredential(cred: Credential, privateKey: KeyObject | string, kid: string): string {
  assertKid(kid);
  const key = toPrivateKey(kid, privateKey);
  const parsed = CredentialSchema.safeParse(cred);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const detail = issue ? `${issue.path.join('.') || 'credential'}: ${issue.message}` : 'invalid';
    throw new CredentialEncodeError('credential.error.invalid', { detail });
  }
  const body = writeBody(parsed.data, kid);
  const length = CREDENTIAL_PREFIX.length + base64urlLength(body.length + SIGNATURE_BYTES);
  if (length > CREDENTIAL_MAX_LENGTH) {
    throw new CredentialEncodeError('credential.error.too_long', { length, max: CREDENTIAL_MAX_LENGTH });
  }
  const signature = sign(null, signedBytes(body), key);
  return CREDENTIAL_PREFIX + Buffer.concat([body, signature]).toString('base64url');
}

export interface DecodedCredential {
  ok: true;
  kid: string;
  /** Not yet verified: trust it only after verifyCredential. */
  credential: Credential;
  body: Uint8Array;
  signature: Uint8Array;
}
export interface DecodeFailure {
  ok: false;
  reason: CredentialDecodeReason;
  /** For logs only (English, technical). */
  detail: string;
}
export type DecodeResult = DecodedCredential | DecodeFailure;

function fail(reason: CredentialDecodeReason, detail: string): DecodeFailure {
  return { ok: false, reason, detail };
}

/** Parses a QR text without checking its signature. Never throws. */
export function decodeCredential(text: unknown): DecodeResult {
  if (typeof text !== 'string') return fail('credential.malformed', 'not a string');
  if (!text.startsWith(CREDENTIAL_PREFIX)) {
    return OTHER_VERSION_RE.test(text)
      ? fail('credential.unsupported_version', `prefix ${text.slice(0, 4)}`)
      : fail('credential.unknown_prefix', 'no SC1: prefix');
  }
  if (text.length < CREDENTIAL_MIN_LENGTH || text.length > CREDENTIAL_MAX_LENGTH) {
    return fail('credential.bad_length', `${text.length} characters`);
  }
  const b64 = text.slice(CREDENTIAL_PREFIX.length);
  if (!BASE64URL_RE.test(b64) || b64.length % 4 === 1) return fail('credential.malformed', 'not base64url');
  const bytes = Buffer.from(b64, 'base64url');
  // Unused low bits in the last character give several texts for the same bytes; refuse them.
  if (bytes.toString('base64url') !== b64) return fail('credential.malformed', 'non-canonical base64url');
  const bodyLength = bytes.length - SIGNATURE_BYTES;
  if (bodyLength < MIN_BODY_BYTES) return fail('credential.bad_length', `${bytes.length} bytes`);
  const body = bytes.subarray(0, bodyLength);
  try {
    const { kid, credential } = readBody(body);
    return { ok: true, kid, credential, body, signature: bytes.subarray(bodyLength) };
  } catch (err) {
    if (err instanceof UnsupportedLayout) return fail('credential.unsupported_version', err.message);
    if (err instanceof UnsupportedKind) return fail('credential.unsupported_kind', err.message);
    if (err instanceof TruncatedBody || err instanceof FieldOutOfRange || err instanceof InvalidFields) {
      return fail('credential.malformed', err.message);
    }
    throw err;
  }
}
