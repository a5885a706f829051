import { SerialPort } from 'serialport';
import { waitFor } from '@campus/testkit';

/** Polls `check` until it returns true (the shared test kit's waitFor); generous timeouts, since tests assert behaviour, not speed. */
export async function eventually(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  await waitFor(check, what, timeoutMs);
}

export { sleep } from '@campus/testkit';

/** The device's end of a pty pair, opened with serialport like any host program would. */
export async function openPeer(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  port.on('error', () => {});
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  return port;
}

export function writePeer(port: SerialPort, data: Buffer | string): Promise<void> {
  return new Promise((resolve, reject) => {
    port.write(data, (err: Error | null | undefined) => (err ? reject(err) : port.drain(() => resolve())));
  });
}

export async function closePeer(port: SerialPort): Promise<void> {
  if (!port.isOpen) return;
  await new Promise<void>((resolve) => port.close(() => resolve()));
}

/** Collects every chunk a source emits, as one growing buffer. */
export function collectBytes(source: { on(event: 'data', l: (chunk: Buffer) => void): unknown }): { bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  source.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
  return { bytes: () => Buffer.concat(chunks) };
}
