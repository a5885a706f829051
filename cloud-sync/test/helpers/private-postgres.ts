import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './processes.js';

/**
 * A PostgreSQL server of our own (initdb in a temp dir, its own port), so a test can
 * restart or kill it without disturbing the shared cluster other tests use. Runs as the
 * `postgres` OS user when we are root (PostgreSQL refuses to run as root).
 */
export interface PrivatePostgres {
  url: string;
  restart(mode: 'fast' | 'immediate'): void;
  stop(): void;
  destroy(): void;
}

const BIN = '/usr/lib/postgresql/15/bin';

export function privatePostgresAvailable(): boolean {
  return existsSync(`${BIN}/initdb`) && (process.getuid?.() !== 0 || hasPostgresUser());
}

function hasPostgresUser(): boolean {
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'campus-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  const run = (cmd: string, args: string[]) => {
    const full = [`${BIN}/${cmd}`, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
    execFileSync(asRoot ? 'su' : 'sh', asRoot ? ['postgres', '-s', '/bin/sh', '-c', full] : ['-c', full], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  };
  const data = join(dir, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'campus', '--no-sync', '-E', 'UTF8']);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = () => run('pg_ctl', ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
  const stop = () => {
    try {
      run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    } catch {
      /* already stopped */
    }
  };
  start();
  return {
    url: `postgres://campus@127.0.0.1:${port}/postgres`,
    restart(mode) {
      run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
      start();
    },
    stop,
    destroy() {
      stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
