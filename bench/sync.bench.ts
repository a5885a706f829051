/**
 * Edge → cloud drain and cloud ingest on PostgreSQL over loopback.
 *
 * sync.drain.1m: a 1,000,000-event backlog in an SQLite outbox (better-sqlite3, WAL; a
 * table shaped like the edge store's outbox) drained by the real CloudSyncClient to a
 * real `campus-cloud` process on PostgreSQL. Then every id is compared:
 * sync.drain.lost / sync.drain.duplicated.
 * cloud.ingest: signed 5,000-event batches posted by 4 concurrent senders, events/s.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { UuidV7Generator, type EventEnvelope } from '@campus/protocol';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import { CloudSyncClient, emptyCursors, LANES, SignedTransport, type Lane, type LaneCursors, type OutboxBacklog, type OutboxEntry, type SyncOutbox } from '@campus/cloud-sync/client';
import { createTempDatabase, postgresUrl } from '@campus/testkit/postgres';
import { freePort, killHard, spawnTs } from '../cloud-sync/test/helpers/processes.js';
import { report } from './lib.js';
import type { EdgeCredentials } from '@campus/cloud-sync/client';

/** What the admin API answers when creating a school, campus or edge. */
interface Created {
  id: string;
  credentials: EdgeCredentials;
}

const N = Number(process.env.SYNC_BENCH_EVENTS ?? 1_000_000);
const SITE = 'bench-campus';

/** The edge store's outbox, reduced to what the sync client reads. */
class SqliteOutbox implements SyncOutbox {
  private readonly pendingStmt;
  private readonly countStmt;
  private readonly oldestStmt;
  constructor(private readonly db: Database.Database) {
    db.exec(`CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, priority INTEGER NOT NULL, recorded_at INTEGER NOT NULL, envelope TEXT NOT NULL);
             CREATE INDEX IF NOT EXISTS outbox_lane ON outbox (priority, seq);
             CREATE TABLE IF NOT EXISTS sync_cursor (lane INTEGER PRIMARY KEY, seq INTEGER NOT NULL);`);
    this.pendingStmt = db.prepare('SELECT seq, envelope FROM outbox WHERE priority = ? AND seq > ? ORDER BY seq LIMIT ?');
    this.countStmt = db.prepare('SELECT count(*) AS n FROM outbox WHERE priority = ? AND seq > ?');
    this.oldestStmt = db.prepare('SELECT min(recorded_at) AS t FROM (SELECT recorded_at FROM outbox WHERE priority = ? AND seq > ? ORDER BY seq LIMIT 1)');
  }
  append(events: EventEnvelope[]): void {
    const ins = this.db.prepare('INSERT INTO outbox (id, priority, recorded_at, envelope) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const e of events) ins.run(e.id, e.priority, e.occurredAt, JSON.stringify(e));
    })();
  }
  cursors(): LaneCursors {
    const c = emptyCursors();
    for (const r of this.db.prepare('SELECT lane, seq FROM sync_cursor').all() as { lane: Lane; seq: number }[]) c[r.lane] = r.seq;
    return c;
  }
  pending(lane: Lane, after: number, limit: number): OutboxEntry[] {
    return (this.pendingStmt.all(lane, after, limit) as { seq: number; envelope: string }[]).map((r) => ({ seq: r.seq, event: JSON.parse(r.envelope) as EventEnvelope }));
  }
  ack(update: Partial<LaneCursors>): void {
    const up = this.db.prepare('INSERT INTO sync_cursor (lane, seq) VALUES (?, ?) ON CONFLICT (lane) DO UPDATE SET seq = max(seq, excluded.seq)');
    this.db.transaction(() => {
      for (const lane of LANES) if (update[lane] !== undefined) up.run(lane, update[lane]);
    })();
  }
  backlog(): OutboxBacklog {
    const c = this.cursors();
    const pendingByLane = emptyCursors();
    let oldest: number | null = null;
    for (const lane of LANES) {
      pendingByLane[lane] = (this.countStmt.get(lane, c[lane]) as { n: number }).n;
      const t = (this.oldestStmt.get(lane, c[lane]) as { t: number | null }).t;
      if (t !== null && (oldest === null || t < oldest)) oldest = t;
    }
    return { pendingByLane, oldestPendingAt: oldest };
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

async function main(): Promise<void> {
  const adminUrl = await postgresUrl();
  if (!adminUrl) throw new Error('PostgreSQL is needed for this benchmark (pg_ctlcluster 15 main start)');
  const tmp = await createTempDatabase(adminUrl);
  const dir = mkdtempSync(join(tmpdir(), 'campus-sync-bench-'));
  const port = await freePort();
  const adminToken = randomBytes(18).toString('base64url');
  const cloud = spawnTs('cloud-sync/src/bin/campus-cloud.ts', { DATABASE_URL: tmp.url, PORT: String(port), HOST: '127.0.0.1', CAMPUS_CLOUD_ADMIN_TOKEN: adminToken }, ['start']);
  const check = new pg.Client({ connectionString: tmp.url });
  try {
    await cloud.waitForLine(/"listening"/, 60_000);
    void cloud.exited.then((code) => {
      if (code !== 0 && code !== null) console.log(`campus-cloud exited with ${code}: ${cloud.stderrTail()}`);
    });
    const url = `http://127.0.0.1:${port}`;
    const admin = async (path: string, body: unknown) =>
      (await (await fetch(url + '/api/admin' + path, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Created;
    const school = await admin('/schools', { name: '基准测试学校' });
    const campus = await admin(`/schools/${school.id}/campuses`, { name: '主校区', site: SITE });
    const edge = await admin(`/schools/${school.id}/edges`, { name: 'bench edge', campusId: campus.id });

    // --- sync.drain.1m ---
    const sqlite = new Database(join(dir, 'edge.db'));
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    const outbox = new SqliteOutbox(sqlite);
    const start = Date.now() - 24 * 3600_000;
    const t0 = performance.now();
    for (let i = 0; i < N; i += 100_000) outbox.append(makeEvents(Math.min(100_000, N - i), start + i));
    console.log(`outbox filled with ${N} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const client = new CloudSyncClient({ cloudUrl: url, credentials: edge.credentials, outbox, maxBatchEvents: 5000, maxBatchBytes: 3_500_000, idlePollMs: 50 });
    const d0 = performance.now();
    await client.start();
    let last = 0;
    for (;;) {
      // status() counts the SQLite backlog (a scan of the lane index): once a second is plenty.
      await new Promise((r) => setTimeout(r, 1000));
      const s = await client.status();
      if (performance.now() - last > 5000) {
        last = performance.now();
        console.log(`  backlog ${s.backlog}, ${s.ratePerSec} events/s, progress ${(s.progress * 100).toFixed(0)}%`);
      }
      if (s.backlog === 0) break;
      if (cloud.exitCode !== null || cloud.signalCode !== null) throw new Error(`campus-cloud died (${cloud.exitCode ?? cloud.signalCode}): ${cloud.stderrTail()}`);
      if (s.lastError && performance.now() - d0 > 600_000) throw new Error(`drain stalled: ${s.lastError.message}`);
    }
    const drainS = (performance.now() - d0) / 1000;
    const st = await client.status();
    await client.stop();

    await check.connect();
    const r = await check.query<{ id: string }>('SELECT id::text AS id FROM events WHERE school_id = $1', [school.id]);
    const inCloud = new Map<string, number>();
    for (const row of r.rows) inCloud.set(row.id, (inCloud.get(row.id) ?? 0) + 1);
    let lost = 0;
    let duplicated = 0;
    for (const row of sqlite.prepare('SELECT id FROM outbox').iterate() as Iterable<{ id: string }>) {
      const k = inCloud.get(row.id) ?? 0;
      if (k === 0) lost++;
      else if (k > 1) duplicated += k - 1;
    }
    report({ name: 'sync.drain.1m', metric: 'drain time', value: Math.round(drainS * 10) / 10, unit: 's', target: '<= 60', notes: `${N} events SQLite outbox -> campus-cloud (PostgreSQL) over loopback; ${Math.round(N / drainS)} events/s; resent duplicates dropped by cloud: ${st.duplicatesTotal}` });
    report({ name: 'sync.drain.lost', metric: 'events missing in the cloud (ids compared)', value: lost, unit: 'count', target: '<= 0' });
    report({ name: 'sync.drain.duplicated', metric: 'ids stored more than once', value: duplicated + (r.rows.length - inCloud.size), unit: 'count', target: '<= 0' });
    sqlite.close();

    // --- cloud.ingest ---
    const M = Number(process.env.INGEST_BENCH_EVENTS ?? 300_000);
    const transport = new SignedTransport({ cloudUrl: url, credentials: edge.credentials });
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
    await check.end().catch(() => undefined);
    cloud.kill('SIGTERM');
    await Promise.race([cloud.exited, new Promise((r) => setTimeout(r, 10_000))]);
    await killHard(cloud);
    await tmp.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
