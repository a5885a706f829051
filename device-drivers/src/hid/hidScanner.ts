import { z } from 'zod';
import type { DriverLogger } from '../serial/logger.js';
import { parseOptions } from '../serial/options.js';
import { FramingSchema } from '../qr/framing.js';
import { QrReader } from '../qr/reader.js';
import { HidKeyboardTransport, HidKeyboardTransportOptionsSchema } from './hidKeyboardTransport.js';

export const HidScannerConfigSchema = HidKeyboardTransportOptionsSchema.extend({
  id: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/),
  // The decoder turns every terminator key into CR, so strict CR framing is exact here.
  framing: FramingSchema.prefault({ terminator: 'CR' }),
  ignoreLines: z.array(z.string().min(1).max(256)).max(16).default([]),
  repeatSuppressMs: z.number().int().min(0).max(60_000).default(0),
});
export type HidScannerConfig = z.input<typeof HidScannerConfigSchema>;

/**
 * A USB keyboard-wedge scanner as a QrReader: the same 'scan', 'bad-frame' and 'state'
 * events as a serial reader, so the gate logic does not care which kind is installed.
 * feedback() answers 'unsupported'-like results: such scanners beep on their own.
 */
export function createHidScanner(config: HidScannerConfig, logger?: DriverLogger): QrReader {
  const parsed = parseOptions(HidScannerConfigSchema, config, `hid-scanner ${String((config as { id?: unknown }).id ?? '')}`);
  const { id, framing, ignoreLines, repeatSuppressMs, ...transport } = parsed;
  return new QrReader(new HidKeyboardTransport(transport, logger), { id, framing, ignoreLines, repeatSuppressMs }, logger);
}
