import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, EdgeApi } from '../../src/api/client';
import { fetchEvents, signIn } from '../../src/api/endpoints';
import { formErrorText, refusedFields } from '../../src/api/problems';
import * as z from 'zod/mini';

/** A real HTTP server; each test says how it answers. */
let server: Server;
let base = '';
let answer: (req: IncomingMessage, body: string) => { status: number; body?: unknown; raw?: string };
const seen: Array<{ method: string; url: string; csrf: string | undefined; body: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, csrf: req.headers['x-csrf-token'] as string | undefined, body });
      const a = answer(req, body);
      res.statusCode = a.status;
      if (a.raw !== undefined) return res.end(a.raw);
      if (a.body === undefined) return res.end();
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => {
  seen.length = 0;
});

function api(onUnauthorized: () => void = () => undefined, origin = base): EdgeApi {
  // The browser resolves "/api/..." against the page; here we prefix the server's origin.
  return new EdgeApi({ onUnauthorized, fetch: (path, init) => fetch(origin + String(path), init) });
}

const user = { username: 'admin', displayName: '管理员', roles: ['admin'], locale: 'zh-CN' };

describe('EdgeApi', () => {
  it('signs in, then sends the CSRF token on writes but not on reads', async () => {
    answer = (req) => (req.url === '/api/auth/login' ? { status: 200, body: { user, csrfToken: 'tok-1' } } : { status: 200, body: { events: [] } });
    const client = api();
    const session = await signIn(client, 'admin', 'pw');
    expect(session.user.displayName).toBe('管理员');
    expect(JSON.parse(seen[0]!.body)).toEqual({ username: 'admin', password: 'pw' });
    client.setCsrfToken(session.csrfToken);
    await fetchEvents(client, { type: 'access.', before: 'x' });
    answer = () => ({ status: 204 });
    await client.postNoContent('/api/auth/logout');
    expect(seen[1]).toMatchObject({ method: 'GET', url: '/api/events?limit=50&before=x&type=access.', csrf: undefined });
    expect(seen[2]).toMatchObject({ method: 'POST', csrf: 'tok-1' });
  });

  it('turns an error body into an ApiError with both languages and details', async () => {
    answer = () => ({
      status: 429,
      body: { error: { code: 'auth.locked', message: { 'zh-CN': '请 30 秒后再试', en: 'try again in 30 s' }, details: { retryAfterSec: 30 } } },
    });
    const err = await signIn(api(), 'admin', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 429, code: 'auth.locked', text: { en: 'try again in 30 s' }, details: { retryAfterSec: 30 } });
  });

  it('reports a lost session on 401, but not for a wrong password', async () => {
    let lost = 0;
    const client = api(() => lost++);
    answer = () => ({ status: 401, body: { error: { code: 'auth.invalid', message: { 'zh-CN': '错误', en: 'wrong' } } } });
    await expect(signIn(client, 'admin', 'bad')).rejects.toMatchObject({ code: 'auth.invalid' });
    expect(lost).toBe(0);
    await expect(fetchEvents(client, {})).rejects.toMatchObject({ status: 401 });
    expect(lost).toBe(1);
  });

  it('refuses a response that does not match the contract', async () => {
    answer = () => ({ status: 200, body: { events: [{ id: 1 }] } });
    const err = (await fetchEvents(api(), {}).catch((e: unknown) => e)) as ApiError;
    expect(err).toMatchObject({ code: 'panel.unexpected', status: 200 });
    expect(err.text['zh-CN']).toContain('HTTP 200');
  });

  it('explains a non-JSON error page (e.g. a proxy) in both languages', async () => {
    answer = () => ({ status: 502, raw: '<html>Bad Gateway</html>' });
    await expect(fetchEvents(api(), {})).rejects.toMatchObject({ code: 'panel.unexpected', status: 502 });
  });

  it('says the edge cannot be reached when the connection fails', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = (await fetchEvents(api(undefined, `http://127.0.0.1:${port}`), {}).catch((e: unknown) => e)) as ApiError;
    expect(err).toMatchObject({ code: 'panel.network', status: 0 });
    expect(err.text['zh-CN']).toBe('无法连接边缘网关，请检查网络后重试');
  });

  it('sends PUT and DELETE with the CSRF token and parses the PUT answer', async () => {
    answer = (req, body) => (req.method === 'PUT' ? { status: 200, body: { schedule: { id: 'evening', echo: JSON.parse(body) } } } : { status: 204 });
    const client = api();
    client.setCsrfToken('tok-2');
    const saved = await client.put('/api/energy/schedules/evening', z.object({ schedule: z.object({ id: z.string() }) }), { name: '晚间关灯' });
    expect(saved).toEqual({ schedule: { id: 'evening' } });
    await client.delete('/api/energy/schedules/evening');
    expect(seen.map((r) => [r.method, r.url, r.csrf])).toEqual([
      ['PUT', '/api/energy/schedules/evening', 'tok-2'],
      ['DELETE', '/api/energy/schedules/evening', 'tok-2'],
    ]);
    expect(JSON.parse(seen[0]!.body)).toEqual({ name: '晚间关灯' });
  });

  it('keeps the edge’s specific message for a refused DELETE', async () => {
    answer = () => ({ status: 404, body: { error: { code: 'not_found', message: { 'zh-CN': '没有找到：预约 7', en: 'Not found: booking 7' } } } });
    await expect(api().delete('/api/energy/bookings/7')).rejects.toMatchObject({ status: 404, code: 'not_found', text: { 'zh-CN': '没有找到：预约 7' } });
  });

  it('returns the body of a status the caller expects as an answer, and still reports other errors', async () => {
    const report = z.object({ ok: z.boolean() });
    answer = () => ({ status: 422, body: { ok: false } });
    expect(await api().post('/x', report, {}, { answerStatuses: [422] })).toEqual({ ok: false });
    // Without asking for it, the same 422 is a failure.
    await expect(api().post('/x', report, {})).rejects.toMatchObject({ status: 422, code: 'panel.unexpected' });
    // An expected status whose body is an error body is that error.
    answer = () => ({ status: 422, body: { error: { code: 'access.roster.empty', message: { 'zh-CN': '名单是空的', en: 'The roster is empty' } } } });
    await expect(api().post('/x', report, {}, { answerStatuses: [422] })).rejects.toMatchObject({ status: 422, code: 'access.roster.empty' });
  });

  it('fetches the current CSRF token once and retries a write refused for a stale one', async () => {
    answer = (req) => {
      if (req.url === '/api/auth/me') return { status: 200, body: { user, csrfToken: 'tok-new' } };
      if (req.headers['x-csrf-token'] !== 'tok-new') return { status: 403, body: { error: { code: 'auth.csrf', message: { 'zh-CN': '令牌无效', en: 'bad token' } } } };
      return { status: 200, body: { ok: true } };
    };
    const client = api();
    client.setCsrfToken('tok-old');
    expect(await client.post('/api/access/leaves', z.object({ ok: z.boolean() }), {})).toEqual({ ok: true });
    expect(seen.map((r) => [r.method, r.url, r.csrf])).toEqual([
      ['POST', '/api/access/leaves', 'tok-old'],
      ['GET', '/api/auth/me', undefined],
      ['POST', '/api/access/leaves', 'tok-new'],
    ]);
    // A token the edge refuses again is not retried forever.
    seen.length = 0;
    answer = (req) => (req.url === '/api/auth/me' ? { status: 200, body: { user, csrfToken: 'tok-x' } } : { status: 403, body: { error: { code: 'auth.csrf', message: { 'zh-CN': '令牌无效', en: 'bad token' } } } });
    await expect(client.post('/api/access/leaves', z.object({ ok: z.boolean() }), {})).rejects.toMatchObject({ status: 403, code: 'auth.csrf' });
    expect(seen.filter((r) => r.method === 'POST')).toHaveLength(2);
  });
});

describe('form error texts', () => {
  const invalid = {
    error: {
      code: 'request.invalid',
      message: { 'zh-CN': '请求内容不符合要求：reason: Too small', en: 'The request is invalid: reason: Too small' },
      details: [
        { path: 'reason', message: 'Too small' },
        { path: 'gates.0', message: 'Invalid' },
        { path: 'gates.1', message: 'Invalid' },
      ],
    },
  };

  it('names the refused fields by their form labels, in the user’s language', async () => {
    answer = () => ({ status: 400, body: invalid });
    const err = (await api().post('/x', z.object({}), {}).catch((e: unknown) => e)) as ApiError;
    expect(refusedFields(err)).toEqual(['reason', 'gates.0', 'gates.1']);
    expect(formErrorText(err, 'zh-CN', { reason: '请假原因', gates: '可用闸机' })).toBe('以下内容不符合要求，请检查后重试：请假原因、可用闸机');
    expect(formErrorText(err, 'en', { reason: 'Reason', gates: 'Gates' })).toBe('Check these fields and try again: Reason, Gates');
    // Fields the form does not know: the edge's own sentence.
    expect(formErrorText(err, 'zh-CN', {})).toBe('请求内容不符合要求：reason: Too small');
  });

  it('shows the edge’s sentence for a rule it checked, e.g. a cloud-owned record', async () => {
    answer = () => ({
      status: 409,
      body: { error: { code: 'sync.cloud_owned', message: { 'zh-CN': '请假记录由云端统一管理，请在云端修改', en: 'Leaves are managed in the cloud' } } },
    });
    const err = (await api().post('/api/access/leaves', z.object({}), {}).catch((e: unknown) => e)) as ApiError;
    expect(refusedFields(err)).toEqual([]);
    expect(formErrorText(err, 'zh-CN', { reason: '请假原因' })).toBe('请假记录由云端统一管理，请在云端修改');
  });
});
