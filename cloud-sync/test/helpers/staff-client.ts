import { readBody } from '@campus/testkit';
import type { Json } from './cloud.js';

export interface StaffAnswer {
  status: number;
  json: Json;
  headers: Headers;
}

/**
 * A browser-like staff client: keeps the session cookie it is given and sends the CSRF
 * token on writes, as the console does. `csrf: false` on a call leaves the token out.
 */
export class StaffClient {
  cookie: string | null = null;
  csrfToken: string | null = null;
  account: Json = null;

  constructor(readonly baseUrl: string) {}

  async call(method: string, path: string, body?: unknown, opts: { csrf?: boolean } = {}): Promise<StaffAnswer> {
    const headers: Record<string, string> = {};
    // Bytes (an upload) go as they are; anything else as JSON.
    const raw = body instanceof Uint8Array;
    if (body !== undefined) headers['content-type'] = raw ? 'application/octet-stream' : 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    if (method !== 'GET' && this.csrfToken && opts.csrf !== false) headers['x-csrf-token'] = this.csrfToken;
    const res = await fetch(`${this.baseUrl}/api/staff${path}`, { method, headers, ...(body !== undefined ? { body: raw ? body : typeof body === 'string' ? body : JSON.stringify(body) } : {}) });
    const json = await readBody(res);
    const set = res.headers.getSetCookie().find((c) => c.startsWith('campus_staff_sid='));
    if (set) {
      const value = set.split(';')[0]!;
      this.cookie = value.endsWith('=') ? null : value;
    }
    return { status: res.status, json, headers: res.headers };
  }

  async signIn(credentials: { username: string; password: string } | { phone: string; code: string }): Promise<StaffAnswer> {
    const r = await this.call('POST', '/session', credentials);
    if (r.status === 201) {
      this.csrfToken = r.json.csrfToken;
      this.account = r.json.account;
    }
    return r;
  }
}

/** Signs in and fails loudly when it does not work. */
export async function staffSignIn(baseUrl: string, username: string, password: string): Promise<StaffClient> {
  const c = new StaffClient(baseUrl);
  const r = await c.signIn({ username, password });
  if (r.status !== 201) throw new Error(`staff sign-in ${username}: ${r.status} ${JSON.stringify(r.json)}`);
  return c;
}
