import { z } from 'zod';
import { EventEnvelopeSchema } from '@campus/protocol';
import { redactEventData } from './sensitive.js';

/** Columns of `events` the open API reads. */
export const EVENT_COLUMNS = 'id, site, edge_id, type, occurred_at, received_at, clock_trusted, reason, severity, priority, source, subject, data';

export interface EventRow {
  id: string;
  site: string;
  edge_id: string;
  type: string;
  occurred_at: number;
  received_at: number;
  clock_trusted: boolean;
  reason: string;
  severity: string;
  priority: number;
  source: string;
  subject: string | null;
  data: Record<string, unknown>;
}

/** An event as the open API, webhooks and exports give it: the edge's envelope, when the cloud received it, what was withheld. */
export const OpenEventSchema = EventEnvelopeSchema.extend({
  receivedAt: z.number().int().describe('ms since epoch, when the cloud stored it'),
  edgeId: z.string(),
  redacted: z.array(z.string()).describe('Sensitive fields withheld (the key or subscription lacks the `sensitive` scope)'),
}).describe('An event recorded by an edge of the school');
export type OpenEvent = z.infer<typeof OpenEventSchema>;

export function openEvent(r: EventRow, sensitive: boolean): OpenEvent {
  const d = redactEventData(r.data, sensitive);
  return {
    id: r.id,
    site: r.site,
    type: r.type,
    occurredAt: r.occurred_at,
    clockTrusted: r.clock_trusted,
    reason: r.reason,
    severity: r.severity as OpenEvent['severity'],
    priority: r.priority,
    source: r.source,
    subject: r.subject,
    data: d.value,
    receivedAt: r.received_at,
    edgeId: r.edge_id,
    redacted: d.removed,
  };
}
