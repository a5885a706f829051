import type { EventEnvelope, Priority } from '@campus/protocol';

export type Awaitable<T> = T | Promise<T>;

/** A sync lane is an event priority: 0 safety, 1 gate, 2 normal, 3 bulk (telemetry roll-ups). */
export type Lane = Priority;
export const LANES: readonly Lane[] = [0, 1, 2, 3];
/** Lanes sent the moment something is in them, never waiting behind bulk. */
export const URGENT_LANES: readonly Lane[] = [0, 1];
export const BULK_LANES: readonly Lane[] = [2, 3];

/** One outbox row: the store's append sequence number and the event. */
export interface OutboxEntry {
  seq: number;
  event: EventEnvelope;
}

/** Highest acknowledged seq per lane (0 = nothing acknowledged yet). */
export type LaneCursors = Record<Lane, number>;

export interface OutboxBacklog {
  /** Entries above the stored cursors, per lane. */
  pendingByLane: LaneCursors;
  /** When the oldest unacknowledged event was recorded (ms epoch), null when empty. */
  oldestPendingAt: number | null;
}

/**
 * What the sync client reads from the edge store. The edge's SQLite store implements it;
 * cloud-sync ships an in-memory and a file-backed reference, and `outboxContract` in
 * `@campus/cloud-sync/client/testing` checks any implementation.
 *
 * Cursor design: one cursor per lane over the store's append sequence `seq`. Lanes are
 * sent out of order with respect to each other (safety overtakes a telemetry backlog),
 * but inside a lane the client sends and acknowledges strictly in seq order, so "every
 * entry of lane L with seq <= cursor[L] is in the cloud" stays true with four integers
 * and no acked-set. Requirement on the store: an entry with a smaller seq must never
 * become visible after one with a larger seq in the same lane (true for SQLite, whose
 * writes are serialised; assign seq inside the inserting transaction).
 */
export interface SyncOutbox {
  /** The durable per-lane cursors, as last stored by `ack`. */
  cursors(): Awaitable<LaneCursors>;
  /** Up to `limit` entries of `lane` with seq > `after`, ascending by seq. */
  pending(lane: Lane, after: number, limit: number): Awaitable<OutboxEntry[]>;
  /**
   * Durably stores new cursors for the given lanes (all in one write) before resolving.
   * Called only after the cloud answered 2xx. A cursor never moves backwards: a lower
   * value than the stored one is ignored.
   */
  ack(cursors: Partial<LaneCursors>): Awaitable<void>;
  /** Backlog above the stored cursors. Called for status, not on the hot path. */
  backlog(): Awaitable<OutboxBacklog>;
}

export function emptyCursors(): LaneCursors {
  return { 0: 0, 1: 0, 2: 0, 3: 0 };
}
