import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
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
    // The cloud logs JSON lines on stderr-free stdout; keep them visible with the edge's.
    // The IPC channel is only there so the cloud exits when the edge does, however it ends.
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const msg = JSON.parse(line) as { listening?: string; msg?: string; code?: string };
          if (msg.listening) {
            resolve(msg.listening);
            continue;
          }
          // Demo sign-in codes for the parent app are printed by the cloud; pass them on.
          if (/code|验证码/i.test(line)) process.stdout.write(`[cloud] ${line}\n`);
        } catch {
          /* not JSON */
        }
      }
    };
    child.stdout!.on('data', onData);
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
