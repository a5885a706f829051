import type { z } from 'zod';
import { createTransport, TransportConfigSchema } from '../serial/createTransport.js';
import { parseOptions } from '../serial/options.js';
import type { DriverLogger } from '../serial/logger.js';
import { QrReader, QrReaderOptionsSchema } from './reader.js';

/** A reader as it appears in the edge config: how to reach it plus how it frames. */
export const QrReaderConfigSchema = QrReaderOptionsSchema.extend({ transport: TransportConfigSchema });
export type QrReaderConfig = z.input<typeof QrReaderConfigSchema>;

export function createQrReader(config: QrReaderConfig, logger?: DriverLogger): QrReader {
  const parsed = parseOptions(QrReaderConfigSchema, config, `qr-reader ${String((config as { id?: unknown }).id ?? '')}`);
  const { transport, ...options } = parsed;
  return new QrReader(createTransport(transport, logger), options, logger);
}
