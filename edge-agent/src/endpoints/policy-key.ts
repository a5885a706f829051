import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { dirname } from 'node:path';
import { generatePolicyKeyPair, policyKeyId, type PolicyKeyPair } from '@campus/protocol/usb/signing';
import type { Logger } from '../core/log.js';

export class PolicyKeyError extends Error {
  override name = 'PolicyKeyError';
}

/**
 * The edge's Ed25519 key for signing USB policies. Created once (mode 0600, written
 * exclusively so two starts cannot race each other into two keys) and kept: every PC
 * agent pins its public key, so replacing it means re-configuring every PC.
 */
export function loadOrCreatePolicyKey(file: string, log: Logger): PolicyKeyPair & { created: boolean } {
  let pem: string;
  try {
    const st = statSync(file);
    if ((st.mode & 0o077) !== 0) {
      // A key others can read lets them sign policies that unlock every PC's USB ports.
      chmodSync(file, 0o600);
      log.warn({ file, mode: (st.mode & 0o777).toString(8) }, 'policy signing key was readable by others; mode set to 0600');
    }
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new PolicyKeyError(`cannot read the policy signing key ${file}: ${(err as Error).message}`);
    return { ...create(file), created: true };
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(pem);
  } catch (err) {
    throw new PolicyKeyError(`the policy signing key ${file} is not a PEM private key (${(err as Error).message}); restore it from a backup`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new PolicyKeyError(`the policy signing key ${file} is ${privateKey.asymmetricKeyType}, not Ed25519`);
  const publicKey = createPublicKey(privateKey);
  return {
    kid: policyKeyId(publicKey),
    privateKey,
    publicKey,
    privateKeyPem: pem,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    created: false,
  };
}

function create(file: string): PolicyKeyPair {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const pair = generatePolicyKeyPair();
  writeFileSync(file, pair.privateKeyPem, { mode: 0o600, flag: 'wx' });
  return pair;
}
