import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Keyring, type CredentialKind } from '@campus/protocol/credentials/index';
import { CardToolError } from '../cards/errors.js';
import { loadKeyring } from '../cards/issuer-keys.js';
import type { AccessConfig } from './config.js';

export interface AccessKeys {
  keyring: Keyring;
  keyKinds: Map<string, ReadonlySet<CredentialKind>>;
  /** The edge's own pass key: signs visitor and pickup passes, refused on cards. */
  visitorKey: { kid: string; privateKey: KeyObject } | null;
}

export class AccessKeyError extends Error {}

/**
 * Loads the issuers' public keys (issuer-<kid>.pub in keysDir) and the edge's own pass
 * key, creating the latter on first start. The pass key lives under another file name
 * (edge-passes-<kid>.key), so the issuer loader never mistakes it for a card issuer, and
 * its kid is restricted to visitor and pickup passes: a stolen edge box can mint a
 * visitor pass for itself, never a student card.
 */
export async function loadAccessKeys(config: AccessConfig, keysDir: string): Promise<AccessKeys> {
  let keyring = new Keyring();
  if (existsSync(keysDir)) {
    try {
      keyring = await loadKeyring(keysDir);
    } catch (err) {
      if (!(err instanceof CardToolError && err.code === 'cards.keys.none_found')) throw err;
    }
  }
  const keyKinds = new Map<string, ReadonlySet<CredentialKind>>(Object.entries(config.keyKinds).map(([kid, kinds]) => [kid, new Set(kinds)]));
  let visitorKey: AccessKeys['visitorKey'] = null;
  const kid = config.visitorKeyId;
  if (kid) {
    if (keyring.get(kid)) throw new AccessKeyError(`access.visitorKeyId ${kid} is also an issuer key (issuer-${kid}.pub); choose another key id`);
    const keyFile = join(keysDir, `edge-passes-${kid}.key`);
    let privateKey: KeyObject;
    if (existsSync(keyFile)) {
      privateKey = createPrivateKey(readFileSync(keyFile, 'utf8'));
    } else {
      mkdirSync(keysDir, { recursive: true, mode: 0o700 });
      privateKey = generateKeyPairSync('ed25519').privateKey;
      writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), { mode: 0o600, flag: 'wx' });
      writeFileSync(join(keysDir, `edge-passes-${kid}.pub`), createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString(), { mode: 0o644 });
    }
    keyring.add(kid, createPublicKey(privateKey));
    keyKinds.set(kid, new Set<CredentialKind>(['visitor', 'pickup']));
    visitorKey = { kid, privateKey };
  }
  return { keyring, keyKinds, visitorKey };
}
