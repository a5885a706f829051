/**
 * Issue 2 benchmarks: event append (batched, single p99), broker QoS 1 throughput
 * with our auth + ACL hooks vs bare aedes (and mosquitto where installed), idle
 * RSS of the demo campus and start-up time to /healthz.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import mqtt from 'mqtt';
import { Aedes } from 'aedes';
import Database from 'better-sqlite3';
import { UuidV7Generator } from '@campus/protocol';
import { report, percentile, median, waitHealthy } from './lib.js';
import { Store } from '../edge-agent/src/store/index.js';
import { TrustedClock } from '../edge-agent/src/core/clock.js';
import { startEdge } from '../edge-agent/src/edge.js';
import { ALL_MIGRATIONS } from '../edge-agent/src/migrations.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'campus-bench-'));

/**
 * What better-sqlite3 does on its own (its defaults otherwise): the same rows (a UUIDv7 id, the same columns, the
 * data as JSON) into the same table (schema copied from the edge's database), WAL with
 * synchronous=NORMAL, one transaction per 500 rows, a prepared INSERT. No store around it.
 */
class PlainInserts {
  private readonly dir = tmp();
  private readonly db: Database.Database;
  private readonly batch: (from: number) => void;
  constructor(schema: string[], ev: (i: number) => { type: string; reason: string; source: string; subject: string; data: unknown }) {
    this.db = new Database(join(this.dir, 'plain.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    for (const sql of schema) this.db.exec(sql);
    const ids = new UuidV7Generator();
    const insert = this.db.prepare(
      'INSERT INTO events (id, type, occurred_at, recorded_at, clock_trusted, reason, severity, priority, source, subject, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.batch = this.db.transaction((from: number) => {
      for (let k = from; k < from + 500; k++) {
        const e = ev(k);
        const now = Date.now();
        insert.run(ids.next(), e.type, now, now, 1, e.reason, 'info', 2, e.source, e.subject, JSON.stringify(e.data));
      }
    });
  }
  /** Rows per second for n rows (the table keeps growing across runs, like the store's). */
  run(n: number): number {
    const t0 = performance.now();
    for (let i = 0; i < n; i += 500) this.batch(i);
    return n / ((performance.now() - t0) / 1000);
  }
  close(): void {
    this.db.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function benchStore(): Promise<void> {
  const dir = tmp();
  // The shipped default: WAL with synchronous=NORMAL and a 1 s checkpoint timer.
  const store = Store.open({ migrations: ALL_MIGRATIONS, dataDir: dir, file: 'edge.db', backupDir: 'b', synchronous: 'normal', site: 'bench', clock: new TrustedClock({ mode: 'always' }) });
  store.startFlushTimer(1000);
  const ev = (i: number) => ({ type: 'access.decision', reason: 'access.granted', source: 'gate-1', subject: `p${i % 5000}`, data: { gate: 'east', dir: 'in', card: 12345 + i } });
  // The events table as the edge created it (columns, indexes, trigger), for the plain baseline.
  const schema = (store.db.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'events' AND sql IS NOT NULL ORDER BY type = 'table' DESC").pluck().all() as string[]);
  // Batched: 3 × 100,000 events in batches of 500, each run next to a plain better-sqlite3 run
  // of the same rows, so both see the same machine.
  const runs: number[] = [];
  const plain: number[] = [];
  const plainDb = new PlainInserts(schema, ev);
  for (let r = 0; r < 3; r++) {
    const n = 100_000;
    plain.push(plainDb.run(n));
    const t0 = performance.now();
    for (let i = 0; i < n; i += 500) store.events.appendMany(Array.from({ length: 500 }, (_, k) => ev(i + k)));
    runs.push(n / ((performance.now() - t0) / 1000));
  }
  plainDb.close();
  const ours = median(runs);
  const base = median(plain);
  report({
    name: 'store.append.ratio',
    metric: 'event store appendMany throughput ÷ plain better-sqlite3 batched inserts of the same rows into the same table (medians of 3 × 100k, batches of 500, WAL, synchronous=NORMAL)',
    value: Number((ours / base).toFixed(3)),
    unit: '× plain better-sqlite3',
    target: '>= 0.5',
    baseline: { name: 'plain better-sqlite3 batched inserts (median)', value: Math.round(base), unit: 'rows/s' },
    ours: Math.round(ours),
    runs: runs.map(Math.round),
    plainRuns: plain.map(Math.round),
  });
  // Single appends, each its own transaction (what a gate decision does).
  const lat: number[] = [];
  for (let i = 0; i < 5000; i++) {
    const t0 = performance.now();
    store.events.append(ev(i));
    lat.push(performance.now() - t0);
  }
  lat.sort((a, b) => a - b);
  report({ name: 'store.append.single.p99', metric: 'latency p99 of 5,000 single appends, each its own transaction (default synchronous=NORMAL)', value: Number(percentile(lat, 99).toFixed(3)), unit: 'ms', target: '<= 1', p50: Number(percentile(lat, 50).toFixed(3)) });
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

async function qos1Throughput(port: number, pub: mqtt.IClientOptions, sub: mqtt.IClientOptions, topic: string, n: number): Promise<number> {
  const s = await mqtt.connectAsync({ host: '127.0.0.1', port, protocolVersion: 4, reconnectPeriod: 0, ...sub });
  await s.subscribeAsync(topic, { qos: 1 });
  const p = await mqtt.connectAsync({ host: '127.0.0.1', port, protocolVersion: 4, reconnectPeriod: 0, ...pub });
  let got = 0;
  const done = new Promise<void>((resolve) => s.on('message', () => ++got === n && resolve()));
  const payload = Buffer.from(JSON.stringify({ kw: 41.2, v: 229.8, a: 17.9, at: Date.now() }));
  const t0 = performance.now();
  const inflight = 200;
  let sent = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (sent < n && sent - got < inflight) {
        sent++;
        p.publish(topic, payload, { qos: 1 }, () => undefined);
      }
      if (sent < n) setImmediate(pump);
      else resolve();
    };
    pump();
  });
  await done;
  const rate = n / ((performance.now() - t0) / 1000);
  await Promise.all([p.endAsync(), s.endAsync()]);
  return rate;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function benchBroker(): Promise<void> {
  const N = 20_000;
  const dir = tmp();
  const edge = await startEdge(
    { dataDir: dir, http: { host: '127.0.0.1', port: 0 }, mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } }, clock: { trust: 'always' }, auth: { bootstrapAdmin: { password: 'bench-admin-pw' } } },
    {
      logger: pino({ level: 'silent' }),
      mqttClients: [
        { clientId: 'meter-1', password: 'bench-device-pw1', role: 'device' },
        { clientId: 'console-1', password: 'bench-observer-1', role: 'observer' },
      ],
    },
  );
  const bare = new Aedes();
  await bare.listen();
  const bareServer = createServer(bare.handle);
  await new Promise<void>((r) => bareServer.listen(0, '127.0.0.1', () => r()));
  const barePort = (bareServer.address() as AddressInfo).port;

  let mosquitto: ChildProcess | null = null;
  let mosqPort = 0;
  if (spawnSync('which', ['mosquitto']).status === 0) {
    mosqPort = await freePort();
    mosquitto = spawn('mosquitto', ['-p', String(mosqPort)], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 500));
  }

  const topic = 'campus/dev/meter-1/telemetry/power';
  const ours: number[] = [];
  const bares: number[] = [];
  const mosq: number[] = [];
  for (let r = 0; r < 3; r++) {
    bares.push(await qos1Throughput(barePort, {}, {}, topic, N));
    ours.push(
      await qos1Throughput(
        edge.mqttPorts.port,
        { clientId: 'meter-1', username: 'meter-1', password: 'bench-device-pw1' },
        { clientId: 'console-1', username: 'console-1', password: 'bench-observer-1' },
        topic,
        N,
      ),
    );
    if (mosquitto) mosq.push(await qos1Throughput(mosqPort, {}, {}, topic, N));
  }
  const o = median(ours);
  const b = median(bares);
  report({
    name: 'broker.qos1.ratio',
    metric: `QoS 1 throughput with auth + ACL hooks ÷ bare aedes (median of 3 × ${N} msgs, 1 publisher → 1 subscriber)`,
    value: Number((o / b).toFixed(3)),
    unit: '× bare aedes',
    target: '>= 0.8',
    baseline: { name: 'aedes bare', value: Math.round(b), unit: 'msg/s' },
    ours: Math.round(o),
    mosquitto: mosq.length ? Math.round(median(mosq)) : null,
  });
  mosquitto?.kill();
  bareServer.close();
  await new Promise<void>((r) => bare.close(() => r()));
  await edge.stop();
  rmSync(dir, { recursive: true, force: true });
}

const BIN = new URL('../edge-agent/dist/bin/campus-edge.js', import.meta.url).pathname;

async function startDaemon(dir: string, httpPort: number, mqttPort: number, tlsPort: number): Promise<{ child: ChildProcess; readyMs: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--max-semi-space-size=2', BIN, 'demo'], {
    cwd: dir,
    stdio: 'ignore',
    // The allocator settings `npm start` and the systemd unit use (see README: memory).
    env: { ...process.env, CAMPUS_DEMO_CLOUD_PORT: '0', MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '1048576', CAMPUS_EDGE__HTTP__PORT: String(httpPort), CAMPUS_EDGE__HTTP__HOST: '127.0.0.1', CAMPUS_EDGE__MQTT__PORT: String(mqttPort), CAMPUS_EDGE__MQTT__TLS__PORT: String(tlsPort), CAMPUS_EDGE__DATA_DIR: join(dir, 'data') },
  });
  daemons.add(child);
  child.once('exit', () => daemons.delete(child));
  // Ready = /healthz 200 with status "ok": every enabled domain has started (503 with "domain:<name>": "starting" before).
  try {
    await waitHealthy(`http://127.0.0.1:${httpPort}/healthz`, () => child.exitCode === null && child.signalCode === null, 60_000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return { child, readyMs: performance.now() - t0 };
}

// A bench that fails half-way must not leave a daemon behind.
const daemons = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of daemons) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function stopDaemon(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
}

async function benchDaemon(): Promise<void> {
  const dir = tmp();
  const [h, m, t] = [await freePort(), await freePort(), await freePort()];
  // First start creates the database and the TLS certificate; not measured.
  await stopDaemon((await startDaemon(dir, h, m, t)).child);
  const starts: number[] = [];
  let rss = 0;
  const others: Record<string, number> = {};
  for (let i = 0; i < 3; i++) {
    const { child, readyMs } = await startDaemon(dir, h, m, t);
    starts.push(readyMs / 1000);
    if (i === 2) {
      await new Promise((r) => setTimeout(r, 8000)); // idle with the demo campus running
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
      // The demo's simulated devices and local cloud run in processes of their own (real devices and the cloud are not the edge's memory).
      for (const pid of readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
        others[cmd.includes('devices-process') ? 'demo.devices.rss' : cmd.includes('campus-cloud') ? 'demo.cloud.rss' : `child.${pid}.rss`] = kb / 1024;
      }
    }
    await stopDaemon(child);
  }
  report({ name: 'edge.start.healthz', metric: 'process start → /healthz 200 with status "ok" (every enabled domain started), demo campus, database already created (median of 3)', value: Number(median(starts).toFixed(3)), unit: 's', target: '<= 5' });
  report({ name: 'edge.idle.rss', metric: 'RSS of the demo campus daemon after 8 s idle', value: Number(rss.toFixed(1)), unit: 'MB', target: '<= 120' });
  for (const [name, mb] of Object.entries(others)) {
    report({ name, metric: 'RSS of a demo helper process beside the edge (information, not the edge)', value: Number(mb.toFixed(1)), unit: 'MB' });
  }
  rmSync(dir, { recursive: true, force: true });
}

// BENCH_ONLY (set by run.mjs when asked for one result name) runs only the part that reports it.
const only = process.env.BENCH_ONLY;
const parts: Array<[string[], () => Promise<void>]> = [
  [['store.append.ratio', 'store.append.single.p99'], benchStore],
  [['broker.qos1.ratio'], benchBroker],
  [['edge.start.healthz', 'edge.idle.rss'], benchDaemon],
];
for (const [names, run] of parts) if (!only || names.includes(only)) await run();
