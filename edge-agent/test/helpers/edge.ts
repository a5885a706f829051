import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { startEdge, type Edge, type StartEdgeOptions } from '../../src/edge.js';
import type { EdgeConfigInput } from '../../src/edge-config.js';
import { readBody, waitFor as kitWaitFor, type Probe } from '@campus/testkit';

export function tempDir(prefix = 'campus-edge-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const ADMIN = { username: 'admin', password: 'admin-password-1' };

/** A real edge on free ports in a temp data dir, quiet logs. */
export async function startTestEdge(
  overrides: Partial<EdgeConfigInput> = {},
  opts: StartEdgeOptions = {},
): Promise<Edge & { dataDir: string; cleanup(): Promise<void> }> {
  const dir = tempDir();
  const edge = await startEdge(
    {
      dataDir: dir.path,
      log: { level: 'silent' },
      http: { host: '127.0.0.1', port: 0, panelDir: join(dir.path, 'no-panel') },
      mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: true, port: 0 } },
      clock: { trust: 'always' },
      auth: { bootstrapAdmin: { username: ADMIN.username, password: ADMIN.password } },
      ...overrides,
    } as EdgeConfigInput,
    { logger: pino({ level: 'silent' }), ...opts },
  );
  return Object.assign(edge, {
    dataDir: dir.path,
    cleanup: async () => {
      await edge.stop();
      dir.remove();
    },
  });
}

export function connectMqtt(port: number, opts: IClientOptions = {}): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect({ host: '127.0.0.1', port, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    c.once('connect', () => resolve(c));
    c.once('error', (err) => {
      c.end(true);
      reject(err);
    });
    c.once('close', () => reject(new Error('connection closed before CONNACK')));
  });
}

export function nextMessage(c: MqttClient, filter?: (topic: string) => boolean, timeoutMs = 5000): Promise<{ topic: string; payload: Buffer; retain: boolean }> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no message within timeout')), timeoutMs);
    const onMsg = (topic: string, payload: Buffer, packet: { retain?: boolean }) => {
      if (filter && !filter(topic)) return;
      clearTimeout(t);
      c.off('message', onMsg);
      resolve({ topic, payload, retain: !!packet.retain });
    };
    c.on('message', onMsg);
  });
}

/** Waits until `fn` yields a value (the shared test kit's waitFor; a timeout only fails the wait). */
export function waitFor<T>(fn: Probe<T>, timeoutMs = 5000, stepMs = 20): Promise<T> {
  return kitWaitFor(fn, 'the condition', { timeoutMs, intervalMs: stepMs });
}

/** A tiny cookie-keeping HTTP client for API tests. */
export class ApiClient {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}

  async req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Headers }> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET') h['x-csrf-token'] ??= this.csrf;
    let payload: string | undefined;
    if (body !== undefined) {
      h['content-type'] ??= 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    const json = await readBody(res);
    return { status: res.status, json, headers: res.headers };
  }

  async login(username: string, password: string): Promise<{ status: number; json: any }> {
    const r = await this.req('POST', '/api/auth/login', { username, password });
    if (r.status === 200) this.csrf = r.json.csrfToken;
    return r;
  }
}
