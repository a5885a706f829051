import { afterAll, describe, expect, it } from 'vitest';
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { ApiRouter, jsonBody, NoContent } from '../../src/http/router.js';
import { errorHandler } from '../../src/http/errors.js';
import { createLogger } from '../../src/core/log.js';

/**
 * Ownership is declared per route and enforced in the router (one place, no URL
 * patterns): every write states its owner, and a record the cloud owns is refused with
 * 409 while cloud sync is on — unless the route says this record is the edge's own.
 */
describe('route ownership in the router', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  it('refuses to declare a write route without an owner', () => {
    const api = new ApiRouter({ cloudOwnsRecords: () => false, session: () => null, audit: () => {} });
    expect(() => api.add({ method: 'post', path: '/api/x', summary: 'x', tag: 't', access: 'public', response: NoContent, handler: () => undefined })).toThrow(/must declare its owner/);
    expect(() => api.add({ method: 'get', path: '/api/x', summary: 'x', tag: 't', access: 'public', response: NoContent, handler: () => undefined })).not.toThrow();
  });

  async function serve(cloud: boolean): Promise<{ url: string; writes: string[] }> {
    const writes: string[] = [];
    const api = new ApiRouter({ cloudOwnsRecords: () => cloud, session: () => null, audit: () => {} });
    const Body = z.strictObject({ id: z.number().int() });
    api.add({ method: 'post', path: '/api/people', summary: 'p', tag: 't', access: 'public', owner: { cloud: 'people' }, body: Body, response: NoContent, handler: ({ body }) => void writes.push(`person ${body.id}`) });
    api.add({
      method: 'post',
      path: '/api/leaves/:id/cancel',
      summary: 'l',
      tag: 't',
      access: 'public',
      // Odd ids were registered at the gate office (the edge's own); even ones came from the cloud.
      owner: { cloud: 'leaves', unless: ({ params }) => params.id % 2 === 1 },
      params: z.strictObject({ id: z.coerce.number().int() }),
      response: NoContent,
      handler: ({ params }) => void writes.push(`cancel ${params.id}`),
    });
    api.add({ method: 'post', path: '/api/gates/open', summary: 'g', tag: 't', access: 'public', owner: 'edge', response: NoContent, handler: () => void writes.push('open') });
    const app = express();
    app.use('/api', jsonBody(1024));
    api.mount(app);
    app.use(errorHandler(createLogger({ level: 'silent' })));
    const server = createServer(app);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, writes };
  }

  const post = (url: string, body: unknown = {}) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('with the cloud on: cloud-owned writes get 409 saying where to change them; the edge’s own records stay writable', async () => {
    const { url, writes } = await serve(true);
    const r = await post(`${url}/api/people`, { id: 1 });
    expect(r.status).toBe(409);
    const body = (await r.json()) as { error: { code: string; message: Record<string, string> } };
    expect(body.error.code).toBe('sync.cloud_owned');
    expect(body.error.message['zh-CN']).toContain('云端');
    expect(body.error.message.en).toContain('cloud');
    expect((await post(`${url}/api/leaves/2/cancel`)).status).toBe(409);
    expect((await post(`${url}/api/leaves/3/cancel`)).status).toBe(204);
    expect((await post(`${url}/api/gates/open`)).status).toBe(204);
    expect(writes).toEqual(['cancel 3', 'open']);
  });

  it('standalone: the edge owns everything', async () => {
    const { url, writes } = await serve(false);
    expect((await post(`${url}/api/people`, { id: 1 })).status).toBe(204);
    expect((await post(`${url}/api/leaves/2/cancel`)).status).toBe(204);
    expect(writes).toEqual(['person 1', 'cancel 2']);
  });

  it('the OpenAPI document shows each write route’s owner', () => {
    const api = new ApiRouter({ cloudOwnsRecords: () => true, session: () => null, audit: () => {} });
    api.add({ method: 'post', path: '/api/people', summary: 'p', tag: 't', access: 'public', owner: { cloud: 'people' }, response: NoContent, handler: () => undefined });
    const doc = api.openapi({ title: 't', version: '1' }) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    expect(doc.paths['/api/people']!.post!['x-owner']).toBe('cloud:people');
  });
});
