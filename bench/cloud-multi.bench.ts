/**
 * Several cloud processes on one PostgreSQL (issue 12, "scale past one process").
 *
 * 300 simulated edges (one per school) upload a school morning's gate events through a
 * round-robin balancer to 3 `campus-cloud` processes on one PostgreSQL; half-way through,
 * one process is killed with SIGKILL. Each edge posts a signed batch every 3 s at the
 * morning's rate (3,000 gate events per edge in 30 minutes = 500 events/s in all); by
 * default the bench plays a CLOUD_MULTI_MINUTES (3) slice of that morning at full rate, not
 * the whole 30 minutes (CLOUD_MULTI_MINUTES=30 plays it all).
 * - cloud.multi.upload.p95: upload latency per batch, from the first attempt to its 200
 *   (a batch cut by the kill counts its retry time too).
 * - cloud.multi.lost: event ids posted but not stored + passages without a notice verdict.
 * - cloud.multi.dup.notices: an event notified to a guardian under more than one notice,
 *   or a notice row twice (every id compared; the webhook receiver gets each notice's id).
 * Baseline in the same run: the same upload with one process and no kill, for 20 s.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import { SignedTransport, type EdgeCredentials } from '@campus/cloud-sync/client';
import { cloudSchoolAdmin, gatePass, type CloudRecordWrite } from '@campus/testkit';
import { createTempDatabase, postgresUrl } from '@campus/testkit/postgres';
import { startBalancer } from '../cloud-sync/test/helpers/balancer.js';
import { startHttpSink } from '../cloud-sync/test/helpers/http-sink.js';
import { freePort, killHard, spawnTs } from '../cloud-sync/test/helpers/processes.js';
import { percentile, report } from './lib.js';

const EDGES = Number(process.env.CLOUD_MULTI_EDGES ?? 300);
const MINUTES = Number(process.env.CLOUD_MULTI_MINUTES ?? 3);
const PER_EDGE = Math.round((3000 * MINUTES) / 30);
const PERIOD_MS = 3000;
const STUDENTS = 200; // per school, of whom GUARDED have a guardian who receives notices
const GUARDED = 10;

type Proc = ReturnType<typeof spawnTs>;
const procs = new Set<Proc>();
process.on('exit', () => {
  for (const c of procs) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

interface Edge {
  schoolId: string;
  site: string;
  credentials: EdgeCredentials;
}

async function run(): Promise<void> {
  const adminUrl = await postgresUrl();
  if (!adminUrl) throw new Error('PostgreSQL is needed (pg_ctlcluster 15 main start)');
  const tmp = await createTempDatabase(adminUrl);
  const dir = mkdtempSync(join(tmpdir(), 'campus-multi-bench-'));
  const hook = await startHttpSink();
  const config = join(dir, 'cloud.json');
  writeFileSync(config, JSON.stringify({ jobs: { expireSeconds: 20, supervisorSeconds: 5 }, notices: { quietHours: null }, channels: { webhook: { url: hook.url, secret: 'bench-hook' } } }));
  const adminToken = randomBytes(18).toString('base64url');
  const start = async (port: number) => {
    const child = spawnTs('cloud-sync/src/bin/campus-cloud.ts', { PORT: String(port), HOST: '127.0.0.1', CAMPUS_CLOUD_ADMIN_TOKEN: adminToken, DATABASE_URL: tmp.url }, ['start', '--config', config]);
    procs.add(child);
    await child.waitForLine(/"listening"/, 120_000);
    return child;
  };
  const ports = [await freePort(), await freePort(), await freePort()];
  const clouds: Proc[] = [];
  for (const p of ports) clouds.push(await start(p));
  const lb = await startBalancer(ports.map((p) => `http://127.0.0.1:${p}`));
  const check = new pg.Client({ connectionString: tmp.url });
  await check.connect();
  try {
    const admin = async (path: string, body: unknown) => {
      for (;;) {
        const r = await fetch(lb.url + '/api/admin' + path, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        if (r.ok) return (await r.json()) as { id: string; credentials: EdgeCredentials };
        if (r.status < 500) throw new Error(`admin ${path}: ${r.status} ${await r.text()}`);
      }
    };
    const p0 = performance.now();
    const edges: Edge[] = [];
    for (let e = 0; e < EDGES; e++) {
      const school = await admin('/schools', { name: `基准学校${e}` });
      const site = `multi-${e}`;
      const campus = await admin(`/schools/${school.id}/campuses`, { name: '主校区', site });
      const edge = await admin(`/schools/${school.id}/edges`, { name: '网关', campusId: campus.id });
      const records: unknown[] = [];
      for (let s = 0; s < GUARDED; s++) {
        records.push({ kind: 'person', key: `stu-${s}`, data: { name: `学生${s}`, roles: ['student'], classId: '一年级1班' } });
        records.push({ kind: 'person', key: `par-${s}`, data: { name: `家长${s}`, roles: ['guardian'], phone: `13${String(e).padStart(4, '0')}${String(s).padStart(5, '0')}` } });
        records.push({ kind: 'guardianship', key: `g-${s}`, data: { studentId: `stu-${s}`, guardianId: `par-${s}`, relation: '母亲', mayPickUp: true, receivesNotices: true } });
      }
      // The school's roster as its own systems write it: a records key made by its first admin.
      await (await cloudSchoolAdmin(lb.url, adminToken, school.id)).writeRecords(records as CloudRecordWrite[]);
      edges.push({ schoolId: school.id, site, credentials: edge.credentials });
    }
    console.log(`provisioned ${EDGES} schools with one edge each in ${((performance.now() - p0) / 1000).toFixed(1)} s`);

    const upload = async (targets: Edge[], url: string, durationMs: number, perEdge: number, killAt: (() => void) | null) => {
      const latencies: number[] = [];
      let refusals = 0;
      const ids: string[] = [];
      const passages: { schoolId: string; id: string }[] = [];
      const batches = Math.ceil(durationMs / PERIOD_MS);
      const t0 = performance.now();
      let killed = false;
      await Promise.all(
        targets.map(async (edge, n) => {
          const transport = new SignedTransport({ cloudUrl: url, credentials: edge.credentials });
          const inside = new Map<number, boolean>();
          let sent = 0;
          try {
            await new Promise((r) => setTimeout(r, (n / targets.length) * PERIOD_MS)); // edges out of phase
            for (let b = 0; b < batches; b++) {
              const due = t0 + (n / targets.length) * PERIOD_MS + b * PERIOD_MS;
              const wait = due - performance.now();
              if (wait > 0) await new Promise((r) => setTimeout(r, wait));
              if (killAt && !killed && performance.now() - t0 > durationMs / 2) {
                killed = true;
                killAt();
              }
              const size = Math.min(Math.ceil(perEdge / batches), perEdge - sent);
              if (size <= 0) break;
              const evs = Array.from({ length: size }, (_, i) => {
                const s = (sent + i) % STUDENTS;
                const dir = inside.get(s) ? 'out' : 'in';
                inside.set(s, !inside.get(s));
                const ev = gatePass(edge.site, `stu-${s}`, dir);
                if (s < GUARDED) passages.push({ schoolId: edge.schoolId, id: ev.id });
                return ev;
              });
              sent += size;
              ids.push(...evs.map((e) => e.id));
              const body = JSON.stringify({ events: evs });
              const s0 = performance.now();
              // As the edge's sync client does: a 429 (the process's ingest backpressure) is retried
              // after its Retry-After, a cut connection (the kill) at once; the wait counts in the latency.
              for (;;) {
                const res = await transport.request('POST', INGEST_PATH, body).catch(() => null);
                if (res?.status === 200) break;
                if (res && res.status !== 429 && res.status < 500) throw new Error(`ingest ${res.status}: ${res.body.toString()}`);
                // The edge's client never drops a batch: it retries until the cloud takes it, and all that
                // wait is the batch's latency. Only a batch still refused after 10 minutes ends the run.
                if (performance.now() - s0 > 600_000) throw new Error(`ingest kept failing for 10 min: ${res ? `${res.status} ${res.body.toString().slice(0, 300)}` : 'no answer'}`);
                if (res?.status === 429) refusals++;
                const after = Number(res?.headers['retry-after'] ?? 0);
                await new Promise((r) => setTimeout(r, after > 0 ? after * 1000 : 100));
              }
              latencies.push((performance.now() - s0) / 1000);
            }
          } finally {
            transport.close();
          }
        }),
      );
      return { latencies: latencies.sort((a, b) => a - b), ids, passages, refusals, seconds: (performance.now() - t0) / 1000 };
    };

    // Baseline: one process (no balancer), 20 s, no kill — the same edges' rate.
    const base = await upload(edges, `http://127.0.0.1:${ports[0]}`, 20_000, Math.round((3000 * 20) / 1800), null);
    const baseP95 = percentile(base.latencies, 95);
    console.log(`baseline: ${base.latencies.length} batches through one process in ${base.seconds.toFixed(0)} s, p95 ${baseP95.toFixed(3)} s, ${base.refusals} answers 429`);

    const run = await upload(edges, lb.url, MINUTES * 60_000, PER_EDGE, () => {
      console.log('killing cloud process 2 of 3 (SIGKILL)');
      clouds[1]!.kill('SIGKILL');
    });
    const p95 = percentile(run.latencies, 95);
    console.log(`${run.ids.length} events in ${run.latencies.length} batches over ${run.seconds.toFixed(0)} s; p50 ${percentile(run.latencies, 50).toFixed(3)} s, p95 ${p95.toFixed(3)} s, ${run.refusals} answers 429`);

    // Every id compared.
    const allIds = [...base.ids, ...run.ids];
    const stored = await check.query<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT id) AS d FROM events WHERE id = ANY($1::uuid[])', [allIds]);
    const storedN = Number(stored.rows[0]!.n);
    const lostEvents = allIds.length - Number(stored.rows[0]!.d);
    const passageIds = [...base.passages, ...run.passages].map((p) => p.id);
    const d0 = performance.now();
    let judged = 0;
    let pending = 0;
    while (performance.now() - d0 < 600_000) {
      judged = Number((await check.query<{ n: string }>('SELECT count(*) AS n FROM notice_verdicts WHERE event_id = ANY($1::uuid[])', [passageIds])).rows[0]!.n);
      pending = Number((await check.query<{ n: string }>("SELECT count(*) AS n FROM notices WHERE status = 'pending'")).rows[0]!.n);
      if (judged === passageIds.length && pending === 0) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    console.log(`notices settled in ${((performance.now() - d0) / 1000).toFixed(0)} s after the last upload (${judged}/${passageIds.length} judged, ${pending} pending)`);
    const rowDups = Number((await check.query<{ n: string }>('SELECT coalesce(sum(n - 1), 0) AS n FROM (SELECT count(*) AS n FROM notices GROUP BY school_id, event_id, phone) t')).rows[0]!.n);
    const byEvent = new Map<string, Set<string>>();
    for (const r of hook.received) {
      const n = (r.body as { notice?: { eventId: string; to?: string; noticeId: string | number } }).notice;
      if (!n) continue;
      const key = `${n.eventId}`;
      const set = byEvent.get(key) ?? new Set<string>();
      set.add(String(n.noticeId));
      byEvent.set(key, set);
    }
    const hookDups = [...byEvent.values()].reduce((a, s) => a + s.size - 1, 0);
    const repeatedDeliveries = hook.received.length - [...byEvent.values()].reduce((a, s) => a + s.size, 0);
    const lost = lostEvents + (passageIds.length - judged) + pending;

    const notes = `${run.refusals} answers 429 (baseline ${base.refusals}); ${EDGES} edges × ${PER_EDGE} gate events in ${MINUTES} min (the 30-minute morning's rate: ${Math.round((EDGES * 3000) / 1800)} events/s), batches every ${PERIOD_MS / 1000} s, 3 processes behind a round-robin balancer on PostgreSQL 15, process 2 killed with SIGKILL half-way; 2-core machine shared with the database and the load generator`;
    report({ name: 'cloud.multi.upload.p95', metric: 'p95 upload latency', value: Number(p95.toFixed(3)), unit: 's', target: '<= 1', baseline: { name: 'one process, no kill, same rate, 20 s', value: Number(baseP95.toFixed(3)), unit: 's' }, notes });
    report({ name: 'cloud.multi.lost', metric: 'count', value: lost, unit: 'events', target: '<= 0', notes: `${allIds.length} ids posted, ${storedN} rows stored; ${passageIds.length} guardian-relevant passages, ${judged} judged; ${pending} notices still pending` });
    report({ name: 'cloud.multi.dup.notices', metric: 'count', value: rowDups + hookDups, unit: 'notices', target: '<= 0', notes: `${hook.received.length} webhook deliveries for ${byEvent.size} notified events; ${repeatedDeliveries} repeated deliveries of the same notice id (a delivery cut by the kill, dropped by noticeId at the receiver)` });
  } finally {
    await check.end().catch(() => undefined);
    await lb.close();
    for (const c of clouds) await killHard(c);
    await hook.close();
    await tmp.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

await run();
