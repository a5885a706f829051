import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EventEnvelopeSchema, type EventEnvelope } from '@campus/protocol';
import { emptyCursors, type Lane, type LaneCursors, type OutboxBacklog, type OutboxEntry, type SyncOutbox } from '../outbox.js';
import { LaneIndex, mergeCursors } from './lane-index.js';

/**
 * A tiny durable outbox without SQLite: an append-only JSON-lines log and a cursor file
 * replaced atomically (write, fsync, rename). It exists so the sync client's crash
 * tests run against real files; the edge uses its SQLite store instead.
 */
export class FileOutbox implements SyncOutbox {
  private readonly index = new LaneIndex();
  private acked: LaneCursors = emptyCursors();
  private readonly logPath: string;
  private readonly cursorPath: string;
  private fd: number;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.logPath = join(dir, 'outbox.jsonl');
    this.cursorPath = join(dir, 'cursors.json');
    this.load();
    this.fd = openSync(this.logPath, 'a');
  }

  private load(): void {
    if (existsSync(this.cursorPath)) this.acked = mergeCursors(emptyCursors(), JSON.parse(readFileSync(this.cursorPath, 'utf8')) as LaneCursors);
    if (!existsSync(this.logPath)) return;
    const text = readFileSync(this.logPath, 'utf8');
    let good = 0;
    for (const line of text.split('\n')) {
      if (!line) break;
      let row: { seq: number; event: unknown };
      try {
        row = JSON.parse(line) as typeof row;
      } catch {
        break; // a line torn by a crash mid-append: everything after it is dropped below
      }
      this.index.add({ seq: row.seq, event: EventEnvelopeSchema.parse(row.event) });
      good += Buffer.byteLength(line) + 1;
    }
    if (good < Buffer.byteLength(text)) truncateSync(this.logPath, good);
  }

  append(events: EventEnvelope[]): OutboxEntry[] {
    const rows = events.map((event, i) => ({ seq: this.index.maxSeq + 1 + i, event }));
    writeSync(this.fd, rows.map((r) => JSON.stringify(r) + '\n').join(''));
    fsyncSync(this.fd);
    for (const r of rows) this.index.add(r);
    return rows;
  }

  cursors(): LaneCursors {
    return { ...this.acked };
  }

  pending(lane: Lane, after: number, limit: number): OutboxEntry[] {
    return this.index.pending(lane, after, limit);
  }

  ack(update: Partial<LaneCursors>): void {
    const next = mergeCursors(this.acked, update);
    const tmp = this.cursorPath + '.tmp';
    const fd = openSync(tmp, 'w');
    writeSync(fd, JSON.stringify(next));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.cursorPath);
    this.acked = next;
  }

  backlog(): OutboxBacklog {
    return this.index.backlog(this.acked);
  }

  close(): void {
    closeSync(this.fd);
  }
}
