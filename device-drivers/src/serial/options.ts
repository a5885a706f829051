import { z } from 'zod';
import { bilingual } from '@campus/protocol/i18n';
import './messages.js';

/** Serial line settings. Defaults are the factory settings of most QR modules and relay boards: 9600 8N1. */
export const SerialLineSchema = z.strictObject({
  path: z.string().min(1).describe('device path; prefer /dev/serial/by-id/... so a replug keeps its name'),
  baudRate: z.number().int().min(300).max(4_000_000).default(9600),
  dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)]).default(8),
  parity: z.enum(['none', 'even', 'odd', 'mark', 'space']).default('none'),
  stopBits: z.union([z.literal(1), z.literal(1.5), z.literal(2)]).default(1),
  rtscts: z.boolean().default(false),
});
export type SerialLine = z.infer<typeof SerialLineSchema>;

export const BackoffSchema = z.strictObject({
  initialDelayMs: z.number().int().min(10).max(10_000).default(100),
  // The 2 s replug promise holds only while the cap stays at or below ~1 s.
  maxDelayMs: z.number().int().min(50).max(60_000).default(1000),
});

/** A serial-to-Ethernet converter (USR-TCP232 style) in TCP server mode; we are its client. */
export const TcpEndpointSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  connectTimeoutMs: z.number().int().min(100).max(60_000).default(3000),
  keepAliveMs: z.number().int().min(0).max(600_000).default(5000),
  /**
   * Reconnect when nothing arrives for this long. Only useful when the converter sends
   * a heartbeat (a silent cable cut is otherwise found only by TCP keepalive). 0 = off.
   */
  silenceTimeoutMs: z.number().int().min(0).max(3_600_000).default(0),
});
export type TcpEndpoint = z.infer<typeof TcpEndpointSchema>;

export class DriverConfigError extends Error {
  readonly code = 'EDRIVERCONFIG';
  readonly text: { 'zh-CN': string; en: string };
  constructor(what: string, issues: string) {
    const text = bilingual('device.config.invalid', { what, issues });
    super(text.en);
    this.name = 'DriverConfigError';
    this.text = text;
  }
}

/** Parses driver options at the edge of the driver; a bad config fails loudly and in both languages. */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new DriverConfigError(what, issues);
}
