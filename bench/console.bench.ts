/**
 * console.change.edge.p95: a roster change made through the console's API (the staff
 * API a signed-in school admin uses: session cookie, CSRF token, versioned PUT, audit row)
 * until a connected edge has applied it (the person is in the edge's access directory with
 * the new name), p95 over CONSOLE_BENCH_CHANGES changes (default 50: half new people, half
 * renames of an existing one with its version). A real `campus-cloud` process on
 * PostgreSQL and a real edge (startEdge, its SyncModule following the change feed).
 * Baseline in the same run: the same kind of change written as a batch through the open
 * API with the school's records key (no session or version check; one audit row per
 * batch), console.change.edge.baseline.p95.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createTempDatabase, postgresUrl } from '@campus/testkit/postgres';
import { killHard, spawnTs } from '../cloud-sync/test/helpers/processes.js';
import { startEdge } from '../edge-agent/src/edge.js';
import { GATES, TestIssuer, ZONES } from '../edge-agent/test/access/helpers.js';
import { percentile, report } from './lib.js';

const N = Number(process.env.CONSOLE_BENCH_CHANGES ?? 50);
const SITE = 'bench-console';
const PW = 'bench-console-pass-1';

type Cloud = ReturnType<typeof spawnTs>;
let running: Cloud | null = null;
process.on('exit', () => {
  if (running && running.exitCode === null && running.signalCode === null) running.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));

interface Link {
  cloudUrl: string;
  adminToken: string;
  recordsKey: string;
  schoolId: string;
}

async function main(): Promise<void> {
  const pgUrl = await postgresUrl();
  if (!pgUrl) throw new Error('console bench needs PostgreSQL (TEST_DATABASE_URL or the local cluster)');
  const db = await createTempDatabase(pgUrl);
  const dir = mkdtempSync(join(tmpdir(), 'campus-bench-console-'));
  const linkFile = join(dir, 'cloud-link.json');
  const cloud = spawnTs('cloud-sync/src/bin/campus-cloud.ts', { DATABASE_URL: db.url, PORT: '0', HOST: '127.0.0.1', CAMPUS_CLOUD_DEMO_SITE: SITE, CAMPUS_CLOUD_DEMO_FILE: linkFile }, ['start']);
  running = cloud;
  const issuer = new TestIssuer('K1');
  let edge: Awaited<ReturnType<typeof startEdge>> | null = null;
  try {
    await cloud.waitForLine(/"listening"/, 90_000);
    const link = JSON.parse(readFileSync(linkFile, 'utf8')) as Link;
    const admin = (path: string, body: unknown) =>
      fetch(`${link.cloudUrl}/api/admin${path}`, { method: 'POST', headers: { authorization: `Bearer ${link.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const first = await admin(`/schools/${link.schoolId}/accounts`, { username: 'bench-admin', displayName: '管理员', password: PW });
    if (first.status !== 201) throw new Error(`first admin: ${first.status} ${await first.text()}`);
    const signIn = await fetch(`${link.cloudUrl}/api/staff/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench-admin', password: PW }) });
    const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };

    const dataDir = join(dir, 'edge');
    issuer.install(join(dataDir, 'keys'));
    edge = await startEdge(
      {
        dataDir,
        site: { id: SITE, name: '控制台基准校区' },
        log: { level: 'silent' },
        http: { host: '127.0.0.1', port: 0, panelDir: join(dir, 'no-panel') },
        mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
        clock: { trust: 'always' },
        auth: { bootstrapAdmin: { username: 'admin', password: 'admin-password-1' } },
        access: { zones: ZONES, gates: GATES, keysDir: join(dataDir, 'keys') },
        cloud: { enabled: true, linkFile },
      },
      { logger: pino({ level: 'silent' }) },
    );
    const e = edge;
    const applied = async (id: string, name: string, timeoutMs = 30_000) => {
      const deadline = performance.now() + timeoutMs;
      while (e.access.people.get(id)?.name !== name) {
        if (performance.now() > deadline) throw new Error(`${id} = ${name} not applied at the edge within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 2));
      }
      return performance.now();
    };

    // Console: the staff API, as the console page calls it.
    const versions = new Map<string, number>();
    const viaConsole = async (i: number): Promise<number> => {
      const id = `C${i % Math.ceil(N / 2)}`;
      const name = `控制台${i}`;
      const t0 = performance.now();
      const r = await fetch(`${link.cloudUrl}/api/staff/schools/${link.schoolId}/roster/person/${id}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
        body: JSON.stringify({ data: { name, roles: ['student'], classId: '初一-1班' }, version: versions.get(id) ?? null }),
      });
      if (r.status !== 200) throw new Error(`console PUT ${id}: ${r.status} ${await r.text()}`);
      versions.set(id, ((await r.json()) as { record: { version: number } }).record.version);
      return (await applied(id, name)) - t0;
    };
    // Baseline: the open API's record batch with the school's records key, straight to the feed.
    const viaAdmin = async (i: number): Promise<number> => {
      const id = `A${i % Math.ceil(N / 2)}`;
      const name = `开放接口${i}`;
      const t0 = performance.now();
      const r = await fetch(`${link.cloudUrl}/api/open/v1/schools/${link.schoolId}/records`, {
        method: 'POST',
        headers: { authorization: `Bearer ${link.recordsKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ records: [{ kind: 'person', key: id, data: { name, roles: ['student'], classId: '初一-1班' } }] }),
      });
      if (r.status !== 200) throw new Error(`open API write ${id}: ${r.status} ${await r.text()}`);
      return (await applied(id, name)) - t0;
    };

    await viaConsole(N + 1); // warm-up: the first write also creates the class at the edge
    await viaAdmin(N + 1);
    const console_: number[] = [];
    const base: number[] = [];
    // Interleaved, so load on the machine hits both alike; a short pause as between a person's edits.
    for (let i = 0; i < N; i++) {
      console_.push(await viaConsole(i));
      base.push(await viaAdmin(i));
      await new Promise((r) => setTimeout(r, 50));
    }
    const p95 = percentile([...console_].sort((a, b) => a - b), 95) / 1000;
    const baseP95 = percentile([...base].sort((a, b) => a - b), 95) / 1000;
    const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50) / 1000;
    report({
      name: 'console.change.edge.p95',
      metric: 'p95 latency, console write → applied at a connected edge',
      value: Number(p95.toFixed(3)),
      unit: 's',
      target: '<= 5',
      baseline: { name: 'console.change.edge.baseline.p95', value: Number(baseP95.toFixed(3)), unit: 's' },
      notes: `${N} changes (new people and renames with versions) through the staff API on a cloud process on PostgreSQL; median ${median(console_).toFixed(3)} s, max ${(Math.max(...console_) / 1000).toFixed(3)} s; the baseline writes the same changes through the open API with a records key (median ${median(base).toFixed(3)} s)`,
    });
  } finally {
    await edge?.stop().catch(() => undefined);
    cloud.kill('SIGTERM');
    await Promise.race([cloud.exited, new Promise((r) => setTimeout(r, 10_000))]);
    await killHard(cloud);
    await db.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
