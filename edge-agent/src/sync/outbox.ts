import type { LaneCursors, Lane, OutboxBacklog, OutboxEntry, SyncOutbox } from '@campus/cloud-sync/client';
import type { Db } from '../store/open.js';
import { fromRow } from '../store/events.js';

type EventRow = Parameters<typeof fromRow>[0];

/**
 * The edge's outbox is its event log: lane = event priority, order = seq (assigned
 * in the inserting transaction, so a smaller seq is never visible after a larger
 * one). The sync client keeps one durable cursor per lane.
 */
export class SqliteOutbox implements SyncOutbox {
  private readonly pendingStmt;
  private readonly ackStmt;

  constructor(
    private readonly db: Db,
    private readonly site: string,
  ) {
    this.pendingStmt = db.prepare('SELECT * FROM events WHERE priority = ? AND seq > ? ORDER BY seq LIMIT ?');
    this.ackStmt = db.prepare('UPDATE sync_cursor SET seq = max(seq, ?) WHERE lane = ?');
  }

  cursors(): LaneCursors {
    const out: LaneCursors = { 0: 0, 1: 0, 2: 0, 3: 0 };
    for (const r of this.db.prepare('SELECT lane, seq FROM sync_cursor').all() as Array<{ lane: Lane; seq: number }>) out[r.lane] = r.seq;
    return out;
  }

  pending(lane: Lane, after: number, limit: number): OutboxEntry[] {
    return (this.pendingStmt.all(lane, after, limit) as EventRow[]).map((r) => {
      const { seq, recordedAt: _r, ...event } = fromRow(r, this.site);
      return { seq, event };
    });
  }

  ack(cursors: Partial<LaneCursors>): void {
    this.db.transaction(() => {
      for (const [lane, seq] of Object.entries(cursors)) if (seq !== undefined) this.ackStmt.run(seq, Number(lane));
    })();
  }

  backlog(): OutboxBacklog {
    const pendingByLane: LaneCursors = { 0: 0, 1: 0, 2: 0, 3: 0 };
    let oldest: number | null = null;
    for (const { lane, seq } of this.db.prepare('SELECT lane, seq FROM sync_cursor').all() as Array<{ lane: Lane; seq: number }>) {
      const r = this.db.prepare('SELECT count(*) AS n, min(recorded_at) AS oldest FROM events WHERE priority = ? AND seq > ?').get(lane, seq) as { n: number; oldest: number | null };
      pendingByLane[lane] = r.n;
      if (r.oldest !== null && (oldest === null || r.oldest < oldest)) oldest = r.oldest;
    }
    return { pendingByLane, oldestPendingAt: oldest };
  }
}
