/**
 * Request signing between an edge and the cloud. Every edge request carries these
 * headers; the signature covers method, path (with query), timestamp, nonce, the
 * SHA-256 of the body and the edge/key ids, so nothing in a request can be changed
 * or replayed without the cloud noticing. The crypto itself (Ed25519) lives in
 * cloud-sync; this file only fixes the wire format both ends agree on.
 */
export const SYNC_HEADERS = {
  edge: 'x-campus-edge',
  keyId: 'x-campus-key-id',
  timestamp: 'x-campus-timestamp',
  nonce: 'x-campus-nonce',
  bodySha256: 'x-campus-content-sha256',
  signature: 'x-campus-signature',
} as const;

export const SIGNATURE_SCHEME = 'CAMPUS-SYNC-ED25519-V1';

/** How far an edge clock may differ from the cloud's before a request is refused as stale. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** Nonces are remembered at least this long (twice the skew, so a replay is caught either way). */
export const NONCE_TTL_MS = 2 * MAX_CLOCK_SKEW_MS;

export const NONCE_RE = /^[A-Za-z0-9_-]{16,64}$/;

export interface SignedRequestParts {
  method: string;
  /** Path and query exactly as sent, e.g. "/api/edge/v1/changes?after=12". */
  path: string;
  timestamp: number;
  nonce: string;
  /** Lower-case hex SHA-256 of the raw body (of the empty string for GET). */
  bodySha256: string;
  edgeId: string;
  keyId: string;
}

/** The exact bytes that are signed, one field per line. */
export function canonicalRequest(p: SignedRequestParts): string {
  return [SIGNATURE_SCHEME, p.method.toUpperCase(), p.path, String(p.timestamp), p.nonce, p.bodySha256, p.edgeId, p.keyId].join('\n');
}
