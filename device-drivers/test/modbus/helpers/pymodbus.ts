import { spawn, execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Debian's interpreter, which has python3-pymodbus; a pyenv python3 on PATH would not. */
export const PYTHON = '/usr/bin/python3';
const peers = (f: string) => fileURLToPath(new URL(`../peers/${f}`, import.meta.url));

export interface PymodbusSlaveSpec {
  mode: 'rtu-serial' | 'tcp' | 'rtu-tcp';
  port: string | number;
  units: Record<string, Partial<Record<'input' | 'holding' | 'coil' | 'discrete', { floats?: Record<string, number>; words?: Record<string, number>; bits?: Record<string, boolean> }>>>;
}

export interface PymodbusSlave {
  /** The serial path, or the TCP port it listens on. */
  port: string | number;
  stop(): Promise<void>;
}

export function startPymodbusSlave(spec: PymodbusSlaveSpec): Promise<PymodbusSlave> {
  const child = spawn(PYTHON, [peers('pymodbus_slave.py'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`pymodbus slave did not start: ${stderr}`));
    }, 20_000);
    child.stdout.on('data', (d: Buffer) => {
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

export function runPymodbusClient(spec: PymodbusClientSpec): Promise<PymodbusClientResult> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [peers('pymodbus_client.py'), JSON.stringify(spec)], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`pymodbus client failed: ${err.message} ${stderr}`));
      resolve(JSON.parse(stdout) as PymodbusClientResult);
    });
  });
}
