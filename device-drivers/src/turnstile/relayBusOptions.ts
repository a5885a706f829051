import { z } from 'zod';
import type { ModbusBusConfigInput, ModbusDevicePolicyInput, ModbusTransportConfig } from '../modbus/config.js';
import { BackoffSchema, SerialLineSchema } from '../serial/options.js';

/**
 * The `link` of a relay bus in the access config. The shape predates the shared Modbus
 * bus manager and stays as it was; Modbus RTU itself narrows the serial settings
 * (8 or 7 data bits, no/even/odd parity, 1 or 2 stop bits, no RTS/CTS on RS-485).
 */
export const ModbusLinkSchema = z.discriminatedUnion('kind', [
  /** RS-485 through a local adapter. */
  SerialLineSchema.extend({
    kind: z.literal('rtu'),
    dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
    parity: z.enum(['none', 'even', 'odd']).default('none'),
    stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
    rtscts: z.literal(false).default(false).describe('RS-485 Modbus lines have no RTS/CTS handshake; must stay false'),
  }),
  /** Modbus TCP (MBAP), e.g. an Ethernet relay board. */
  z.strictObject({ kind: z.literal('tcp'), host: z.string().min(1), port: z.number().int().min(1).max(65535).default(502) }),
  /** RTU frames through a transparent serial-to-Ethernet converter. */
  z.strictObject({ kind: z.literal('rtu-over-tcp'), host: z.string().min(1), port: z.number().int().min(1).max(65535) }),
]);
export type ModbusLink = z.input<typeof ModbusLinkSchema>;

export const ModbusCoilBusOptionsSchema = z.strictObject({
  link: ModbusLinkSchema,
  /** Per request. A relay board answers an FC05 in a few ms at 9600 baud. */
  timeoutMs: z.number().int().min(20).max(10_000).default(500),
  connectTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
  /** Failed requests in a row after which the board counts as offline (then probed every backoff.maxDelayMs). */
  maxTimeouts: z.number().int().min(1).max(100).default(3),
  /** Reconnect delays of the link; maxDelayMs is also how often an offline board is probed. */
  backoff: BackoffSchema.default({ initialDelayMs: 100, maxDelayMs: 1000 }),
  /** Kept for old configs; the shared Modbus line notices a vanished adapter by itself. */
  presenceCheckMs: z.number().int().min(0).max(60_000).default(500),
});
export type ModbusCoilBusOptions = z.input<typeof ModbusCoilBusOptionsSchema>;
export type ModbusCoilBusConfig = z.output<typeof ModbusCoilBusOptionsSchema>;

export interface RelayBusLine {
  /** Everything of a ModbusBus config except its id. */
  bus: Omit<ModbusBusConfigInput, 'id'> & { transport: ModbusTransportConfig };
  /** How each relay board on the line is served. */
  board: ModbusDevicePolicyInput;
}

/**
 * A relay bus from the access config as a Modbus line plus the policy of its boards.
 * Boards get no retries (a gate command that failed is better reported at once; the
 * person scans again) and, once silent, a probe every backoff.maxDelayMs so a board
 * that lost power is driven again within about a second of coming back.
 */
export function relayBusLine(options: ModbusCoilBusConfig): RelayBusLine {
  const l = options.link;
  const transport: ModbusTransportConfig =
    l.kind === 'rtu'
      ? { kind: 'rtu', path: l.path, baudRate: l.baudRate, dataBits: l.dataBits, parity: l.parity, stopBits: l.stopBits }
      : { kind: l.kind, host: l.host, port: l.port, connectTimeoutMs: options.connectTimeoutMs };
  return {
    bus: {
      transport,
      timeoutMs: options.timeoutMs,
      retries: 0,
      offlineAfterFailures: options.maxTimeouts,
      offlineProbeIntervalMs: options.backoff.maxDelayMs,
      reconnect: { minDelayMs: options.backoff.initialDelayMs, maxDelayMs: options.backoff.maxDelayMs },
    },
    board: {
      timeoutMs: options.timeoutMs,
      retries: 0,
      offlineAfterFailures: options.maxTimeouts,
      offlineProbeIntervalMs: options.backoff.maxDelayMs,
    },
  };
}

/** The link id gate pages have always shown for a relay bus. */
export function relayLinkId(link: z.output<typeof ModbusLinkSchema>): string {
  return link.kind === 'rtu' ? `modbus-rtu:${link.path}` : `modbus-${link.kind}:${link.host}:${link.port}`;
}
