import type { ModbusTransportConfig } from './config.js';
import type { ByteLink } from './link.js';
import { SerialLink } from './serial-link.js';
import { TcpLink } from './tcp-link.js';

/** The byte link for a parsed transport config: a serial port for RTU, a socket for TCP and RTU-over-TCP. */
export function createByteLink(t: ModbusTransportConfig): ByteLink {
  if (t.kind === 'rtu') return new SerialLink({ path: t.path, baudRate: t.baudRate, dataBits: t.dataBits, parity: t.parity, stopBits: t.stopBits });
  return new TcpLink({ host: t.host, port: t.port, connectTimeoutMs: t.connectTimeoutMs });
}
