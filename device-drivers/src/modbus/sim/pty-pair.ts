import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A virtual serial cable: two pseudo-terminals joined by socat. Whatever is
 * written to one end comes out of the other, byte for byte, like an RS-485
 * pair between a USB adapter and a device. Needs socat (apt install socat).
 */
export interface PtyPair {
  /** The master side (the edge's bus opens this). */
  readonly a: string;
  /** The device side (a simulator opens this). */
  readonly b: string;
  /** Kills socat: both ends vanish, as with a pulled cable or an unplugged USB adapter. */
  unplug(): Promise<void>;
  /** Starts socat again with the same paths (plugged back in). */
  replug(): Promise<void>;
  /** Kills socat and removes the temporary directory. */
  close(): Promise<void>;
}

export async function openPtyPair(options: { dir?: string; name?: string } = {}): Promise<PtyPair> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'modbus-pty-'));
  const name = options.name ?? 'bus';
  const a = join(dir, `${name}-master`);
  const b = join(dir, `${name}-device`);
  let child: ChildProcess | null = null;

  const start = async () => {
    const p = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child = p;
    const deadline = Date.now() + 5000;
    while (!(existsSync(a) && existsSync(b))) {
      if (p.exitCode !== null || p.signalCode !== null) throw new Error(`socat exited: ${stderr.trim() || p.exitCode}`);
      if (Date.now() > deadline) throw new Error(`socat did not create ${a} and ${b}: ${stderr.trim()}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    // socat logs "starting data transfer loop" once both ptys are wired together.
    while (!stderr.includes('starting data transfer loop') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  };

  const stop = async () => {
    const p = child;
    child = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  };

  await start();
  return {
    a,
    b,
    unplug: stop,
    replug: async () => {
      await stop();
      await start();
    },
    close: async () => {
      await stop();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
