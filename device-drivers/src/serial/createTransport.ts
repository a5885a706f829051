import { z } from 'zod';
import { SerialPathTransport, SerialPathTransportOptionsSchema } from './serialPathTransport.js';
import { TcpSerialServerTransport, TcpSerialServerTransportOptionsSchema } from './tcpSerialServerTransport.js';
import { parseOptions } from './options.js';
import type { ByteTransport } from './transport.js';
import type { DriverLogger } from './logger.js';

/** How a device is reached, as it appears in the edge's config file. */
export const TransportConfigSchema = z.discriminatedUnion('kind', [
  SerialPathTransportOptionsSchema.extend({ kind: z.literal('serial') }),
  TcpSerialServerTransportOptionsSchema.extend({ kind: z.literal('tcp') }),
]);
export type TransportConfig = z.input<typeof TransportConfigSchema>;

export function createTransport(config: TransportConfig, logger?: DriverLogger): ByteTransport {
  const parsed = parseOptions(TransportConfigSchema, config, 'transport');
  const { kind: _kind, ...options } = parsed;
  return parsed.kind === 'serial'
    ? new SerialPathTransport(options as z.input<typeof SerialPathTransportOptionsSchema>, logger)
    : new TcpSerialServerTransport(options as z.input<typeof TcpSerialServerTransportOptionsSchema>, logger);
}
