import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./fixtures/pymodbus_relay_board.py', import.meta.url));

export interface CoilWrite {
  write: number;
  values: boolean[];
}

/** Debian's pymodbus playing a relay board: the peer nobody on the team wrote. */
export class PymodbusBoard {
  readonly writes: CoilWrite[] = [];
  #proc: ChildProcess;
  #log = '';

  private constructor(proc: ChildProcess) {
    this.#proc = proc;
  }

  static async start(mode: 'tcp', port: number): Promise<PymodbusBoard>;
  static async start(mode: 'rtu', path: string): Promise<PymodbusBoard>;
  static async start(mode: 'tcp' | 'rtu', where: number | string): Promise<PymodbusBoard> {
    const proc = spawn('/usr/bin/python3', [SCRIPT, mode, String(where)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const board = new PymodbusBoard(proc);
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`pymodbus did not start: ${board.#log}`)), 10_000);
      proc.stdout!.on('data', (d: Buffer) => {
        buffered += d.toString();
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          const msg = JSON.parse(line) as Record<string, unknown>;
          if ('ready' in msg) {
            clearTimeout(timer);
            resolve();
          } else if ('write' in msg) board.writes.push(msg as unknown as CoilWrite);
        }
      });
      proc.stderr!.on('data', (d: Buffer) => (board.#log += d.toString()));
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`pymodbus exited (${code}): ${board.#log}`));
      });
    });
    return board;
  }

  setInput(input: number, value: boolean): void {
    this.#proc.stdin!.write(`input ${input} ${value ? 1 : 0}\n`);
  }

  async stop(): Promise<void> {
    const proc = this.#proc;
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  }
}

/** A TCP port nobody listens on right now (for peers that cannot listen on port 0 and tell us). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
