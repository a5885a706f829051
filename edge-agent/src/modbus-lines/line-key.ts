import { realpathSync } from 'node:fs';
import { lineFormatOf, type ModbusBusConfig, type ModbusTransportConfig } from '@campus/device-drivers/modbus/index';

/**
 * The physical line a transport names: a serial device (by its real path, so
 * /dev/serial/by-id/... and /dev/ttyUSB0 are one line when plugged in) or a TCP
 * endpoint. Modbus TCP and RTU over TCP on one host:port are one line too: the
 * same socket cannot carry both framings.
 */
export function lineKeyOf(t: ModbusTransportConfig): string {
  if (t.kind === 'rtu') return `serial:${realPathOr(t.path)}`;
  return `tcp:${t.host.toLowerCase()}:${t.port}`;
}

/** A person's name for the line, for messages. */
export function lineLabelOf(t: ModbusTransportConfig): string {
  return t.kind === 'rtu' ? t.path : `${t.host}:${t.port}`;
}

function realPathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path; // not plugged in yet: the name is all there is
  }
}

/**
 * What every user of one line must agree on: framing, the serial format, the
 * known RS-485 baud rate behind a serial server, the gap between frames. Other
 * settings (timeouts, retries, back-off) are per device and may differ.
 */
export function lineSettingsOf(c: Pick<ModbusBusConfig, 'transport' | 'interFrameDelayMs'>): string {
  const t = c.transport;
  const parts: string[] = [framingOf(t)];
  const line = lineFormatOf(t);
  if (t.kind === 'rtu' && line) parts.push(`${line.baudRate} ${line.dataBits}${(line.parity ?? 'none')[0]!.toUpperCase()}${line.stopBits}`);
  if (t.kind === 'rtu-over-tcp' && t.lineBaudRate) parts.push(`${t.lineBaudRate} baud`);
  if (c.interFrameDelayMs !== undefined) parts.push(`gap ${c.interFrameDelayMs} ms`);
  return parts.join(', ');
}

function framingOf(t: ModbusTransportConfig): string {
  return t.kind === 'tcp' ? 'Modbus TCP' : t.kind === 'rtu' ? 'RTU' : 'RTU over TCP';
}

/**
 * True when two configs of one line disagree. A setting one of them leaves out
 * (lineBaudRate, interFrameDelayMs) takes the other's and is no conflict.
 */
export function lineSettingsConflict(a: Pick<ModbusBusConfig, 'transport' | 'interFrameDelayMs'>, b: Pick<ModbusBusConfig, 'transport' | 'interFrameDelayMs'>): boolean {
  const ta = a.transport;
  const tb = b.transport;
  if (ta.kind !== tb.kind) return true;
  if (ta.kind === 'rtu' && tb.kind === 'rtu') {
    if (ta.baudRate !== tb.baudRate || ta.dataBits !== tb.dataBits || ta.parity !== tb.parity || ta.stopBits !== tb.stopBits) return true;
  }
  if (ta.kind === 'rtu-over-tcp' && tb.kind === 'rtu-over-tcp' && ta.lineBaudRate && tb.lineBaudRate && ta.lineBaudRate !== tb.lineBaudRate) return true;
  return a.interFrameDelayMs !== undefined && b.interFrameDelayMs !== undefined && a.interFrameDelayMs !== b.interFrameDelayMs;
}
