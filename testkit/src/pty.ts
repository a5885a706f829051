import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A virtual serial cable: two pseudo-terminals joined by socat (apt install socat).
 * Bytes written to `a` come out of `b` and the other way round, like a null-modem
 * cable or an RS-485 pair between a USB adapter and a device. `unplug()` kills socat
 * (both ends hang up, like a USB adapter pulled out), `replug()` starts it again on
 * the same link paths.
 */
export class PtyPair {
  /** The host side (the edge's driver opens this). */
  readonly a: string;
  /** The device side (a simulator or a peer opens this). */
  readonly b: string;
  #proc: ChildProcess | null = null;

  private constructor(
    readonly dir: string,
    name: string,
    private readonly ownDir: boolean,
  ) {
    this.a = join(dir, name === '' ? 'a' : `${name}-master`);
    this.b = join(dir, name === '' ? 'b' : `${name}-device`);
  }

  /** Starts socat; `name` names the link files, `dir` (kept on close) holds them. */
  static async start(options: { dir?: string; name?: string } = {}): Promise<PtyPair> {
    const ownDir = options.dir === undefined;
    const pair = new PtyPair(options.dir ?? mkdtempSync(join(tmpdir(), 'campus-pty-')), options.name ?? '', ownDir);
    await pair.replug();
    return pair;
  }

  get running(): boolean {
    return this.#proc !== null;
  }

  async replug(): Promise<void> {
    if (this.#proc) return;
    const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.#proc = proc;
    try {
      await new Promise<void>((resolve, reject) => {
        let log = '';
        const timer = setTimeout(() => reject(new Error(`socat did not start within 5 s: ${log.trim()}`)), 5000);
        proc.once('error', (err) => {
          clearTimeout(timer);
          reject(new Error(`socat could not be started (apt install socat): ${err.message}`));
        });
        proc.stderr!.on('data', (d: Buffer) => {
          log += d.toString();
          // socat logs "starting data transfer loop" once both ptys are wired together.
          if (log.includes('starting data transfer loop') && existsSync(this.a) && existsSync(this.b)) {
            clearTimeout(timer);
            resolve();
          }
        });
        proc.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`socat exited early (${code}): ${log.trim()}`));
        });
      });
    } catch (err) {
      this.#proc = null;
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      throw err;
    }
    proc.stderr!.resume();
  }

  async unplug(): Promise<void> {
    const proc = this.#proc;
    if (!proc) return;
    this.#proc = null;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  }

  /** Kills socat and removes the link directory (unless the caller gave it). */
  async close(): Promise<void> {
    await this.unplug();
    if (this.ownDir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Same as close(). */
  dispose(): Promise<void> {
    return this.close();
  }
}

/** A started pty pair (see PtyPair). */
export function openPtyPair(options: { dir?: string; name?: string } = {}): Promise<PtyPair> {
  return PtyPair.start(options);
}
