import { SerialPort } from 'serialport';
import type { SimulatedModbusLine } from './line.js';
import { RtuResponder } from './rtu-responder.js';

export interface RtuSerialSlave {
  readonly path: string;
  readonly droppedBytes: number;
  close(): Promise<void>;
}

/** Serves a simulated line as RTU slaves on a serial device (one end of a pty pair in tests and the demo). */
export async function startRtuSerialSlave(line: SimulatedModbusLine, options: { path: string; baudRate?: number }): Promise<RtuSerialSlave> {
  const port = new SerialPort({ path: options.path, baudRate: options.baudRate ?? 9600, autoOpen: false, lock: false });
  await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
  const responder = new RtuResponder(line, (bytes) => {
    if (port.isOpen) port.write(bytes);
  });
  port.on('data', (chunk: Buffer) => responder.onData(chunk));
  port.on('error', () => undefined);
  return {
    path: options.path,
    get droppedBytes() {
      return responder.droppedBytes;
    },
    close: async () => {
      responder.close();
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
}
