import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiRouter, jsonBody } from '../../src/http/router.js';
import { errorHandler } from '../../src/http/errors.js';
import { createLogger } from '../../src/core/log.js';
import { ADMIN, ApiClient, startTestEdge } from '../helpers/edge.js';

/**
 * A disabled domain's implementation is loaded only when first needed: the edge starts
 * without it, and its routes, the OpenAPI document or loadDomain load it; its routes then
 * answer as before (503 while it is not running, 400 for a bad body).
 */
describe('domains loaded when first needed', () => {
  let edge: Awaited<ReturnType<typeof startTestEdge>>;
  let admin: ApiClient;
  beforeAll(async () => {
    // Defaults: bus, facilities and energy off; endpoints, access and sync loaded at start.
    edge = await startTestEdge();
    admin = new ApiClient(edge.httpUrl);
    await admin.login(ADMIN.username, ADMIN.password);
  }, 60_000);
  afterAll(async () => edge?.cleanup());

  it('starts with the enabled domains only', () => {
    expect([...edge.domains.keys()].sort()).toEqual(['access', 'endpoints', 'sync']);
    expect(() => edge.energy).toThrow(/loadDomain\('energy'\)/);
  });

  it('a request under a disabled domain\'s routes loads it; it answers that it is not running', async () => {
    const r = await admin.req('GET', '/api/bus/routes');
    expect(r.status).toBe(503);
    expect(r.json.error.code).toBe('bus.not_running');
    expect(r.json.error.message['zh-CN']).toBe('校车功能未启用（bus.enabled）');
    expect(edge.domains.has('bus')).toBe(true);
    // Validation comes first, as for a domain loaded at start; an unknown path stays a 404.
    const bad = await admin.req('PUT', '/api/bus/routes/R1', { unexpected: true });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('request.invalid');
    expect((await admin.req('GET', '/api/bus/no-such-thing')).status).toBe(404);
    // Not started: /healthz lists only the enabled domains.
    const health = (await (await fetch(`${edge.httpUrl}/healthz`)).json()) as { status: string; checks: Record<string, unknown> };
    expect(health.status).toBe('ok');
    expect(Object.keys(health.checks)).not.toContain('domain:bus');
  });

  it('loadDomain loads one for code that runs it itself (the demo\'s energy)', async () => {
    const energy = await edge.loadDomain('energy');
    expect(edge.domains.get('energy')).toBe(energy);
    expect(edge.energy.services).toBeNull();
    await expect(edge.loadDomain('nope')).rejects.toThrow(/no domain named nope/);
  });

  it('the OpenAPI document shows every domain\'s routes', async () => {
    const doc = (await (await fetch(`${edge.httpUrl}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    const prefixes = new Set(Object.keys(doc.paths).map((p) => p.split('/')[2]));
    expect([...prefixes]).toEqual(expect.arrayContaining(['access', 'bus', 'energy', 'endpoints', 'facilities', 'sync']));
    expect(edge.domains.has('facilities')).toBe(true);
  });
});

describe('lazy route groups', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  it('load once, on the first request under their prefix, and refuse a route outside it', async () => {
    const api = new ApiRouter({ cloudOwnsRecords: () => false, session: () => null, audit: () => {} });
    let loads = 0;
    const load = api.lazy('/api/thing', async (sub) => {
      loads++;
      sub.add({ method: 'get', path: '/api/thing/one', summary: 'one', tag: 't', access: 'public', response: z.object({ n: z.number() }), handler: () => ({ n: 1 }) });
      expect(() =>
        sub.add({ method: 'get', path: '/api/other', summary: 'x', tag: 't', access: 'public', response: z.object({}), handler: () => ({}) }),
      ).toThrow(/must live under \/api\/thing\//);
    });
    const app = express();
    app.use('/api', jsonBody(1024));
    api.mount(app);
    app.use(errorHandler(createLogger({ level: 'silent' })));
    const server = createServer(app);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(loads).toBe(0);
    expect(api.openapi({ title: 't', version: '1' })).toMatchObject({ paths: {} });
    const [a, b] = await Promise.all([fetch(`${url}/api/thing/one`), fetch(`${url}/api/thing/one`)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await a.json()).toEqual({ n: 1 });
    await load();
    expect(loads).toBe(1);
    expect(Object.keys((api.openapi({ title: 't', version: '1' }) as { paths: object }).paths)).toEqual(['/api/thing/one']);
  });
});
