import { UuidV7Generator, type EventEnvelope, type NewEvent, PRIORITIES } from '@campus/protocol';
import type { Db } from './open.js';
import type { Clock } from '../core/clock.js';

interface EventRow {
  seq: number;
  id: string;
  type: string;
  occurred_at: number;
  recorded_at: number;
  clock_trusted: number;
  reason: string;
  severity: string;
  priority: number;
  source: string;
  subject: string | null;
  data: string;
}

export interface StoredEvent extends EventEnvelope {
  seq: number;
  recordedAt: number;
}

export interface EventQuery {
  limit?: number;
  /** Only events with seq below this (paging backwards). */
  beforeSeq?: number;
  /** Only events whose type starts with this prefix. */
  typePrefix?: string;
  subject?: string;
}

/**
 * The append-only event log. Order is the insertion order (`seq`) and ids are
 * monotonic UUIDv7, so a wall clock that jumps backwards never reorders the log;
 * `occurredAt` keeps the wall time as observed, `clockTrusted` says whether that
 * wall time could be trusted.
 */
export class EventLog {
  private readonly ids: UuidV7Generator;
  private readonly insert;
  private readonly listeners = new Set<(e: StoredEvent) => void>();

  constructor(
    private readonly db: Db,
    private readonly site: string,
    private readonly clock: Clock,
  ) {
    this.ids = new UuidV7Generator(() => clock.monotonicNow());
    this.insert = db.prepare(
      `INSERT INTO events (id, type, occurred_at, recorded_at, clock_trusted, reason, severity, priority, source, subject, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Called after each committed append (the composition root forwards to the bus). */
  onAppended(listener: (e: StoredEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  append(e: NewEvent): StoredEvent {
    const stored = this.write(e);
    this.notify([stored]);
    return stored;
  }

  /** Appends many events in one transaction: all or none. */
  appendMany(events: NewEvent[]): StoredEvent[] {
    const stored = this.db.transaction((list: NewEvent[]) => list.map((e) => this.write(e)))(events);
    this.notify(stored);
    return stored;
  }

  /**
   * Appends events that already have an identity: recorded by another component with
   * its own UUIDv7 (a PC agent or device that buffered while offline and re-sends).
   * Ids already in the log are skipped, so a re-sent event is never stored twice.
   * Returns the events that were new.
   */
  ingest(envelopes: EventEnvelope[]): StoredEvent[] {
    const ignore = this.db.prepare(
      `INSERT OR IGNORE INTO events (id, type, occurred_at, recorded_at, clock_trusted, reason, severity, priority, source, subject, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const stored = this.db.transaction((list: EventEnvelope[]) => {
      const out: StoredEvent[] = [];
      const now = this.clock.now();
      for (const e of list) {
        const info = ignore.run(e.id, e.type, e.occurredAt, now, e.clockTrusted ? 1 : 0, e.reason, e.severity, e.priority, e.source, e.subject, JSON.stringify(e.data));
        if (info.changes === 1) out.push({ ...e, site: this.site, seq: Number(info.lastInsertRowid), recordedAt: now });
      }
      return out;
    })(envelopes);
    this.notify(stored);
    return stored;
  }

  private write(e: NewEvent): StoredEvent {
    const now = this.clock.now();
    const id = this.ids.next();
    const occurredAt = e.occurredAt ?? now;
    const trusted = this.clock.trusted();
    const severity = e.severity ?? 'info';
    const priority = e.priority ?? PRIORITIES.normal;
    const subject = e.subject ?? null;
    const data = e.data ?? {};
    const info = this.insert.run(id, e.type, occurredAt, now, trusted ? 1 : 0, e.reason, severity, priority, e.source, subject, JSON.stringify(data));
    return {
      seq: Number(info.lastInsertRowid),
      id,
      site: this.site,
      type: e.type,
      occurredAt,
      recordedAt: now,
      clockTrusted: trusted,
      reason: e.reason,
      severity,
      priority,
      source: e.source,
      subject,
      data,
    };
  }

  private notify(events: StoredEvent[]): void {
    if (this.listeners.size === 0) return;
    for (const e of events) for (const l of this.listeners) l(e);
  }

  get(id: string): StoredEvent | undefined {
    const row = this.db.prepare('SELECT * FROM events WHERE id = ?').get(id) as EventRow | undefined;
    return row && fromRow(row, this.site);
  }

  list(q: EventQuery = {}): StoredEvent[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: Math.min(Math.max(q.limit ?? 50, 1), 1000) };
    if (q.beforeSeq !== undefined) {
      where.push('seq < @beforeSeq');
      params.beforeSeq = q.beforeSeq;
    }
    if (q.typePrefix) {
      where.push("type LIKE @tp ESCAPE '\\'");
      params.tp = q.typePrefix.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
    }
    if (q.subject) {
      where.push('subject = @subject');
      params.subject = q.subject;
    }
    const sql = `SELECT * FROM events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq DESC LIMIT @limit`;
    return (this.db.prepare(sql).all(params) as EventRow[]).map((r) => fromRow(r, this.site));
  }

  /** Events after a sequence number in log order (for the sync outbox and replays). */
  after(seq: number, limit: number): StoredEvent[] {
    return (this.db.prepare('SELECT * FROM events WHERE seq > ? ORDER BY seq LIMIT ?').all(seq, limit) as EventRow[]).map((r) => fromRow(r, this.site));
  }

  seqOf(id: string): number | undefined {
    return (this.db.prepare('SELECT seq FROM events WHERE id = ?').get(id) as { seq: number } | undefined)?.seq;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  }

  lastSeq(): number {
    return (this.db.prepare('SELECT coalesce(max(seq), 0) AS s FROM events').get() as { s: number }).s;
  }
}

export function fromRow(r: EventRow, site: string): StoredEvent {
  return {
    seq: r.seq,
    id: r.id,
    site,
    type: r.type,
    occurredAt: r.occurred_at,
    recordedAt: r.recorded_at,
    clockTrusted: r.clock_trusted === 1,
    reason: r.reason,
    severity: r.severity as StoredEvent['severity'],
    priority: r.priority,
    source: r.source,
    subject: r.subject,
    data: JSON.parse(r.data) as Record<string, unknown>,
  };
}
