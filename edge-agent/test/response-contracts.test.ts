import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiRouter, NoContent, jsonBody } from '../src/http/router.js';
import { errorHandler } from '../src/http/errors.js';
import { createLogger } from '../src/core/log.js';
import '../src/http/messages.js';
import { startTestEdge } from './helpers/edge.js';

type Operation = { responses: Record<string, { description: string; content?: Record<string, { schema?: { type?: string; properties?: object; anyOf?: unknown[] } }> }> };

describe('every edge route declares its response schema', () => {
  let edge: Awaited<ReturnType<typeof startTestEdge>>;
  beforeAll(async () => {
    edge = await startTestEdge();
  }, 60_000);
  afterAll(async () => edge?.cleanup());

  it('the OpenAPI document shows a response schema for every operation', async () => {
    const doc = (await (await fetch(`${edge.httpUrl}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, Operation>> };
    const missing: string[] = [];
    const prefixes = new Set<string>();
    let operations = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        operations++;
        prefixes.add(path.split('/')[2]!);
        const [status, ok] = Object.entries(op.responses).find(([s]) => s.startsWith('2'))!;
        if (status === '204' && ok.description === 'No content' && !ok.content) continue;
        const contents = Object.entries(ok.content ?? {});
        const schema = contents[0]?.[1].schema;
        const described = contents[0]?.[0] === 'application/json' ? Boolean(schema && (schema.properties || schema.anyOf || schema.type)) : schema?.type === 'string';
        if (!described) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(missing).toEqual([]);
    // Every domain's routes are in the document (endpoints, access, energy, sync and the core ones).
    expect([...prefixes]).toEqual(expect.arrayContaining(['auth', 'events', 'system', 'users', 'devices', 'audit', 'access', 'energy', 'endpoints', 'sync']));
    expect(operations).toBeGreaterThanOrEqual(80);
    const people = doc.paths['/api/access/people']!.get!.responses['200']!.content!['application/json']!.schema as { properties: Record<string, unknown> };
    expect(Object.keys(people.properties)).toEqual(['total', 'people']);
    expect(doc.paths['/api/access/calendar/days/{date}']!.delete!.responses['204']).toEqual({ description: 'No content' });
  });
});

describe('a handler whose answer drifts from its schema', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  async function serve(validateResponses?: boolean): Promise<string> {
    const api = new ApiRouter({ cloudOwnsRecords: () => false, session: () => null, audit: () => {} }, validateResponses === undefined ? {} : { validateResponses });
    const Answer = z.object({ count: z.number().int(), names: z.array(z.string()) });
    api.add({ method: 'get', path: '/api/good', summary: 'good', tag: 't', access: 'public', response: Answer, handler: () => ({ count: 1, names: ['甲'] }) });
    // What a refactor that renamed a field would send; the cast stands for code the type check did not see.
    api.add({ method: 'get', path: '/api/drifted', summary: 'drifted', tag: 't', access: 'public', response: Answer, handler: () => ({ count: 1, name: ['甲'] }) as never });
    api.add({ method: 'delete', path: '/api/thing', summary: 'none', tag: 't', access: 'public', owner: 'edge', response: NoContent, handler: () => undefined });
    const app = express();
    app.use('/api', jsonBody(1024));
    api.mount(app);
    app.use(errorHandler(createLogger({ level: 'silent' })));
    const server = createServer(app);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('fails the request under test, naming the route and the field', async () => {
    const url = await serve(true);
    const good = await fetch(`${url}/api/good`);
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ count: 1, names: ['甲'] });
    expect((await fetch(`${url}/api/thing`, { method: 'DELETE' })).status).toBe(204);
    const bad = await fetch(`${url}/api/drifted`);
    expect(bad.status).toBe(500);
    const body = (await bad.json()) as { error: { code: string; message: { 'zh-CN': string; en: string }; details: Array<{ path: string }> } };
    expect(body.error.code).toBe('response_contract');
    expect(body.error.message['zh-CN']).toContain('GET /api/drifted');
    expect(body.error.details.map((d) => d.path)).toEqual(['names']);
  });

  it('is sent unchecked in production', async () => {
    const url = await serve(false);
    const r = await fetch(`${url}/api/drifted`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ count: 1, name: ['甲'] });
  });

  it('is checked by default when NODE_ENV is test (vitest sets it), unchecked by default otherwise', async () => {
    expect(process.env.NODE_ENV).toBe('test');
    expect((await fetch(`${await serve()}/api/drifted`)).status).toBe(500);
    process.env.NODE_ENV = 'production';
    try {
      expect((await fetch(`${await serve()}/api/drifted`)).status).toBe(200);
    } finally {
      process.env.NODE_ENV = 'test';
    }
  });
});
