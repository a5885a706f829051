import { z } from 'zod';
import { RECORD_KINDS, RecordKeySchema } from './records.js';

/**
 * Cloud -> edge change feed. `seq` increases strictly per school and the cloud hands
 * out seq values in commit order, so "everything after my cursor" never skips a
 * change. The feed is compacted: a record appears once, at its latest seq, so an
 * edge offline for days downloads each changed record once, not its history.
 */
export const CHANGES_PATH = '/api/edge/v1/changes';
export const MAX_CHANGES_PAGE = 1000;
/** Long-poll: the cloud holds a request open up to this long when nothing is new. */
export const MAX_CHANGES_WAIT_S = 30;

export const ChangeRecordSchema = z.object({
  seq: z.number().int().positive(),
  kind: z.enum(RECORD_KINDS),
  key: RecordKeySchema,
  op: z.enum(['upsert', 'delete']),
  /** The record (validated by RECORD_SCHEMAS[kind]) for upsert; null for delete. */
  data: z.record(z.string(), z.unknown()).nullable(),
  changedAt: z.number().int().nonnegative(),
});
export type ChangeRecord = z.infer<typeof ChangeRecordSchema>;

export const ChangePageSchema = z.object({
  changes: z.array(ChangeRecordSchema),
  /** Store this after applying `changes`; pass it as `after` next time. */
  cursor: z.number().int().nonnegative(),
  /** More changes are waiting: ask again at once. */
  more: z.boolean(),
});
export type ChangePage = z.infer<typeof ChangePageSchema>;

export const ChangesQuerySchema = z.object({
  after: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().min(1).max(MAX_CHANGES_PAGE).default(500),
  wait: z.coerce.number().int().min(0).max(MAX_CHANGES_WAIT_S).default(0),
  /** The edge's own health, for the console (optional: older edges leave it out). Events not yet acknowledged. */
  backlog: z.coerce.number().int().nonnegative().optional(),
  /** 1 when the edge's wall clock is trusted (NTP or the cloud vouched for it), 0 when not. */
  clock: z.enum(['0', '1']).optional(),
  /** The edge software's version. */
  ver: z.string().regex(/^[0-9A-Za-z.+_-]{1,40}$/).optional(),
});

/** What an edge says of itself on each change-feed request (query `backlog`, `clock`, `ver`). */
export interface EdgeSelfReport {
  backlog: number;
  clockTrusted: boolean;
  version: string;
}
