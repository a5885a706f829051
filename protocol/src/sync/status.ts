import { z } from 'zod';

/**
 * How cloud sync is doing, as the edge's sync client reports it (cloud-sync's
 * CloudSyncClient.status() returns this type) and GET /api/sync/status answers it.
 */
const laneCounts = z.object({ 0: z.number().int(), 1: z.number().int(), 2: z.number().int(), 3: z.number().int() });

export const SYNC_STATES = ['stopped', 'idle', 'sending', 'catching_up', 'backing_off'] as const;

export const SyncErrorSchema = z.object({ at: z.number(), status: z.number().int().optional(), message: z.string() });
export type SyncError = z.infer<typeof SyncErrorSchema>;

export const ChangeFeedStateSchema = z.object({
  cursor: z.number().int(),
  applied: z.number().int(),
  lastAppliedAt: z.number().nullable(),
  lastError: SyncErrorSchema.nullable(),
  /** True after the feed answered "nothing more" at least once since start. */
  upToDate: z.boolean(),
});
export type ChangeFeedState = z.infer<typeof ChangeFeedStateSchema>;

export const SyncStatusSchema = z.object({
  state: z.enum(SYNC_STATES),
  /** Unsent events (above the acknowledged cursors). */
  backlog: z.number().int(),
  backlogByLane: laneCounts,
  /** Age of the oldest unsent event in ms; null when nothing is pending. */
  oldestPendingAgeMs: z.number().nullable(),
  /** Events per second acknowledged by the cloud over the last ten seconds. */
  ratePerSec: z.number(),
  /** Seconds until the backlog is gone at the current rate; null when idle or stalled. */
  etaSeconds: z.number().nullable(),
  /** 0..1 for the panel's progress bar while catching up (1 when nothing is pending). */
  progress: z.number(),
  sentTotal: z.number().int(),
  duplicatesTotal: z.number().int(),
  lastSuccessAt: z.number().nullable(),
  lastError: SyncErrorSchema.nullable(),
  cursors: laneCounts,
  feed: ChangeFeedStateSchema.nullable(),
});
export type SyncStatus = z.infer<typeof SyncStatusSchema>;

/** GET /api/sync/status: the client's status, or the local backlog when sync is off. */
export const SyncStatusAnswerSchema = z.union([
  z.object({
    enabled: z.literal(false),
    backlog: z.object({ pendingByLane: laneCounts, oldestPendingAt: z.number().nullable() }),
    /** Cloud records (people, leaves ...) held on the edge. */
    records: z.number().int(),
  }),
  z.object({ enabled: z.literal(true), status: SyncStatusSchema.nullable(), records: z.number().int() }),
]);
export type SyncStatusAnswer = z.infer<typeof SyncStatusAnswerSchema>;
