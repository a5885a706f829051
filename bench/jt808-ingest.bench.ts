/**
 * jt808.ingest (issue 13): JT/T 808 location reports per second that a `campus-cloud`
 * process on PostgreSQL takes from 2,000 terminals over TCP and stores in bus_positions.
 *
 * The cloud runs in its own process (JT808_PORT); this process plays 2,000 terminals on
 * 2,000 loopback sockets: each registers (0x0100 → 0x8100 code), authenticates (0x0102),
 * then sends PER location frames (0x0200) at once. Measured: from the first report sent
 * to the last one committed in PostgreSQL (polled), i.e. TCP + split + unescape + XOR +
 * decode + 0x8001 reply + batched INSERT. Both processes share the machine's 2 cores with
 * everything else running on it.
 *
 * Baseline in the same run: the protocol session alone (no sockets, no database) on the
 * same frames in this process, jt808.ingest.session (the old jt808.session.decode).
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTempDatabase, postgresUrl } from '@campus/testkit/postgres';
import { cloudSchoolAdmin, type CloudRecordWrite } from '@campus/testkit';
import { decodeMessage, encodeMessage, Jt808Session, Jt808Splitter, type TerminalRecord } from '../protocol/src/bus/jt808/index.js';
import { freePort, killHard, spawnTs } from '../cloud-sync/test/helpers/processes.js';
import { report } from './lib.js';

const N = Number(process.env.JT808_TERMINALS ?? 2000);
const PER = Number(process.env.JT808_PER ?? 25);
const T = Date.UTC(2026, 8, 7, 0, 0, 0);
const phoneOf = (i: number) => String(13900000000 + i);
const plateOf = (i: number) => `沪A${String(i).padStart(5, '0')}`;
const loc = (i: number, k: number) => ({ msgId: 0x0200 as const, alarm: 0, status: 0x000c0003, lat: 31.2 + (i % 100) * 1e-3 + k * 1e-5, lon: 121.4, altitudeM: 10, speedKmh: 36, heading: 90, time: T + k * 1000, extra: { mileageKm: 1234.5, satellites: 14, signal: 25 } });

function sessionBaseline(): number {
  const terms: TerminalRecord[] = Array.from({ length: N }, (_, i) => ({ phone: '0' + phoneOf(i), plate: plateOf(i), authCode: `A${i}` }));
  const by = new Map(terms.map((t) => [t.phone, t]));
  let now = T;
  const sessions = terms.map((t) => {
    const s = new Jt808Session({ lookup: (p) => by.get(p), now: () => now, maxFramesPerSecond: 1000 });
    s.push(encodeMessage({ header: { version: 2013, phone: t.phone, serial: 1 }, body: { msgId: 0x0102, code: t.authCode } }));
    return s;
  });
  const streams = terms.map((t, i) => Buffer.concat(Array.from({ length: PER }, (_, k) => encodeMessage({ header: { version: 2013, phone: t.phone, serial: k + 2 }, body: loc(i, k) }))));
  let n = 0;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    for (const step of sessions[i]!.push(streams[i]!)) n += step.locations.length;
    now += 1;
  }
  if (n !== N * PER) throw new Error(`baseline decoded ${n}`);
  return Math.round(n / ((performance.now() - t0) / 1000));
}

class Terminal {
  replies = 0;
  authCode: string | null = null;
  result: number | null = null;
  #wake: (() => void) | null = null;
  constructor(readonly socket: net.Socket, readonly phone: string) {
    const split = new Jt808Splitter((f) => {
      const b = decodeMessage(f).body;
      if (b.msgId === 0x8100) {
        this.result = b.result;
        this.authCode = b.authCode ?? null;
      } else if (b.msgId === 0x8001 && b.replyId === 0x0102) this.result = b.result;
      this.replies++;
      this.#wake?.();
    });
    socket.on('data', (c) => split.push(c));
    socket.on('error', () => undefined);
  }
  async ask(frame: Buffer): Promise<void> {
    const n = this.replies + 1;
    this.socket.write(frame);
    while (this.replies < n) await new Promise<void>((r) => ((this.#wake = r), setTimeout(r, 2000)));
  }
}

async function main(): Promise<void> {
  const baseline = sessionBaseline();
  const adminUrl = await postgresUrl();
  if (!adminUrl) throw new Error('PostgreSQL is needed for this benchmark');
  const tmp = await createTempDatabase(adminUrl);
  const dir = mkdtempSync(join(tmpdir(), 'campus-jt808-'));
  const port = await freePort();
  const jt808Port = await freePort();
  const adminToken = randomBytes(18).toString('base64url');
  writeFileSync(join(dir, 'cloud.json'), JSON.stringify({ jt808: { maxFramesPerSecond: 200 } }));
  const cloud = spawnTs('cloud-sync/src/bin/campus-cloud.ts', { DATABASE_URL: tmp.url, PORT: String(port), HOST: '127.0.0.1', CAMPUS_CLOUD_ADMIN_TOKEN: adminToken, JT808_PORT: String(jt808Port) }, ['start', '--config', join(dir, 'cloud.json')]);
  const db = new pg.Client({ connectionString: tmp.url });
  const sockets: net.Socket[] = [];
  try {
    await cloud.waitForLine(/"listening"/, 60_000);
    const url = `http://127.0.0.1:${port}`;
    const admin = async (path: string, body: unknown) => {
      const r = await fetch(url + '/api/admin' + path, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as { id: string };
    };
    const school = await admin('/schools', { name: '校车终端测试学校' });
    const vehicles = Array.from({ length: N }, (_, i) => ({ kind: 'bus_vehicle', key: `v${i}`, data: { plate: plateOf(i), seats: 45, terminalPhone: phoneOf(i) } }));
    const schoolAdmin = await cloudSchoolAdmin(url, adminToken, school.id);
    for (let i = 0; i < vehicles.length; i += 5000) await schoolAdmin.writeRecords(vehicles.slice(i, i + 5000) as CloudRecordWrite[]);
    await db.connect();

    // Connect and sign in every terminal (200 at a time); the registry reloads every 10 s.
    const terms: Terminal[] = [];
    for (let i = 0; i < N; i += 200) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(200, N - i) }, async (_, j) => {
          const s = net.connect(jt808Port, '127.0.0.1');
          await new Promise<void>((res, rej) => s.once('connect', res).once('error', rej));
          sockets.push(s);
          return new Terminal(s, '0' + phoneOf(i + j));
        }),
      );
      terms.push(...batch);
    }
    let serial = 1;
    const reg = (t: Terminal, i: number) => encodeMessage({ header: { version: 2013, phone: t.phone, serial: serial++ }, body: { msgId: 0x0100, province: 31, city: 115, maker: 'BENCH', model: 'M1', terminalId: `T${i}`, plateColor: 2, plate: plateOf(i) } });
    const deadline = Date.now() + 30_000;
    for (;;) {
      await terms[0]!.ask(reg(terms[0]!, 0));
      if (terms[0]!.result === 0) break;
      if (Date.now() > deadline) throw new Error('terminals never became known to the cloud');
      await new Promise((r) => setTimeout(r, 500));
    }
    for (let i = 0; i < N; i += 200) {
      await Promise.all(
        terms.slice(i, i + 200).map(async (t, j) => {
          await t.ask(reg(t, i + j));
          await t.ask(encodeMessage({ header: { version: 2013, phone: t.phone, serial: serial++ }, body: { msgId: 0x0102, code: t.authCode! } }));
          if (t.result !== 0) throw new Error(`terminal ${t.phone} not authenticated`);
        }),
      );
    }
    const streams = terms.map((t, i) => Buffer.concat(Array.from({ length: PER }, (_, k) => encodeMessage({ header: { version: 2013, phone: t.phone, serial: 100 + k }, body: loc(i, k) }))));
    const repliesBefore = terms.reduce((a, t) => a + t.replies, 0);
    const total = N * PER;
    const t0 = performance.now();
    for (let i = 0; i < N; i++) terms[i]!.socket.write(streams[i]!);
    let stored = 0;
    for (;;) {
      stored = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM bus_positions')).rows[0]!.n);
      if (stored >= total) break;
      if (performance.now() - t0 > 120_000) throw new Error(`only ${stored} of ${total} stored within 120 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - t0) / 1000;
    const replies = terms.reduce((a, t) => a + t.replies, 0) - repliesBefore;
    report({
      name: 'jt808.ingest',
      metric: 'throughput',
      value: Math.round(total / seconds),
      unit: 'reports/s',
      target: '>= 10000',
      baseline: { name: 'jt808.ingest.session (protocol session only, no sockets, no database, this process)', value: baseline, unit: 'reports/s' },
      notes: `${N} terminals on ${N} loopback sockets × ${PER} reports (0x0200) each, into a campus-cloud process on PostgreSQL; first report sent → last row committed (${stored} rows, ${replies} 0x8001 replies seen by then); 2 shared cores`,
    });
  } finally {
    for (const s of sockets) s.destroy();
    await db.end().catch(() => undefined);
    await killHard(cloud);
    await tmp.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
