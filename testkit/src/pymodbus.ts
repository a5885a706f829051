import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * Debian's python3-pymodbus as the Modbus peer nobody on this team wrote: a slave
 * (meters, any register map), a relay board that reports every coil write, and a
 * client. Needs python3-pymodbus, python3-serial and python3-serial-asyncio (apt's
 * --no-install-recommends leaves the last two out).
 */

/** Debian's interpreter, which has python3-pymodbus; a pyenv python3 on PATH would not. */
export const PYTHON = '/usr/bin/python3';
/** The peer scripts (testkit/peers/, beside src/ and dist/). */
export const peerScript = (file: string): string => fileURLToPath(new URL(`../peers/${file}`, import.meta.url));

export type PymodbusTables = Partial<
  Record<'input' | 'holding' | 'coil' | 'discrete', { floats?: Record<string, number>; words?: Record<string, number>; bits?: Record<string, boolean> }>
>;

export interface PymodbusSlaveSpec {
  mode: 'rtu-serial' | 'tcp' | 'rtu-tcp';
  /** The serial path, or the TCP port (0: pymodbus picks one and says which). */
  port: string | number;
  baudrate?: number;
  units: Record<string, PymodbusTables>;
}

export interface PymodbusSlave {
  /** The serial path, or the TCP port it listens on. */
  port: string | number;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
}

/** A pymodbus slave serving `units`; only the listed addresses exist (others answer exception 2). */
export function startPymodbusSlave(spec: PymodbusSlaveSpec): Promise<PymodbusSlave> {
  const child = spawn(PYTHON, [peerScript('pymodbus_slave.py'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = stopper(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`pymodbus slave did not start within 20 s: ${stderr}`));
    }, 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ port: spec.mode === 'rtu-serial' ? m[1]! : Number(m[1]), stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pymodbus slave exited with ${code}: ${stderr}`));
    });
  });
}

/** A pymodbus slave on Modbus TCP (a free port picked by pymodbus). */
export function startPymodbusTcp(units: Record<string, PymodbusTables>): Promise<PymodbusSlave & { port: number }> {
  return startPymodbusSlave({ mode: 'tcp', port: 0, units }) as Promise<PymodbusSlave & { port: number }>;
}

export interface PymodbusClientSpec {
  mode: 'rtu-serial' | 'tcp';
  port: string | number;
  reads?: Array<{ unit: number; table: 'input' | 'holding' | 'coil'; address: number; count: number; as?: 'float' | 'words' | 'bits' }>;
  writes?: Array<{ unit: number; coil: number; value: boolean }>;
}

export interface PymodbusClientResult {
  reads: Array<{ floats?: number[]; words?: number[]; bits?: boolean[]; error?: string }>;
  writes: Array<{ error: boolean }>;
}

/** Runs pymodbus's client once: the reads and writes of `spec`, in order; what it got back. */
export function runPymodbusClient(spec: PymodbusClientSpec): Promise<PymodbusClientResult> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [peerScript('pymodbus_client.py'), JSON.stringify(spec)], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`pymodbus client failed: ${err.message} ${stderr}`));
      resolve(JSON.parse(stdout) as PymodbusClientResult);
    });
  });
}

/** A coil write the board saw: the first coil (protocol address) and the values written from it. */
export interface CoilWrite {
  write: number;
  values: boolean[];
}

/**
 * A 16-channel relay board played by pymodbus (unit 1): coils 0..15 are relays, discrete
 * inputs 0..15 sensors. Every coil write lands in `writes`; `setInput` moves a sensor.
 */
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
    const proc = spawn(PYTHON, [peerScript('pymodbus_relay_board.py'), mode, String(where)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const board = new PymodbusBoard(proc);
    let buffered = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`pymodbus relay board did not start within 15 s: ${board.#log}`)), 15_000);
      proc.stdout!.on('data', (d: Buffer) => {
        buffered += d.toString();
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
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
        reject(new Error(`pymodbus relay board exited (${code}): ${board.#log}`));
      });
    });
    return board;
  }

  setInput(input: number, value: boolean): void {
    this.#proc.stdin!.write(`input ${input} ${value ? 1 : 0}\n`);
  }

  stop(): Promise<void> {
    return stopper(this.#proc)();
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
