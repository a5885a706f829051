import { SYNC_HEADERS } from '@campus/protocol/sync/signing';
import { importPrivateKey, newNonce, sha256Hex, signRequest } from '../../src/shared/signature.js';
import type { EdgeCredentials } from '../../src/client/transport.js';
import { readBody } from '@campus/testkit';

export interface RawResponse {
  status: number;
  json: unknown;
  headers: Headers;
}

/**
 * Builds a signed edge request by hand so tests can tamper with any part of it (replay the
 * exact headers, shift the clock, sign a different body).
 */
export function signedHeaders(creds: EdgeCredentials, method: string, path: string, body: string, over: { timestamp?: number; nonce?: string; signBody?: string } = {}): Record<string, string> {
  const timestamp = over.timestamp ?? Date.now();
  const nonce = over.nonce ?? newNonce();
  const bodySha256 = sha256Hex(over.signBody ?? body);
  const signature = signRequest({ method, path, timestamp, nonce, bodySha256, edgeId: creds.edgeId, keyId: creds.keyId }, importPrivateKey(creds.privateKey));
  return {
    [SYNC_HEADERS.edge]: creds.edgeId,
    [SYNC_HEADERS.keyId]: creds.keyId,
    [SYNC_HEADERS.timestamp]: String(timestamp),
    [SYNC_HEADERS.nonce]: nonce,
    [SYNC_HEADERS.bodySha256]: bodySha256,
    [SYNC_HEADERS.signature]: signature,
    'content-type': 'application/json',
  };
}

export async function send(baseUrl: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  const res = await fetch(baseUrl + path, { method, headers, ...(body !== undefined && method !== 'GET' ? { body } : {}) });
  const json = await readBody(res);
  return { status: res.status, json, headers: res.headers };
}

export function signedSend(baseUrl: string, creds: EdgeCredentials, method: string, path: string, body = '', over: Parameters<typeof signedHeaders>[4] = {}): Promise<RawResponse> {
  return send(baseUrl, method, path, signedHeaders(creds, method, path, body, over), method === 'GET' ? undefined : body);
}
