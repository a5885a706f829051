import { z } from 'zod';
import { ID_RE } from '@campus/protocol';
import { interFrameGapMs, type LineFormat } from './wire-time.js';

/**
 * Configuration of one physical bus. One bus = one serialized queue: an RS-485
 * pair, one Modbus TCP device, or one serial server port.
 */
const SerialTransportSchema = z.strictObject({
  kind: z.literal('rtu'),
  path: z.string().min(1).describe('e.g. /dev/ttyUSB0 or /dev/serial/by-id/...'),
  baudRate: z.number().int().min(300).max(921_600).default(9600),
  dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
  parity: z.enum(['none', 'even', 'odd']).default('none'),
  stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
});

const TcpTransportSchema = z.strictObject({
  kind: z.literal('tcp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(502),
  connectTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
});

const RtuOverTcpTransportSchema = z.strictObject({
  kind: z.literal('rtu-over-tcp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  connectTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
  /**
   * Baud rate of the RS-485 side of the serial server, if known. Used to allow
   * for wire time in the response timeout and to keep frames apart.
   */
  lineBaudRate: z.number().int().min(300).max(921_600).optional(),
});

export const ModbusTransportSchema = z.discriminatedUnion('kind', [SerialTransportSchema, TcpTransportSchema, RtuOverTcpTransportSchema]);
export type ModbusTransportConfig = z.output<typeof ModbusTransportSchema>;

export const ModbusBusConfigSchema = z.strictObject({
  id: z.string().regex(ID_RE, 'letters, digits, - _ . (max 64)'),
  transport: ModbusTransportSchema,
  /**
   * How long a device may take to start answering. The wire time of the expected
   * reply at the line's baud rate is added on top, so a 125-register read at
   * 1200 baud does not time out merely for being long.
   */
  timeoutMs: z.number().int().min(10).max(60_000).default(500),
  /** Silence between the end of one transaction and the next request. Default: 3.5 characters (RTU), 0 (TCP). */
  interFrameDelayMs: z.number().min(0).max(5000).optional(),
  /** Extra attempts after a timeout, CRC or frame error (not after an exception reply). */
  retries: z.number().int().min(0).max(5).default(1),
  /**
   * Failed transactions in a row (after retries) before a silent device counts as
   * offline. A device that answers garbage (CRC/frame errors) gets two more.
   */
  offlineAfterFailures: z.number().int().min(1).max(20).default(1),
  /** An offline device gets one probe per interval; all else for it is skipped. */
  offlineProbeIntervalMs: z.number().int().min(50).max(3_600_000).default(60_000),
  reconnect: z
    .strictObject({
      minDelayMs: z.number().int().min(10).max(60_000).default(250),
      maxDelayMs: z.number().int().min(10).max(600_000).default(10_000),
    })
    .default({ minDelayMs: 250, maxDelayMs: 10_000 }),
});
export type ModbusBusConfigInput = z.input<typeof ModbusBusConfigSchema>;
export type ModbusBusConfig = z.output<typeof ModbusBusConfigSchema>;

/**
 * What may differ between devices sharing one line: how long each may take, how
 * hard to try and how to bench it. A gate relay board wants a quick probe after a
 * power blip; a meter on the same RS-485 pair is fine with one a minute. Fields left
 * out take the bus's value.
 */
export const ModbusDevicePolicySchema = z.strictObject({
  timeoutMs: ModbusBusConfigSchema.shape.timeoutMs.unwrap().optional(),
  retries: ModbusBusConfigSchema.shape.retries.unwrap().optional(),
  offlineAfterFailures: ModbusBusConfigSchema.shape.offlineAfterFailures.unwrap().optional(),
  offlineProbeIntervalMs: ModbusBusConfigSchema.shape.offlineProbeIntervalMs.unwrap().optional(),
});
export type ModbusDevicePolicyInput = z.input<typeof ModbusDevicePolicySchema>;
export type ModbusDevicePolicy = Pick<ModbusBusConfig, 'timeoutMs' | 'retries' | 'offlineAfterFailures' | 'offlineProbeIntervalMs'>;

/** Line timing of an RTU-framed bus, when the baud rate is known. */
export function lineFormatOf(t: ModbusTransportConfig): LineFormat | null {
  if (t.kind === 'rtu') return { baudRate: t.baudRate, dataBits: t.dataBits, parity: t.parity, stopBits: t.stopBits };
  if (t.kind === 'rtu-over-tcp' && t.lineBaudRate) return { baudRate: t.lineBaudRate };
  return null;
}

export function defaultInterFrameDelayMs(t: ModbusTransportConfig): number {
  const line = lineFormatOf(t);
  if (t.kind === 'rtu' && line) return interFrameGapMs(line);
  // The serial server spaces frames on its RS-485 side itself; a little slack helps cheap ones.
  if (t.kind === 'rtu-over-tcp') return line ? interFrameGapMs(line) : 2;
  return 0;
}
