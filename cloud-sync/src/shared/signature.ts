import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalRequest, type SignedRequestParts } from '@campus/protocol/sync/signing';

/**
 * Ed25519 request signatures: the edge holds the private key, the cloud stores only the
 * public key, so a leaked cloud database cannot be used to impersonate an edge.
 */
export interface EdgeKeyPair {
  /** base64 DER (SPKI): stored by the cloud. */
  publicKey: string;
  /** base64 DER (PKCS#8): handed to the edge once, never stored by the cloud. */
  privateKey: string;
}

export function generateEdgeKeyPair(): EdgeKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
  };
}

export function importPrivateKey(base64Der: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(base64Der, 'base64'), format: 'der', type: 'pkcs8' });
}

export function importPublicKey(base64Der: string): KeyObject {
  return createPublicKey({ key: Buffer.from(base64Der, 'base64'), format: 'der', type: 'spki' });
}

export function sha256Hex(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}

export function newNonce(): string {
  return randomBytes(18).toString('base64url');
}

export function signRequest(parts: SignedRequestParts, privateKey: KeyObject): string {
  return sign(null, Buffer.from(canonicalRequest(parts)), privateKey).toString('base64');
}

export function verifyRequest(parts: SignedRequestParts, signature: string, publicKey: KeyObject): boolean {
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== 64) return false;
  return verify(null, Buffer.from(canonicalRequest(parts)), publicKey, sig);
}
