import type { EventEnvelope } from '@campus/protocol';
import { emptyCursors, type Lane, type LaneCursors, type OutboxBacklog, type OutboxEntry, type SyncOutbox } from '../outbox.js';
import { LaneIndex, mergeCursors } from './lane-index.js';

/** In-memory outbox: the reference for tests and for a cloud-less demo. Not durable. */
export class MemoryOutbox implements SyncOutbox {
  private readonly index = new LaneIndex();
  private acked: LaneCursors = emptyCursors();

  append(events: EventEnvelope[]): OutboxEntry[] {
    return events.map((event) => {
      const entry = { seq: this.index.maxSeq + 1, event };
      this.index.add(entry);
      return entry;
    });
  }

  cursors(): LaneCursors {
    return { ...this.acked };
  }

  pending(lane: Lane, after: number, limit: number): OutboxEntry[] {
    return this.index.pending(lane, after, limit);
  }

  ack(update: Partial<LaneCursors>): void {
    this.acked = mergeCursors(this.acked, update);
  }

  backlog(): OutboxBacklog {
    return this.index.backlog(this.acked);
  }
}
