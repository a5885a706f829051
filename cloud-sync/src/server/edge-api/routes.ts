import express, { type Router } from 'express';
import { IngestBatchSchema, MAX_BATCH_BYTES } from '@campus/protocol/sync/ingest';
import { ChangesQuerySchema } from '@campus/protocol/sync/changes';
import { badRequest } from '../http/errors.js';
import { DEFAULT_INGEST_GATE, IngestGate } from './backpressure.js';
import type { RecordStore } from '../feed/records.js';
import type { AuthenticatedEdge, EdgeAuthenticator } from './edge-auth.js';
import type { EventIngest } from './ingest.js';

/**
 * The signed API edges talk to: POST events, GET changes (long-poll). Ingests pass the
 * process's backpressure gate (a short bounded wait in line, then 429 with Retry-After).
 */
export function edgeRoutes(auth: EdgeAuthenticator, ingest: EventIngest, records: RecordStore, gate: IngestGate = new IngestGate(DEFAULT_INGEST_GATE)): Router {
  const r = express.Router();
  // Raw bytes: the signature covers the body exactly as sent.
  r.use(express.raw({ type: () => true, limit: MAX_BATCH_BYTES }));
  // An upload's nonce is claimed in its ingest transaction (one commit per batch, not two).
  r.use(auth.middleware((req) => req.method === 'POST' && req.path === '/events'));

  r.post('/events', async (req, res) => {
    const edge = res.locals.edge as AuthenticatedEdge;
    let json: unknown;
    try {
      json = JSON.parse((req.body as Buffer).toString('utf8'));
    } catch {
      throw badRequest('body is not JSON');
    }
    const batch = IngestBatchSchema.safeParse(json);
    if (!batch.success) {
      const first = batch.error.issues[0];
      throw badRequest(`${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}`);
    }
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const result = await gate.run(() => ingest.ingest(edge, batch.data.events), gone.signal);
    res.json(result);
  });

  r.get('/changes', async (req, res) => {
    const edge = res.locals.edge as AuthenticatedEdge;
    const q = ChangesQuerySchema.safeParse(req.query);
    if (!q.success) throw badRequest(q.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    // Best effort: a failed note only delays the console's "applied" status to the next poll.
    const report = { backlog: q.data.backlog, clockTrusted: q.data.clock === undefined ? undefined : q.data.clock === '1', version: q.data.ver };
    await records.noteEdgeCursor(edge.edgeId, q.data.after, Date.now(), report).catch(() => undefined);
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    res.json(await records.waitForChanges(edge.schoolId, q.data.after, q.data.limit, q.data.wait * 1000, abort.signal));
  });
  return r;
}
