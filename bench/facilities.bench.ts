/**
 * Issue 14 benchmarks on a real edge (HTTP, SQLite, socket.io): a checkpoint scan → red
 * result on the supervisor's live view with 50 inspectors at once (inspect.red.live.p95),
 * the asset ledger import of 20,000 rows (asset.import.20k), and a stock-take of those
 * 20,000 assets by 10 concurrent scanners, each scan a request (stocktake.scan.p99), then
 * its final report (stocktake.report). photo.stored.kb is measured in
 * facilities-photo.bench.ts (Chromium resizes, as the phones do; the edge has no image codec).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { io as ioClient } from 'socket.io-client';
import { report, percentile } from './lib.js';
import { startEdge } from '../edge-agent/src/edge.js';
import { writeWorkbook } from '@campus/protocol/sheets/xlsx';
import type { FacilitiesDomain } from '../edge-agent/src/facilities/domain.js';

const PW = 'bench-password-1';
const dir = mkdtempSync(join(tmpdir(), 'campus-bench-fac-'));
const INSPECTORS = 50;
const SCANNERS = 10;
const ASSETS = 20_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- API answers of several shapes, read field by field
type Json = any;

class Client {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}
  async req(method: string, path: string, body?: unknown, raw?: { type: string; bytes: Uint8Array }): Promise<{ status: number; json: Json }> {
    const headers: Record<string, string> = { cookie: this.cookie };
    if (method !== 'GET') headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (raw) headers['content-type'] = raw.type;
    const res = await fetch(this.base + path, { method, headers, body: raw ? raw.bytes : body === undefined ? undefined : JSON.stringify(body) });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    return { status: res.status, json: await res.json().catch(() => null) };
  }
  async login(username: string): Promise<void> {
    const r = await this.req('POST', '/api/auth/login', { username, password: PW });
    if (r.status !== 200) throw new Error(`login ${username}: ${r.status}`);
    this.csrf = r.json.csrfToken;
  }
}

const users = [
  { username: 'boss', password: PW, roles: ['facility' as const] },
  ...Array.from({ length: INSPECTORS }, (_, i) => ({ username: `insp${i}`, password: PW, roles: ['staff' as const] })),
];
const edge = await startEdge(
  {
    dataDir: dir,
    log: { level: 'silent' },
    http: { host: '127.0.0.1', port: 0, panelDir: join(dir, 'no-panel') },
    mqtt: { host: '127.0.0.1', port: 0 },
    clock: { trust: 'always' },
    auth: { bootstrapAdmin: { username: 'admin', password: PW }, maxFailedLogins: 1000 },
    facilities: { enabled: true, supervisors: ['boss'], rota: [{ category: '*', assignee: 'boss' }] },
  },
  { logger: pino({ level: 'silent' }), users },
);
try {
  const boss = new Client(edge.httpUrl);
  await boss.login('boss');
  const inspectors = await Promise.all(users.slice(1).map(async (u) => {
    const c = new Client(edge.httpUrl);
    await c.login(u.username);
    return c;
  }));

  // ---- inspect.red.live.p95: 50 inspectors scan 50 checkpoints of one open round at once ----
  const tags: string[] = [];
  for (let i = 0; i < INSPECTORS; i++) {
    const r = await boss.req('PUT', `/api/facilities/checkpoints/cp${i}`, { name: `检查点${i}`, building: 'teach', place: `位置${i}`, checklist: [{ id: 'ok', kind: 'check', label: '正常' }] });
    tags.push(r.json.tag);
  }
  await boss.req('PUT', '/api/facilities/rounds/storm', { name: '台风巡检', checkpoints: tags.map((_, i) => `cp${i}`), days: 'none', window: { from: '00:00', until: '24:00' } });
  await boss.req('POST', '/api/facilities/rounds/storm/extra', { minutes: 60 });
  const live = ioClient(edge.httpUrl, { transports: ['websocket'], extraHeaders: { cookie: boss.cookie }, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    live.once('connect', () => resolve());
    live.once('connect_error', reject);
  });
  const sentAt = new Map<string, number>();
  const lat: number[] = [];
  const allSeen = new Promise<void>((resolve) => {
    live.on('event', (e: { type: string; data: { checkpointId: string; result: string } }) => {
      if (e.type !== 'facilities.inspection.checkpoint' || e.data.result !== 'red') return;
      lat.push(performance.now() - sentAt.get(e.data.checkpointId)!);
      if (lat.length === INSPECTORS) resolve();
    });
  });
  await Promise.all(
    inspectors.map((c, i) => {
      sentAt.set(`cp${i}`, performance.now());
      return c.req('POST', '/api/facilities/inspections', { tag: tags[i], answers: [{ item: 'ok', pass: false }] });
    }),
  );
  await allSeen;
  live.close();
  lat.sort((a, b) => a - b);
  report({ name: 'inspect.red.live.p95', metric: `scan request sent → red result on the supervisor's socket.io, ${INSPECTORS} inspectors at once (each red opens a work order)`, value: Number((percentile(lat, 95) / 1000).toFixed(3)), unit: 's', target: '<= 1', p50: Number((percentile(lat, 50) / 1000).toFixed(3)) });

  // ---- asset.import.20k ----
  const rows: Array<Array<string | number>> = [['资产编号', '名称', '类别', '购置日期', '原值', '楼宇', '房间']];
  for (let i = 0; i < ASSETS; i++) rows.push([`AS-${String(i).padStart(5, '0')}`, '课桌椅', i % 5 ? 'furniture' : 'computer', '2024-09-01', 300 + (i % 700), 'teach', `r${Math.floor(i / 40)}`]);
  const book = await writeWorkbook([{ name: '资产台账', rows }]);
  let t0 = performance.now();
  const imp = await boss.req('POST', '/api/facilities/assets/import', undefined, { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', bytes: new Uint8Array(book) });
  const importS = (performance.now() - t0) / 1000;
  if (imp.json?.imported !== ASSETS) throw new Error(`import: ${JSON.stringify(imp.json).slice(0, 300)}`);
  report({ name: 'asset.import.20k', metric: `POST of a ${Math.round(book.length / 1024)} KB .xlsx ledger with ${ASSETS} rows until all are stored`, value: Number(importS.toFixed(2)), unit: 's', target: '<= 10' });

  // ---- stocktake.scan.p99 and stocktake.report: 10 scanners, each scan a request ----
  const st = (await boss.req('POST', '/api/facilities/stocktakes', { name: '期末盘点', building: 'teach' })).json.stocktake;
  const signer = (edge.domains.get('facilities') as FacilitiesDomain).services!.tags;
  const scanners = inspectors.slice(0, SCANNERS);
  const scanLat: number[] = [];
  // Every 100th asset stays unscanned (missing); every 50th is scanned in the next room (moved).
  const codes = Array.from({ length: ASSETS }, (_, i) => i).filter((i) => i % 100 !== 99);
  t0 = performance.now();
  await Promise.all(
    scanners.map(async (c, k) => {
      for (let j = k; j < codes.length; j += SCANNERS) {
        const i = codes[j]!;
        const room = `r${Math.floor(i / 40) + (i % 50 === 0 ? 1 : 0)}`;
        const s = performance.now();
        const r = await c.req('POST', `/api/facilities/stocktakes/${st.id}/scans`, { room, tag: signer.sign('as', `AS-${String(i).padStart(5, '0')}`) });
        scanLat.push(performance.now() - s);
        if (r.status !== 200) throw new Error(`scan ${i}: ${r.status}`);
      }
    }),
  );
  const scanWall = (performance.now() - t0) / 1000;
  scanLat.sort((a, b) => a - b);
  report({ name: 'stocktake.scan.p99', metric: `per-scan request latency p99, ${codes.length} scans by ${SCANNERS} concurrent scanners (${Math.round(codes.length / scanWall)} scans/s)`, value: Number(percentile(scanLat, 99).toFixed(2)), unit: 'ms', target: '<= 50', p50: Number(percentile(scanLat, 50).toFixed(2)) });
  t0 = performance.now();
  const rep = await boss.req('POST', `/api/facilities/stocktakes/${st.id}/close`);
  const repS = (performance.now() - t0) / 1000;
  if (rep.json.counts.missing !== ASSETS / 100) throw new Error(`report: ${JSON.stringify(rep.json.counts)}`);
  report({ name: 'stocktake.report', metric: `final report (and closing) of a ${ASSETS}-asset stock-take: ${JSON.stringify(rep.json.counts)}`, value: Number(repS.toFixed(3)), unit: 's', target: '<= 2' });
} finally {
  await edge.stop();
  rmSync(dir, { recursive: true, force: true });
}
