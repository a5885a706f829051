import http from 'node:http';
import https from 'node:https';
import type { KeyObject } from 'node:crypto';
import { SYNC_HEADERS } from '@campus/protocol/sync/signing';
import { importPrivateKey, newNonce, sha256Hex, signRequest } from '../shared/signature.js';

/** What the cloud's admin API hands out for one edge (keep the private key secret). */
export interface EdgeCredentials {
  edgeId: string;
  keyId: string;
  /** base64 DER (PKCS#8) Ed25519 private key. */
  privateKey: string;
}

export interface TransportOptions {
  /** e.g. "https://cloud.example.edu.cn" (a path prefix is allowed). */
  cloudUrl: string;
  credentials: EdgeCredentials;
  /** Extra CA certificate(s) to trust (a school's private CA, or a test certificate). */
  ca?: string | Buffer;
  /** Per-request timeout; long-polls add their wait on top. */
  timeoutMs?: number;
  now?: () => number;
}

export interface CloudResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Network-level failure (refused, reset, timeout): always worth retrying. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';
}

/**
 * Signed HTTP(S) requests to the cloud over one keep-alive agent. Every request gets a
 * fresh nonce and timestamp, so a retry is a new request the cloud will accept, while a
 * captured request replayed by someone else is refused.
 */
export class SignedTransport {
  private readonly base: URL;
  private readonly key: KeyObject;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly opts: TransportOptions) {
    this.base = new URL(opts.cloudUrl.endsWith('/') ? opts.cloudUrl : opts.cloudUrl + '/');
    this.key = importPrivateKey(opts.credentials.privateKey);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.now = opts.now ?? Date.now;
    const agentOpts = { keepAlive: true, maxSockets: 4 };
    this.agent = this.base.protocol === 'https:' ? new https.Agent({ ...agentOpts, ...(opts.ca ? { ca: opts.ca } : {}) }) : new http.Agent(agentOpts);
  }

  get edgeId(): string {
    return this.opts.credentials.edgeId;
  }

  request(method: 'GET' | 'POST', pathAndQuery: string, body?: string | Buffer, extra?: { signal?: AbortSignal; timeoutMs?: number }): Promise<CloudResponse> {
    const url = new URL(pathAndQuery.replace(/^\//, ''), this.base);
    const payload = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body);
    const timestamp = this.now();
    const nonce = newNonce();
    const bodySha256 = sha256Hex(payload);
    const signedPath = url.pathname + url.search;
    const { edgeId, keyId } = this.opts.credentials;
    const signature = signRequest({ method, path: signedPath, timestamp, nonce, bodySha256, edgeId, keyId }, this.key);
    const headers: http.OutgoingHttpHeaders = {
      [SYNC_HEADERS.edge]: edgeId,
      [SYNC_HEADERS.keyId]: keyId,
      [SYNC_HEADERS.timestamp]: String(timestamp),
      [SYNC_HEADERS.nonce]: nonce,
      [SYNC_HEADERS.bodySha256]: bodySha256,
      [SYNC_HEADERS.signature]: signature,
      accept: 'application/json',
    };
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    const mod = url.protocol === 'https:' ? https : http;
    return new Promise<CloudResponse>((resolve, reject) => {
      const req = mod.request(url, { method, headers, agent: this.agent, signal: extra?.signal }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (e) => reject(new NetworkError(e.message)));
      });
      req.setTimeout(extra?.timeoutMs ?? this.timeoutMs, () => req.destroy(new Error('timeout')));
      req.on('error', (e) => reject(e.name === 'AbortError' ? e : new NetworkError(e.message)));
      req.end(payload.length ? payload : undefined);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
