import { z } from 'zod';
import { ID_RE } from '../topics.js';

/**
 * Health of one Modbus bus and of each device on it, as the edge exports them as
 * metrics and the panel shows them. Counters only grow (reset when the daemon restarts).
 */
export const MODBUS_BUS_STATES = ['connecting', 'open', 'down', 'stopped'] as const;
export type ModbusBusState = (typeof MODBUS_BUS_STATES)[number];

export const ModbusBusStatusSchema = z.object({
  busId: z.string().regex(ID_RE),
  state: z.enum(MODBUS_BUS_STATES),
  since: z.number().int().nonnegative(),
  /** Reason code of the last link failure, e.g. "modbus.link_down". */
  lastError: z.string().nullable(),
  /** Human detail of the last link failure (OS error text); not translated. */
  lastErrorDetail: z.string().nullable(),
  reconnects: z.number().int().nonnegative(),
  /** Bytes that arrived when no request was waiting: noise, echoes, late replies. */
  strayBytes: z.number().int().nonnegative(),
  queued: z.number().int().nonnegative(),
});
export type ModbusBusStatus = z.infer<typeof ModbusBusStatusSchema>;

export const MODBUS_DEVICE_STATES = ['unknown', 'online', 'offline'] as const;
export type ModbusDeviceState = (typeof MODBUS_DEVICE_STATES)[number];

export const ModbusDeviceStatsSchema = z.object({
  busId: z.string().regex(ID_RE),
  unit: z.number().int().min(0).max(255),
  state: z.enum(MODBUS_DEVICE_STATES),
  /** Frames put on the wire for this device, retries included. */
  requests: z.number().int().nonnegative(),
  /** Valid replies (normal or exception). */
  responses: z.number().int().nonnegative(),
  timeouts: z.number().int().nonnegative(),
  crcErrors: z.number().int().nonnegative(),
  /** Short, overlong, garbled or inconsistent replies. */
  frameErrors: z.number().int().nonnegative(),
  /** Exception replies by exception code (decimal string -> count). */
  exceptions: z.record(z.string(), z.number().int().nonnegative()),
  retries: z.number().int().nonnegative(),
  /** Requests answered from the backoff without touching the wire. */
  skipped: z.number().int().nonnegative(),
  consecutiveFailures: z.number().int().nonnegative(),
  lastGoodReadAt: z.number().int().nullable(),
  lastErrorAt: z.number().int().nullable(),
  /** Reason code of the last failure, e.g. "modbus.timeout" or "modbus.exception.2". */
  lastError: z.string().nullable(),
  /** While offline: when the next probe may go out. */
  nextProbeAt: z.number().int().nullable(),
});
export type ModbusDeviceStats = z.infer<typeof ModbusDeviceStatsSchema>;
