import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Debian's python3-pymodbus as a Modbus slave nobody on this team wrote, through
 * the device-drivers package's peer script (run by path: a Python file, not an
 * import). Prints "READY <port>" when serving.
 */
const SCRIPT = fileURLToPath(new URL('../../../../device-drivers/test/modbus/peers/pymodbus_slave.py', import.meta.url));

export interface PymodbusTcpSlave {
  port: number;
  stop(): Promise<void>;
}

export type PymodbusTables = Partial<Record<'input' | 'holding' | 'coil' | 'discrete', { floats?: Record<string, number>; words?: Record<string, number>; bits?: Record<string, boolean> }>>;

export function startPymodbusTcp(units: Record<string, PymodbusTables>): Promise<PymodbusTcpSlave> {
  const child = spawn('/usr/bin/python3', [SCRIPT, JSON.stringify({ mode: 'tcp', port: 0, units })], { stdio: ['ignore', 'pipe', 'pipe'] });
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
      const m = /READY (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pymodbus slave exited with ${code}: ${stderr}`));
    });
  });
}
