import { uuidV7Time, type EventEnvelope } from '@campus/protocol';
import { emptyCursors, LANES, type Lane, type LaneCursors, type OutboxBacklog, type OutboxEntry } from '../outbox.js';

/** Per-lane, seq-ordered lists with binary search: the shared core of both reference outboxes. */
export class LaneIndex {
  private readonly lanes: OutboxEntry[][] = [[], [], [], []];
  private lastSeq = 0;

  get maxSeq(): number {
    return this.lastSeq;
  }

  add(entry: OutboxEntry): void {
    if (entry.seq <= this.lastSeq) throw new Error(`outbox seq must increase (${entry.seq} after ${this.lastSeq})`);
    this.lastSeq = entry.seq;
    this.lanes[laneOf(entry.event)]!.push(entry);
  }

  pending(lane: Lane, after: number, limit: number): OutboxEntry[] {
    const list = this.lanes[lane]!;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.seq <= after) lo = mid + 1;
      else hi = mid;
    }
    return list.slice(lo, lo + Math.max(0, limit));
  }

  backlog(cursors: LaneCursors): OutboxBacklog {
    const pendingByLane = emptyCursors();
    let oldest: number | null = null;
    for (const lane of LANES) {
      const rows = this.pending(lane, cursors[lane], Number.MAX_SAFE_INTEGER);
      pendingByLane[lane] = rows.length;
      const first = rows[0];
      if (first) {
        const t = uuidV7Time(first.event.id);
        if (oldest === null || t < oldest) oldest = t;
      }
    }
    return { pendingByLane, oldestPendingAt: oldest };
  }
}

export function laneOf(event: EventEnvelope): Lane {
  return Math.min(3, Math.max(0, event.priority)) as Lane;
}

export function mergeCursors(current: LaneCursors, update: Partial<LaneCursors>): LaneCursors {
  const next = { ...current };
  for (const lane of LANES) {
    const v = update[lane];
    if (v !== undefined && v > next[lane]) next[lane] = v;
  }
  return next;
}
