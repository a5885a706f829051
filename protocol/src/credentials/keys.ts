import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { bilingual } from '../i18n/index.js';
import { KID_RE } from './schema.js';
import './reasons.js';

/**
 * Issuer keys. Edges and readers hold only public keys, by key id (kid), so a stolen edge
 * box cannot mint cards; rotation = add a new kid, issue with it, drop the old one once
 * its cards are reissued.
 */

/** A public key as configured: a KeyObject, an SPKI PEM, or the raw 32 bytes in base64/base64url. */
export type PublicKeyInput = KeyObject | string;

/** A key or kid that cannot be used; `message` is zh-CN and English. */
export class CredentialKeyError extends Error {
  readonly code: 'credential.error.bad_key' | 'credential.error.bad_kid';
  readonly texts: { 'zh-CN': string; en: string };

  constructor(code: CredentialKeyError['code'], params: { kid: string; detail?: string }) {
    const texts = bilingual(code, params);
    super(`${texts['zh-CN']} / ${texts.en}`);
    this.name = 'CredentialKeyError';
    this.code = code;
    this.texts = texts;
  }
}

export function assertKid(kid: string): void {
  if (!KID_RE.test(kid)) throw new CredentialKeyError('credential.error.bad_kid', { kid });
}

const RAW_KEY_RE = /^[A-Za-z0-9+/_-]{43}=?$/;

export function toPublicKey(kid: string, input: PublicKeyInput): KeyObject {
  let key: KeyObject;
  try {
    if (typeof input !== 'string') {
      key = input.type === 'private' ? createPublicKey(input) : input;
    } else if (RAW_KEY_RE.test(input.trim())) {
      const x = Buffer.from(input.trim(), 'base64').toString('base64url');
      key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    } else {
      key = createPublicKey(input);
    }
  } catch (err) {
    throw new CredentialKeyError('credential.error.bad_key', { kid, detail: (err as Error).message });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new CredentialKeyError('credential.error.bad_key', { kid, detail: `type ${key.asymmetricKeyType ?? 'unknown'}` });
  }
  return key;
}

export function toPrivateKey(kid: string, input: KeyObject | string): KeyObject {
  let key: KeyObject;
  try {
    key = typeof input === 'string' ? createPrivateKey(input) : input;
  } catch (err) {
    throw new CredentialKeyError('credential.error.bad_key', { kid, detail: (err as Error).message });
  }
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519') {
    throw new CredentialKeyError('credential.error.bad_key', { kid, detail: 'not an Ed25519 private key' });
  }
  return key;
}

/** The raw 32-byte public key in base64url: the short form for reader and edge config. */
export function publicKeyToRaw(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return jwk.x;
}

/** Public keys by kid, validated once so verification does no parsing. */
export class Keyring {
  private readonly keys = new Map<string, KeyObject>();

  constructor(entries: Iterable<readonly [string, PublicKeyInput]> = []) {
    for (const [kid, input] of entries) this.add(kid, input);
  }

  add(kid: string, input: PublicKeyInput): this {
    assertKid(kid);
    this.keys.set(kid, toPublicKey(kid, input));
    return this;
  }

  get(kid: string): KeyObject | undefined {
    return this.keys.get(kid);
  }

  get kids(): string[] {
    return [...this.keys.keys()].sort();
  }

  get size(): number {
    return this.keys.size;
  }
}

/** Builds a keyring from a Map or a plain object of kid → public key. Throws CredentialKeyError. */
export function createKeyring(
  input: ReadonlyMap<string, PublicKeyInput> | Readonly<Record<string, PublicKeyInput>>,
): Keyring {
  return new Keyring(input instanceof Map ? input.entries() : Object.entries(input));
}
