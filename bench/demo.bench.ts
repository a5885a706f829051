/**
 * demo.restart.healthz: restart of the demo — the README's `npm start` with nothing
 * changed — until /healthz answers 200 with status "ok" (every enabled domain started).
 *
 * `npm start` runs in the repository with a temporary data folder and any free ports
 * (CAMPUS_EDGE__DATA_DIR, CAMPUS_EDGE__HTTP__PORT, CAMPUS_EDGE__MQTT__PORT,
 * CAMPUS_EDGE__MQTT__TLS__PORT, CAMPUS_DEMO_CLOUD_PORT = 0, all on 127.0.0.1: on a shared
 * machine a port picked in advance can be taken during a build); the panel's URL is read
 * from the start-up banner ("Panel: http://..."). The first start
 * builds whatever is not built yet and creates the demo's data; it is not measured. Then it
 * is stopped (Ctrl-C to its process group, as in a terminal) and started again
 * DEMO_BENCH_RESTARTS times (default 3), each timed from the spawn of `npm start` until
 * /healthz is 200; the median is reported. Everything started is stopped, also on failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, report, waitHealthy } from './lib.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const RESTARTS = Number(process.env.DEMO_BENCH_RESTARTS ?? 3);

interface Running {
  child: ChildProcess;
  output: () => string;
  /** The panel's URL once the banner ("Panel: http://...") was printed. */
  panel: () => string | null;
}

const groups = new Set<number>();

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* already gone */
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

// Whatever happens, nothing this bench started outlives it.
process.on('exit', () => {
  for (const g of groups) killGroup(g, 'SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    for (const g of groups) killGroup(g, 'SIGKILL');
    process.exit(130);
  });
}

function npmStart(env: Record<string, string>): Running {
  // Its own process group: npm, the shell it runs, the build, the edge and the demo's helpers.
  const child = spawn('npm', ['start'], { cwd: REPO, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  groups.add(child.pid!);
  let tail = '';
  let panel: string | null = null;
  const keep = (d: Buffer) => {
    const before = tail.slice(-300);
    tail = (tail + d.toString()).slice(-6000);
    const m = panel ? null : /Panel:\s+(http:\/\/\S+)\s/.exec(before + d.toString());
    if (m) panel = m[1]!.replace(/\/$/, '');
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => tail, panel: () => panel };
}

async function stop(r: Running): Promise<number> {
  const pgid = r.child.pid!;
  const t0 = performance.now();
  killGroup(pgid, 'SIGINT');
  const deadline = Date.now() + 20_000;
  while (groupAlive(pgid) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
  if (groupAlive(pgid)) {
    console.log(`npm start did not stop within 20 s of Ctrl-C; killed`);
    killGroup(pgid, 'SIGKILL');
    while (groupAlive(pgid)) await new Promise((res) => setTimeout(res, 50));
  }
  groups.delete(pgid);
  return (performance.now() - t0) / 1000;
}

/** The panel's URL from the banner `npm start` prints once the edge listens. */
async function panelUrl(running: Running, timeoutMs: number): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const url = running.panel();
    if (url) return url;
    if (running.child.exitCode !== null || running.child.signalCode !== null) throw new Error('npm start exited before it printed the panel URL');
    if (performance.now() > deadline) throw new Error(`no "Panel: http://..." line within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function startTimed(env: Record<string, string>, timeoutMs: number): Promise<{ running: Running; seconds: number; waitedFor: Record<string, unknown> | null }> {
  const t0 = performance.now();
  const running = npmStart(env);
  try {
    const url = `${await panelUrl(running, timeoutMs)}/healthz`;
    const { lastNotReady } = await waitHealthy(url, () => running.child.exitCode === null && running.child.signalCode === null, timeoutMs);
    return { running, seconds: (performance.now() - t0) / 1000, waitedFor: lastNotReady };
  } catch (err) {
    await stop(running);
    throw new Error(`${(err as Error).message}\n--- npm start output (tail) ---\n${running.output()}`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'campus-demo-bench-'));
try {
  const env = {
    CAMPUS_EDGE__DATA_DIR: join(dir, 'data'),
    CAMPUS_EDGE__HTTP__HOST: '127.0.0.1',
    CAMPUS_EDGE__HTTP__PORT: '0',
    CAMPUS_EDGE__MQTT__HOST: '127.0.0.1',
    CAMPUS_EDGE__MQTT__PORT: '0',
    CAMPUS_EDGE__MQTT__TLS__PORT: '0',
    CAMPUS_DEMO_CLOUD_PORT: '0',
  };

  // First start: builds what is missing, creates the database, keys, certificate and the cloud's data.
  const first = await startTimed(env, 15 * 60_000);
  console.log(`first start (not measured): ${first.seconds.toFixed(1)} s`);
  const stops = [await stop(first.running)];

  const restarts: number[] = [];
  let waitedFor: Record<string, unknown> | null = null;
  for (let i = 0; i < RESTARTS; i++) {
    const r = await startTimed(env, 10 * 60_000);
    restarts.push(r.seconds);
    waitedFor = r.waitedFor ?? waitedFor;
    console.log(`restart ${i + 1}: ${r.seconds.toFixed(2)} s to /healthz 200`);
    stops.push(await stop(r.running));
  }
  report({
    name: 'demo.restart.healthz',
    metric: `\`npm start\` with nothing changed (already built, demo data created) → /healthz 200 with status "ok", temp data folder, free ports (median of ${RESTARTS} restarts)`,
    value: Number(median(restarts).toFixed(2)),
    unit: 's',
    target: '<= 10',
    restarts: restarts.map((s) => Number(s.toFixed(2))),
    firstStartS: Number(first.seconds.toFixed(1)),
    stopS: Number(Math.max(...stops).toFixed(2)),
    lastNotReadyChecks: waitedFor,
  });
} finally {
  for (const g of groups) killGroup(g, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
