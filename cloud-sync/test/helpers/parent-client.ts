import { readBody } from '@campus/testkit';
import type { HttpSink } from './http-sink.js';
import { waitFor, type Json } from './cloud.js';

/** Signs a guardian in the way the parent app does: code by SMS (read from the gateway stand-in), then session. */
export async function signInGuardian(cloudUrl: string, sms: HttpSink, phone: string): Promise<string> {
  const before = sms.received.length;
  const r = await fetch(`${cloudUrl}/api/parent/otp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone }) });
  if (r.status !== 202) throw new Error(`otp ${r.status}`);
  const msg = await waitFor(() => sms.received.slice(before).find((m) => m.body?.to === phone && m.body?.kind === 'otp'), `code SMS to ${phone}`);
  const code = /(\d{6})/.exec(String(msg.body.text))![1]!;
  const s = await fetch(`${cloudUrl}/api/parent/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone, code }) });
  if (s.status !== 201) throw new Error(`session ${s.status}`);
  return ((await s.json()) as { token: string }).token;
}

export async function parentApi(cloudUrl: string, token: string | null, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${cloudUrl}/api/parent${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const json = await readBody(res);
  return { status: res.status, json };
}

/** The home-school app's API (/api/home), with the parent app's bearer token. */
export async function homeApi(cloudUrl: string, token: string | null, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  return parentApi(cloudUrl.replace(/\/$/, ''), token, method, `/../home${path}`, body);
}
