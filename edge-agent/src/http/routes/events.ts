import { z } from 'zod';
import { bilingual } from '@campus/protocol/i18n';
import type { ApiRouter } from '../router.js';
import type { Store, StoredEvent } from '../../store/index.js';
import type { Visibility } from '../visibility.js';
import { EventsAnswerSchema } from '@campus/protocol/admin/api';

export function panelEvent(e: StoredEvent) {
  const { seq: _seq, recordedAt: _r, ...env } = e;
  return { ...env, text: bilingual(`reason.${e.reason}`, flatParams(e.data)) };
}

function flatParams(data: Record<string, unknown>): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(data)) {
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}

const EventsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.string().max(64).optional().describe('Event id: return events older than this one'),
  type: z.string().regex(/^[a-z0-9_.]{1,64}$/).optional().describe('Type prefix, e.g. "access."'),
  subject: z.string().max(128).optional(),
});

export function eventRoutes(api: ApiRouter, deps: { store: Store; visibility: Visibility }): void {
  api.add({
    method: 'get',
    path: '/api/events',
    summary: 'Recent events visible to the signed-in user, newest first',
    tag: 'events',
    access: 'any',
    query: EventsQuery,
    response: EventsAnswerSchema,
    handler: ({ user, query }) => {
      const beforeSeq = query.before ? deps.store.events.seqOf(query.before) : undefined;
      const out: ReturnType<typeof panelEvent>[] = [];
      let cursor = beforeSeq;
      // Filter by role in pages, so a restricted user still gets `limit` events.
      for (let pages = 0; pages < 20 && out.length < query.limit; pages++) {
        const batch = deps.store.events.list({ limit: 200, beforeSeq: cursor, typePrefix: query.type, subject: query.subject });
        for (const e of batch) {
          if (deps.visibility.maySee(user!.roles, e.type)) out.push(panelEvent(e));
          if (out.length >= query.limit) break;
        }
        if (batch.length < 200) break;
        cursor = batch[batch.length - 1]!.seq;
      }
      return { events: out };
    },
  });
}
