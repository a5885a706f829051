import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, EdgeApi } from '../../src/api/client';
import { ROSTER_IMPORT_PATH, uploadRoster } from '../../src/api/access-roster';

/** A real HTTP server standing in for the edge; each test says how it answers the import. */
let server: Server;
let base = '';
let answer: (req: IncomingMessage, body: string) => { status: number; body?: unknown };
const seen: Array<{ method: string; url: string; csrf: string | undefined; body: string }> = [];
const user = { username: 'admin', displayName: '管理员', roles: ['admin'], locale: 'zh-CN' };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, csrf: req.headers['x-csrf-token'] as string | undefined, body });
      const a = req.url === '/api/auth/me' ? { status: 200, body: { user, csrfToken: 'tok-7' } } : answer(req, body);
      res.statusCode = a.status;
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

const originFetch: typeof fetch = (path, init) => fetch(base + String(path), init);
/** A signed-in client: it holds the token the sign-in returned. */
function api(fetchImpl: typeof fetch = originFetch): EdgeApi {
  const client = new EdgeApi({ onUnauthorized: () => undefined, fetch: fetchImpl });
  client.setCsrfToken('tok-7');
  return client;
}
const upload = { fileName: '初一名单.csv', contentBase64: Buffer.from('学号,姓名\n1,张三').toString('base64'), dryRun: true };

const problem = { row: 3, column: '身份', code: 'access.roster.bad_role', message: { 'zh-CN': '第 3 行的身份「学升」不认识', en: 'Row 3: role "学升" is unknown' } };
const report = (ok: boolean) => ({ ok, imported: false, total: 6, created: 0, updated: 0, guardianLinks: 0, errors: ok ? [] : [problem], warnings: [] });

describe('uploadRoster', () => {
  it('sends the file with the session’s CSRF token and returns a clean report', async () => {
    answer = () => ({ status: 200, body: report(true) });
    const r = await uploadRoster(api(), upload);
    expect(r).toEqual(report(true));
    expect(seen).toHaveLength(1);
    const post = seen.find((s) => s.url === ROSTER_IMPORT_PATH)!;
    expect(post).toMatchObject({ method: 'POST', csrf: 'tok-7' });
    expect(JSON.parse(post.body)).toEqual(upload);
  });

  it('returns the row-level report of an invalid file (422) instead of losing it', async () => {
    answer = () => ({ status: 422, body: report(false) });
    const r = await uploadRoster(api(), upload);
    expect(r.ok).toBe(false);
    expect(r.errors[0]!.message['zh-CN']).toBe('第 3 行的身份「学升」不认识');
  });

  it('turns an error body into a bilingual ApiError', async () => {
    answer = () => ({ status: 413, body: { error: { code: 'request.too_large', message: { 'zh-CN': '请求太大', en: 'Request too large' } } } });
    const err = await uploadRoster(api(), upload).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 413, code: 'request.too_large', text: { 'zh-CN': '请求太大' } });
  });

  it('refuses an answer that is neither a report nor an error', async () => {
    answer = () => ({ status: 200, body: { imported: 'maybe' } });
    const err = await uploadRoster(api(), upload).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'panel.unexpected', status: 200 });
  });

  it('says the edge is unreachable when the network fails', async () => {
    const broken: typeof fetch = () => Promise.reject(new TypeError('fetch failed'));
    const err = await uploadRoster(api(broken), upload).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'panel.network', status: 0 });
  });
});
