import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import { ADMIN, ApiClient, startTestEdge, waitFor } from './helpers/edge.js';

type TestEdge = Awaited<ReturnType<typeof startTestEdge>>;

const GUARD = { username: 'guard1', password: 'guard-password-1', roles: ['security' as const] };
const FACILITY = { username: 'facility1', password: 'facility-pass-1', roles: ['facility' as const] };

describe('HTTP API', () => {
  let edge: TestEdge;
  let admin: ApiClient;

  beforeAll(async () => {
    edge = await startTestEdge({ auth: { maxFailedLogins: 3, lockoutSeconds: 60, bootstrapAdmin: { username: ADMIN.username, password: ADMIN.password } } }, { users: [GUARD, FACILITY] });
    admin = new ApiClient(edge.httpUrl);
    expect((await admin.login(ADMIN.username, ADMIN.password)).status).toBe(200);
  });
  afterAll(async () => edge.cleanup());

  it('/healthz, /metrics and /api/openapi.json answer without sign-in', async () => {
    const h = await fetch(`${edge.httpUrl}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({ status: 'ok' });
    const m = await (await fetch(`${edge.httpUrl}/metrics`)).text();
    expect(m).toContain('campus_edge_events_appended_total');
    expect(m).toContain('campus_edge_mqtt_clients_connected');
    expect(m).toContain('campus_edge_store_events');
    const doc = (await (await fetch(`${edge.httpUrl}/api/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/auth/login', '/api/events', '/api/devices', '/api/users/{id}']));
  });

  it('requires sign-in for /api and sets an HttpOnly SameSite=Strict cookie', async () => {
    const anon = new ApiClient(edge.httpUrl);
    const r = await anon.req('GET', '/api/events');
    expect(r.status).toBe(401);
    expect(r.json.error.code).toBe('auth.required');
    expect(r.json.error.message['zh-CN']).toBe('请先登录');
    const raw = await fetch(`${edge.httpUrl}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: GUARD.username, password: GUARD.password }) });
    const cookie = raw.headers.get('set-cookie')!;
    expect(cookie).toMatch(/campus_sid=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
  });

  it('answers malformed JSON and schema-invalid bodies with 400 and a message, on every write route', async () => {
    const doc = (await (await fetch(`${edge.httpUrl}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    let checked = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        if (!op.requestBody) continue;
        const url = path.replace(/\{(\w+)\}/g, '1');
        const bad = await admin.req(method.toUpperCase(), url, '{"username": ', {});
        expect(bad.status, `${method} ${path} malformed`).toBe(400);
        expect(bad.json.error.code).toBe('request.malformed_json');
        expect(bad.json.error.message.en).toMatch(/not valid JSON/);
        // `null` is valid JSON, just not an object: said so, not called malformed.
        const nul = await admin.req(method.toUpperCase(), url, 'null', {});
        expect(nul.status, `${method} ${path} null`).toBe(400);
        expect(nul.json.error.code).toBe('request.not_object');
        expect(nul.json.error.message['zh-CN']).toBe('请求内容须为 JSON 对象，收到的是：null');
        expect(nul.json.error.message.en).not.toMatch(/not valid JSON/);
        const invalid = await admin.req(method.toUpperCase(), url, { unexpected: [1, 2, 3] });
        expect(invalid.status, `${method} ${path} invalid`).toBe(400);
        expect(invalid.json.error.code).toBe('request.invalid');
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
    const huge = await admin.req('POST', '/api/users', JSON.stringify({ username: 'x', pad: 'y'.repeat(2_000_000) }));
    expect(huge.status).toBe(413);
  });

  it('rejects writes without the CSRF token', async () => {
    const r = await admin.req('POST', '/api/users', { username: 'nocsrf', displayName: 'x', password: 'long-enough-pw', roles: ['it'] }, { 'x-csrf-token': 'forged' });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('auth.csrf');
  });

  it('enforces roles: a guard may not manage users or devices', async () => {
    const guard = new ApiClient(edge.httpUrl);
    await guard.login(GUARD.username, GUARD.password);
    expect((await guard.req('GET', '/api/users')).status).toBe(403);
    expect((await guard.req('GET', '/api/devices')).status).toBe(403);
    expect((await guard.req('POST', '/api/devices', { clientId: 'x1', role: 'device', displayName: 'x' })).status).toBe(403);
    expect((await guard.req('GET', '/api/events')).status).toBe(200);
  });

  it('audits every write: who, what, when — with secrets hidden', async () => {
    const r = await admin.req('POST', '/api/users', { username: 'it-wang', displayName: '王老师', password: 'it-password-123', roles: ['it'] });
    expect(r.status).toBe(201);
    const d = await admin.req('POST', '/api/devices', { clientId: 'pc-lab-02', role: 'pc-agent', displayName: '机房2号' });
    expect(d.status).toBe(201);
    expect(d.json.password).toMatch(/.{20,}/);
    const audit = await admin.req('GET', '/api/audit');
    const entries = audit.json.entries as Array<{ actor: string; action: string; at: number; detail: { body: Record<string, unknown> } }>;
    const create = entries.find((e) => e.action === 'user.create')!;
    expect(create.actor).toBe(ADMIN.username);
    expect(create.at).toBeGreaterThan(0);
    expect(create.detail.body.password).toBe('[HIDDEN]');
    expect(JSON.stringify(entries)).not.toContain('it-password-123');
    expect(entries.some((e) => e.action === 'mqtt.client.upsert')).toBe(true);
  });

  it('locks out brute force, even for the right password, and records it', async () => {
    const c = new ApiClient(edge.httpUrl);
    for (let i = 0; i < 3; i++) expect((await c.login(FACILITY.username, 'wrong-guess-' + i)).status).toBe(401);
    const locked = await c.login(FACILITY.username, FACILITY.password);
    expect(locked.status).toBe(429);
    expect(locked.json.error.code).toBe('auth.locked');
    expect(locked.json.error.details.retryAfterSec).toBeGreaterThan(0);
    expect(locked.json.error.message['zh-CN']).toMatch(/秒后再试/);
    const ev = edge.store.events.list({ typePrefix: 'security.login' });
    expect(ev.some((e) => e.reason === 'login.failed')).toBe(true);
    expect(ev.some((e) => e.reason === 'login.locked')).toBe(true);
  });

  it('pushes new events live over socket.io, filtered by role', async () => {
    const guard = new ApiClient(edge.httpUrl);
    await guard.login(GUARD.username, GUARD.password);
    const facility = new ApiClient(edge.httpUrl);
    // Facility was locked out in the previous test from this address; use a fresh user.
    await admin.req('POST', '/api/users', { username: 'facility2', displayName: '后勤', password: 'facility-pass-2', roles: ['facility'] });
    await facility.login('facility2', 'facility-pass-2');
    const seen: Record<string, string[]> = { guard: [], facility: [] };
    const sockets = [
      ['guard', guard],
      ['facility', facility],
    ].map(([name, c]) => {
      const s = ioClient(edge.httpUrl, { transports: ['websocket'], extraHeaders: { cookie: (c as ApiClient).cookie }, reconnection: false });
      s.on('event', (e: { type: string }) => seen[name as string]!.push(e.type));
      return s;
    });
    await Promise.all(sockets.map((s) => new Promise((r) => s.on('connect', r))));
    edge.appendEvent({ type: 'access.decision', reason: 'demo.note', source: 'test', data: { text: 'gate' } });
    edge.appendEvent({ type: 'energy.alarm', reason: 'demo.note', source: 'test', data: { text: 'power' } });
    await waitFor(() => seen.guard!.includes('access.decision') && seen.facility!.includes('energy.alarm'));
    expect(seen.guard).not.toContain('energy.alarm');
    expect(seen.facility).not.toContain('access.decision');
    // An anonymous socket is refused.
    const anon = ioClient(edge.httpUrl, { transports: ['websocket'], reconnection: false });
    const err = await new Promise<Error>((r) => anon.on('connect_error', r));
    expect(err.message).toBe('auth.required');
    for (const s of [...sockets, anon]) s.close();
  });

  it('lists events newest first with bilingual texts, filtered by role', async () => {
    const guard = new ApiClient(edge.httpUrl);
    await guard.login(GUARD.username, GUARD.password);
    const r = await guard.req('GET', '/api/events?limit=5');
    expect(r.status).toBe(200);
    const events = r.json.events as Array<{ type: string; text: { 'zh-CN': string; en: string } }>;
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => !e.type.startsWith('energy.') && !e.type.startsWith('security.'))).toBe(true);
    expect(events[0]!.text['zh-CN']).toBeTruthy();
    const bad = await guard.req('GET', '/api/events?limit=abc');
    expect(bad.status).toBe(400);
  });
});
