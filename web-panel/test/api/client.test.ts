import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, EdgeApi } from '../../src/api/client';
import { fetchEvents, signIn } from '../../src/api/endpoints';

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
});
