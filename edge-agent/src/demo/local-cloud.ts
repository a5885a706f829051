import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/**
 * The demo's local cloud: the cloud-sync service as its own process on PGlite (the
 * edge may not import the server; it talks to it over HTTP like any edge). It
 * provisions a demo school and this edge, and writes the link file the edge reads.
 */
export interface LocalCloud {
  url: string;
  linkFile: string;
  stop(): Promise<void>;
}

export function cloudBinPath(): string {
  return fileURLToPath(new URL('../../../cloud-sync/dist/bin/campus-cloud.js', import.meta.url));
}

export async function startLocalCloud(opts: { dataDir: string; site: string; port: number; host?: string }): Promise<LocalCloud> {
  const bin = cloudBinPath();
  if (!existsSync(bin)) throw new Error(`本地云服务未构建：请先运行 npm run build / the local cloud is not built: run npm run build (${bin})`);
  const linkFile = join(opts.dataDir, 'cloud-link.json');
  const child: ChildProcess = spawn(process.execPath, [bin, 'start'], {
    env: {
      ...process.env,
      PORT: String(opts.port),
      HOST: opts.host ?? '127.0.0.1',
      CAMPUS_CLOUD_DATA_DIR: join(opts.dataDir, 'cloud'),
      CAMPUS_CLOUD_DEMO: '1',
      CAMPUS_CLOUD_DEMO_SITE: opts.site,
      CAMPUS_CLOUD_DEMO_FILE: linkFile,
    },
    // stdout carries the line with the cloud's address; its log (JSON lines on stderr) is
    // passed on with secrets hidden, and demo sign-in codes shown as a plain line.
    // The IPC channel is only there so the cloud exits when the edge does, however it ends.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  eachLine(child.stderr!, (line) => {
    const shown = cloudLogLine(line);
    if (shown?.stream === 'stdout') process.stdout.write(shown.text + '\n');
    else if (shown) process.stderr.write(shown.text + '\n');
  });
  const url = await new Promise<string>((resolve, reject) => {
    eachLine(child.stdout!, (line) => {
      try {
        const msg = JSON.parse(line) as { listening?: unknown };
        if (typeof msg.listening === 'string') resolve(msg.listening);
      } catch {
        /* not JSON */
      }
    });
    child.once('exit', (code) => reject(new Error(`本地云服务启动失败 / the local cloud exited with code ${code}`)));
  });
  return {
    url,
    linkFile,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        // A cloud that does not finish its shutdown in 5 s is killed: the demo must not leave orphans.
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

function eachLine(stream: Readable, onLine: (line: string) => void): void {
  let buf = '';
  stream.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) onLine(line);
    }
  });
}

/** Keys whose values never reach the terminal (the cloud logs its admin token at start). */
const SECRET_KEY = /token|password|secret|private|apikey|^key$/i;

/**
 * What the demo terminal shows of one line of the local cloud's log: a demo sign-in code
 * as a plain line on stdout (the parent app cannot be tried without it), any other line on
 * stderr with the values of secret keys hidden; null for nothing.
 */
export function cloudLogLine(line: string): { stream: 'stdout' | 'stderr'; text: string } | null {
  let msg: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { stream: 'stderr', text: line };
    msg = parsed as Record<string, unknown>;
  } catch {
    return { stream: 'stderr', text: line };
  }
  if (typeof msg.msg === 'string' && msg.msg.startsWith('demo: parent sign-in code') && typeof msg.phone === 'string' && (typeof msg.code === 'string' || typeof msg.code === 'number')) {
    return { stream: 'stdout', text: `[家长端 parent app] 验证码 sign-in code ${String(msg.code)} → ${msg.phone}` };
  }
  let hidden = false;
  const safe = Object.fromEntries(
    Object.entries(msg).map(([k, v]) => {
      if (!SECRET_KEY.test(k)) return [k, v];
      hidden = true;
      return [k, '[HIDDEN]'];
    }),
  );
  return { stream: 'stderr', text: hidden ? JSON.stringify(safe) : line };
}
