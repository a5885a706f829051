import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real pseudo-terminal pair from socat: bytes written to `a` come out of `b` and the
 * other way round, like a null-modem cable. `unplug()` kills socat (both ends hang up,
 * like a USB adapter pulled out), `replug()` starts it again on the same link paths.
 */
export class PtyPair {
  readonly dir: string;
  readonly a: string;
  readonly b: string;
  #proc: ChildProcess | null = null;

  private constructor(dir: string) {
    this.dir = dir;
    this.a = join(dir, 'a');
    this.b = join(dir, 'b');
  }

  static async start(): Promise<PtyPair> {
    const pair = new PtyPair(mkdtempSync(join(tmpdir(), 'campus-pty-')));
    await pair.replug();
    return pair;
  }

  get running(): boolean {
    return this.#proc !== null;
  }

  async replug(): Promise<void> {
    if (this.#proc) return;
    const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.a}`, `pty,raw,echo=0,link=${this.b}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.#proc = proc;
    await new Promise<void>((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`socat did not start: ${log}`)), 5000);
      proc.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        if (log.includes('starting data transfer loop') && existsSync(this.a) && existsSync(this.b)) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`socat exited early (${code}): ${log}`));
      });
    });
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

  async dispose(): Promise<void> {
    await this.unplug();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
