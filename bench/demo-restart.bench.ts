import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { report } from './lib.js';

/*
 * demo.restart.healthz: `npm start` with nothing changed (the demo's data folder already
 * initialised, every package and the panel already built) until the panel answers
 * /healthz. The first start (which may build) is not measured.
 */

const root = new URL('..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'campus-demo-restart-'));

function start(): { child: ChildProcess; url: Promise<string> } {
  const child = spawn('npm', ['start'], {
    cwd: root,
    detached: true, // its own process group: Ctrl-C reaches npm, the edge and the demo's helpers
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CAMPUS_EDGE__DATA_DIR: dataDir, CAMPUS_EDGE__HTTP__PORT: '0', CAMPUS_EDGE__MQTT__PORT: '0', CAMPUS_EDGE__MQTT__TLS__PORT: '0', CAMPUS_EDGE__LOG__LEVEL: 'warn', CAMPUS_DEMO_CLOUD_PORT: '0' },
  });
  const url = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /面板 Panel:\s+(http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`npm start exited ${code}: ${out}`)));
  });
  return { child, url };
}

async function healthy(url: string): Promise<void> {
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).status === 200) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid!, 'SIGINT');
  const t = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 20_000);
  await exited;
  clearTimeout(t);
}

try {
  const first = start();
  await healthy(await first.url);
  await stop(first.child);
  const times: number[] = [];
  for (let i = 0; i < 2; i++) {
    const t0 = performance.now();
    const again = start();
    await healthy(await again.url);
    times.push((performance.now() - t0) / 1000);
    await stop(again.child);
  }
  report({
    name: 'demo.restart.healthz',
    metric: 'seconds from npm start (nothing changed) to /healthz 200',
    value: Math.round(Math.min(...times) * 10) / 10,
    unit: 's',
    target: '<= 10',
    notes: `runs: ${times.map((t) => t.toFixed(1)).join(', ')} s`,
  });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
