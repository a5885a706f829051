/**
 * Edge → cloud drain and cloud ingest.
 *
 * sync.drain.1m: a 1,000,000-event backlog in the edge's own event log (appended through
 * the edge's store while the cloud was off), drained by the edge itself when it starts with
 * the cloud configured: its SqliteOutbox and the CloudSyncClient as SyncModule wires them,
 * with the shipped batch sizes, to a real `campus-cloud` process on PostgreSQL (the cloud's
 * production database; SYNC_BENCH_DATABASE=pglite drains to the embedded PGlite the demo
 * uses instead — about a tenth of the rate, one WASM thread). Timed from startEdge() until
 * the outbox's backlog is empty. Then
 * every id is compared: sync.drain.lost / sync.drain.duplicated.
 * cloud.ingest: signed 5,000-event batches posted by 4 concurrent senders to a cloud on
 * PostgreSQL, events/s.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { PGlite } from '@electric-sql/pglite';
import { UuidV7Generator, type EventEnvelope, type NewEvent } from '@campus/protocol';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import { SignedTransport } from '@campus/cloud-sync/client';
import { createTempDatabase, postgresUrl } from '@campus/testkit/postgres';
import { freePort, killHard, spawnTs } from '../cloud-sync/test/helpers/processes.js';
import { startEdge } from '../edge-agent/src/edge.js';
import { SqliteOutbox } from '../edge-agent/src/sync/outbox.js';
import { report } from './lib.js';
import type { EdgeCredentials } from '@campus/cloud-sync/client';

/** What the admin API answers when creating a school, campus or edge. */
interface Created {
  id: string;
  credentials: EdgeCredentials;
}

const N = Number(process.env.SYNC_BENCH_EVENTS ?? 1_000_000);
const SITE = 'bench-campus';
const ONLY = process.env.BENCH_ONLY; // one result name, from run.mjs

type Cloud = ReturnType<typeof spawnTs>;

// A bench killed half-way (run.mjs's time limit, Ctrl-C) must not leave a cloud behind.
const clouds = new Set<Cloud>();
process.on('exit', () => {
  for (const c of clouds) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

async function startCloud(env: Record<string, string>): Promise<{ cloud: Cloud; url: string; admin: (path: string, body: unknown) => Promise<Created> }> {
  const port = await freePort();
  const adminToken = randomBytes(18).toString('base64url');
  const cloud = spawnTs('cloud-sync/src/bin/campus-cloud.ts', { ...env, PORT: String(port), HOST: '127.0.0.1', CAMPUS_CLOUD_ADMIN_TOKEN: adminToken }, ['start']);
  clouds.add(cloud);
  void cloud.exited.then(() => clouds.delete(cloud));
  await cloud.waitForLine(/"listening"/, 60_000);
  void cloud.exited.then((code) => {
    if (code !== 0 && code !== null) console.log(`campus-cloud exited with ${code}: ${cloud.stderrTail()}`);
  });
  const url = `http://127.0.0.1:${port}`;
  const admin = async (path: string, body: unknown) => {
    const r = await fetch(url + '/api/admin' + path, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!r.ok) throw new Error(`admin ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as Created;
  };
  return { cloud, url, admin };
}

async function stopCloud(cloud: Cloud): Promise<void> {
  cloud.kill('SIGTERM');
  await Promise.race([cloud.exited, new Promise((r) => setTimeout(r, 10_000))]);
  await killHard(cloud);
}

/** The backlog as the edge's events would be: gate decisions (lane 1) among energy roll-ups (lanes 2 and 3). */
function newEvents(n: number, start: number, offset: number): NewEvent[] {
  const out: NewEvent[] = [];
  for (let k = 0; k < n; k++) {
    const i = offset + k;
    const gate = i % 200 === 0;
    out.push({
      type: gate ? 'access.decision' : 'energy.rollup',
      occurredAt: start + Math.floor(i / 20),
      reason: gate ? 'access.granted' : 'energy.rollup',
      severity: 'info',
      priority: gate ? 1 : i % 10 === 0 ? 2 : 3,
      source: gate ? 'gate.east' : 'meter.poller',
      subject: gate ? `stu-${i % 2000}` : `circuit-${i % 300}`,
      data: gate ? { direction: i % 400 === 0 ? 'in' : 'out', granted: true, gate: '东门' } : { kwh: (i % 97) / 10, window: '5m' },
    });
  }
  return out;
}

async function drain(): Promise<void> {
  const usePostgres = process.env.SYNC_BENCH_DATABASE !== 'pglite';
  const dir = mkdtempSync(join(tmpdir(), 'campus-sync-bench-'));
  let tmpDb: Awaited<ReturnType<typeof createTempDatabase>> | null = null;
  let env: Record<string, string> = { CAMPUS_CLOUD_DATA_DIR: join(dir, 'cloud') };
  if (usePostgres) {
    const adminUrl = await postgresUrl();
    if (!adminUrl) throw new Error('PostgreSQL is needed for sync.drain.1m (pg_ctlcluster 15 main start), or SYNC_BENCH_DATABASE=pglite');
    tmpDb = await createTempDatabase(adminUrl);
    env = { DATABASE_URL: tmpDb.url };
  }
  const edgeConfig = (cloud: boolean) => ({
    dataDir: join(dir, 'edge'),
    site: { id: SITE },
    log: { level: 'silent' as const },
    http: { host: '127.0.0.1', port: 0, panelDir: join(dir, 'no-panel') },
    mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
    clock: { trust: 'always' as const },
    auth: { bootstrapAdmin: { username: 'admin', password: 'bench-admin-1' } },
    cloud: cloud ? { enabled: true, linkFile: join(dir, 'cloud-link.json') } : { enabled: false },
  });
  let cloud: Cloud | null = null;
  let edge: Awaited<ReturnType<typeof startEdge>> | null = null;
  try {
    // 1. The backlog: the edge ran without its cloud and appended N events to its own log.
    const offline = await startEdge(edgeConfig(false), { logger: pino({ level: 'silent' }) });
    const start = Date.now() - 24 * 3600_000;
    const t0 = performance.now();
    for (let i = 0; i < N; i += 500) offline.store.events.appendMany(newEvents(Math.min(500, N - i), start, i));
    const backlogEvents = offline.store.events.count();
    await offline.stop();
    console.log(`edge log filled with ${backlogEvents} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // 2. The cloud, with this school, campus and edge provisioned; the link file the edge reads.
    const c = await startCloud(env);
    cloud = c.cloud;
    const school = await c.admin('/schools', { name: '基准测试学校' });
    const campus = await c.admin(`/schools/${school.id}/campuses`, { name: '主校区', site: SITE });
    const provisioned = await c.admin(`/schools/${school.id}/edges`, { name: 'bench edge', campusId: campus.id });
    writeFileSync(join(dir, 'cloud-link.json'), JSON.stringify({ cloudUrl: c.url, credentials: provisioned.credentials }));

    // 3. The edge starts with the cloud configured and drains its outbox.
    const d0 = performance.now();
    edge = await startEdge(edgeConfig(true), { logger: pino({ level: 'silent' }) });
    const startedS = (performance.now() - d0) / 1000;
    const outbox = new SqliteOutbox(edge.store.db, SITE);
    const pendingOf = () => Object.values(outbox.backlog().pendingByLane).reduce((a, n) => a + n, 0);
    let last = 0;
    let pending = pendingOf();
    while (pending > 0) {
      await new Promise((r) => setTimeout(r, 250));
      pending = pendingOf();
      if (performance.now() - last > 5000) {
        last = performance.now();
        console.log(`  backlog ${pending} after ${((performance.now() - d0) / 1000).toFixed(0)} s`);
      }
      if (cloud.exitCode !== null || cloud.signalCode !== null) throw new Error(`campus-cloud died (${cloud.exitCode ?? cloud.signalCode}): ${cloud.stderrTail()}`);
      if (performance.now() - d0 > 900_000) throw new Error(`drain not finished after 15 min, ${pending} pending`);
    }
    const drainS = (performance.now() - d0) / 1000;
    const edgeIds = edge.store.db.prepare('SELECT id FROM events').pluck().all() as string[];
    await edge.stop();
    edge = null;

    // 4. Every id compared (PGlite is one process: the cloud is stopped and its database opened here).
    let cloudIds: string[];
    if (tmpDb) {
      const check = new pg.Client({ connectionString: tmpDb.url });
      await check.connect();
      cloudIds = (await check.query<{ id: string }>('SELECT id::text AS id FROM events WHERE school_id = $1', [school.id])).rows.map((r) => r.id);
      await check.end();
      await stopCloud(cloud);
    } else {
      await stopCloud(cloud);
      const db = await PGlite.create(join(dir, 'cloud'));
      cloudIds = (await db.query<{ id: string }>('SELECT id::text AS id FROM events WHERE school_id = $1', [school.id])).rows.map((r) => r.id);
      await db.close();
    }
    cloud = null;
    const inCloud = new Map<string, number>();
    for (const id of cloudIds) inCloud.set(id, (inCloud.get(id) ?? 0) + 1);
    let lost = 0;
    const duplicated = cloudIds.length - inCloud.size;
    for (const id of edgeIds) if (!inCloud.has(id)) lost++;
    const db = usePostgres ? 'PostgreSQL 15' : 'PGlite';
    report({
      name: 'sync.drain.1m',
      metric: `drain time of a ${N.toLocaleString('en')}-event backlog: the edge's own outbox (its event log) and sync client with the shipped batch sizes → campus-cloud on ${db} over loopback, from startEdge() to an empty backlog`,
      value: Math.round(drainS * 10) / 10,
      unit: 's',
      target: '<= 60',
      eventsPerSecond: Math.round(N / drainS),
      edgeStartS: Number(startedS.toFixed(2)),
      cloudDatabase: db,
    });
    report({ name: 'sync.drain.lost', metric: 'events of the edge missing in the cloud after the drain (ids compared)', value: lost, unit: 'count', target: '<= 0' });
    report({ name: 'sync.drain.duplicated', metric: 'event ids stored more than once in the cloud', value: duplicated, unit: 'count', target: '<= 0' });
  } finally {
    if (edge) await edge.stop().catch(() => undefined);
    if (cloud) await stopCloud(cloud);
    await tmpDb?.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

function makeEvents(n: number, start: number): EventEnvelope[] {
  let clock = start;
  const ids = new UuidV7Generator(() => clock);
  const out: EventEnvelope[] = [];
  for (let i = 0; i < n; i++) {
    clock = start + Math.floor(i / 20);
    const gate = i % 200 === 0;
    out.push({
      id: ids.next(),
      site: SITE,
      type: gate ? 'access.decision' : 'energy.rollup',
      occurredAt: clock,
      clockTrusted: true,
      reason: gate ? 'access.granted' : 'energy.rollup',
      severity: 'info',
      priority: gate ? 1 : i % 10 === 0 ? 2 : 3,
      source: gate ? 'gate.east' : 'meter.poller',
      subject: gate ? `stu-${i % 2000}` : `circuit-${i % 300}`,
      data: gate ? { direction: i % 400 === 0 ? 'in' : 'out', granted: true, gate: '东门' } : { kwh: (i % 97) / 10, window: '5m' },
    });
  }
  return out;
}

async function ingest(): Promise<void> {
  const adminUrl = await postgresUrl();
  if (!adminUrl) throw new Error('PostgreSQL is needed for cloud.ingest (pg_ctlcluster 15 main start)');
  const tmp = await createTempDatabase(adminUrl);
  let cloud: Cloud | null = null;
  try {
    const c = await startCloud({ DATABASE_URL: tmp.url });
    cloud = c.cloud;
    const school = await c.admin('/schools', { name: '基准测试学校' });
    const campus = await c.admin(`/schools/${school.id}/campuses`, { name: '主校区', site: SITE });
    const edge = await c.admin(`/schools/${school.id}/edges`, { name: 'bench edge', campusId: campus.id });
    const M = Number(process.env.INGEST_BENCH_EVENTS ?? 300_000);
    const transport = new SignedTransport({ cloudUrl: c.url, credentials: edge.credentials });
    const bodies: string[] = [];
    const evs = makeEvents(M, Date.now() - 3600_000);
    for (let i = 0; i < M; i += 5000) bodies.push(JSON.stringify({ events: evs.slice(i, i + 5000) }));
    let next = 0;
    const i0 = performance.now();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          for (;;) {
            const res = await transport.request('POST', INGEST_PATH, body);
            if (res.status === 200) break;
            if (res.status !== 429 && res.status < 500) throw new Error(`ingest ${res.status}: ${res.body.toString()}`);
          }
        }
      }),
    );
    const ingestS = (performance.now() - i0) / 1000;
    transport.close();
    report({ name: 'cloud.ingest', metric: 'throughput', value: Math.round(M / ingestS), unit: 'events/s', target: '>= 20000', notes: `${M} events in signed 5000-event batches, 4 concurrent senders, PostgreSQL 15` });
  } finally {
    if (cloud) await stopCloud(cloud);
    await tmp.drop().catch(() => undefined);
  }
}

if (!ONLY || ONLY.startsWith('sync.drain')) await drain();
if (!ONLY || ONLY === 'cloud.ingest') await ingest();
