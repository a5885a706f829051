import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The demo campus (`campus-edge demo`) as a child process: a real edge (SQLite, aedes,
 * express, socket.io) with its simulated gates, meters and PCs, serving the built panel.
 * Loopback only, ports chosen by the system, its own data folder, no local cloud.
 * The panel may not import the edge, so the test starts its built binary.
 */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const daemon = join(repoRoot, 'edge-agent', 'dist', 'bin', 'campus-edge.js');
const panelIndex = join(repoRoot, 'web-panel', 'dist', 'index.html');

export interface DemoEdge {
  url: string;
  admin: { username: string; password: string };
  stop(): Promise<void>;
}

export async function startDemoEdge(dataDir: string): Promise<DemoEdge> {
  for (const f of [daemon, panelIndex]) if (!existsSync(f)) throw new Error(`${f} is missing: run "npm run build" first.`);
  const config = join(dataDir, 'edge.json');
  writeFileSync(
    config,
    JSON.stringify({
      dataDir: join(dataDir, 'data'),
      http: { host: '127.0.0.1', port: 0 },
      mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
    }),
  );
  const child: ChildProcess = spawn(process.execPath, [daemon, 'demo', '--config', config], {
    env: { ...process.env, CAMPUS_DEMO_CLOUD: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo did not start in 90 s:\n${output.slice(-3000)}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /(?:面板 Panel):\s+(http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with ${code}:\n${output.slice(-3000)}`));
    });
  });
  const admin = /Demo admin:\s+(\S+) \/ (\S+)/.exec(output);
  return {
    url,
    admin: { username: admin?.[1] ?? 'admin', password: admin?.[2] ?? 'campus-demo' },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
