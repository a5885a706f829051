import { z } from 'zod';
import { EventEnvelopeSchema } from '../events/envelope.js';

/** Edge -> cloud: one batch of outbox events. */
export const INGEST_PATH = '/api/edge/v1/events';

/** Upper bounds the cloud enforces; the client stays below them. */
export const MAX_BATCH_EVENTS = 5000;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export const IngestBatchSchema = z.object({
  events: z.array(EventEnvelopeSchema).min(1).max(MAX_BATCH_EVENTS),
});
export type IngestBatch = z.infer<typeof IngestBatchSchema>;

export const IngestResultSchema = z.object({
  /** Events stored for the first time. */
  accepted: z.number().int().nonnegative(),
  /** Events the cloud already held (a resend after a lost acknowledgement). */
  duplicates: z.number().int().nonnegative(),
});
export type IngestResult = z.infer<typeof IngestResultSchema>;
