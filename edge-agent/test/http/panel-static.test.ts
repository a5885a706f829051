import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync } from 'node:zlib';
import { ASSET_CACHE, chooseEncoding, INDEX_CACHE, panelStatic } from '../../src/http/panel-static.js';

/**
 * The built panel as a slow phone needs it: hashed assets cached for a year, index.html
 * revalidated, text compressed (brotli or gzip as accepted; the build's precompressed
 * files when current). A real express server on port 0 over a real folder.
 */
describe('panel static files', () => {
  let dir: string;
  let server: Server;
  let port: number;
  const script = `export const greeting = ${JSON.stringify('你好，门岗 '.repeat(400))};\n`;
  const html = `<!doctype html><html><head><title>智慧校园</title></head><body>${'<div></div>'.repeat(200)}</body></html>`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'campus-panel-static-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), html);
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), script);
    writeFileSync(join(dir, 'assets', 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    writeFileSync(join(dir, 'secret.txt'), 'outside');
    const app = express();
    app.use(panelStatic(join(dir)));
    app.use(express.static(dir, { index: 'index.html', cacheControl: false }));
    app.use((_req, res) => res.status(404).send('not found'));
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('sends a hashed asset brotli-compressed and cached for a year', async () => {
    const r = await get('/assets/index-abc123.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('br');
    expect(r.headers['cache-control']).toBe(ASSET_CACHE);
    expect(r.headers['vary']).toBe('Accept-Encoding');
    expect(r.headers['content-type']).toMatch(/^text\/javascript/);
    expect(brotliDecompressSync(r.body).toString('utf8')).toBe(script);
    expect(r.body.length).toBeLessThan(Buffer.byteLength(script) / 5);
  });

  it('sends gzip to a browser without brotli, and the plain file to one that accepts neither', async () => {
    const gz = await get('/assets/index-abc123.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString('utf8')).toBe(script);
    const plain = await get('/assets/index-abc123.js', { 'accept-encoding': 'br;q=0, gzip;q=0' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString('utf8')).toBe(script);
    expect(Number(plain.headers['content-length'])).toBe(Buffer.byteLength(script));
  });

  it('revalidates index.html (no-cache, ETag, 304) at / and by name', async () => {
    const first = await get('/', { 'accept-encoding': 'gzip' });
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe(INDEX_CACHE);
    expect(gunzipSync(first.body).toString('utf8')).toBe(html);
    const etag = first.headers['etag'];
    expect(etag).toBeTruthy();
    const again = await get('/index.html', { 'if-none-match': etag!, 'accept-encoding': 'gzip' });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers['cache-control']).toBe(INDEX_CACHE);
  });

  it("uses the build's precompressed file when it is current, not when it is older than the file", async () => {
    const marker = brotliCompressSync(Buffer.from('/* from the build */'));
    writeFileSync(join(dir, 'index.html.br'), marker);
    const fresh = await get('/index.html', { 'accept-encoding': 'br' });
    expect(brotliDecompressSync(fresh.body).toString('utf8')).toBe('/* from the build */');
    // The page was rebuilt after its .br: the stale copy is ignored.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'index.html'), later, later);
    const rebuilt = await get('/index.html', { 'accept-encoding': 'br' });
    expect(brotliDecompressSync(rebuilt.body).toString('utf8')).toBe(html);
  });

  it('answers HEAD with the headers and no body', async () => {
    const r = await get('/assets/index-abc123.js', { 'accept-encoding': 'br' }, 'HEAD');
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('br');
    expect(Number(r.headers['content-length'])).toBeGreaterThan(0);
    expect(r.body.length).toBe(0);
  });

  it('leaves images to express.static with the asset cache rule, and unknown or escaping paths to the next handler', async () => {
    const png = await get('/assets/logo.png', { 'accept-encoding': 'br' });
    expect(png.status).toBe(200);
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.headers['cache-control']).toBe(ASSET_CACHE);
    expect((await get('/assets/missing-xyz.js')).status).toBe(404);
    expect((await get('/assets/%2e%2e/%2e%2e/etc/passwd')).status).toBe(404);
    expect((await get('/assets/%E0%A4%A')).status).toBe(404);
  });

  it('prefers brotli, honours q=0 and a wildcard', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('br;q=0, gzip')).toBe('gzip');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('*;q=0')).toBe('identity');
    expect(chooseEncoding(undefined)).toBe('identity');
    expect(chooseEncoding('identity')).toBe('identity');
  });
});
