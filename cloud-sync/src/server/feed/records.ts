import { z } from 'zod';
import { RECORD_KINDS, RECORD_SCHEMAS, RecordKeySchema, type RecordKind } from '@campus/protocol/sync/records';
import type { ChangePage, ChangeRecord } from '@campus/protocol/sync/changes';
import type { Database, Queryable } from '../db/database.js';
import { badRequest, notFound } from '../http/errors.js';
import { CHANGES_CHANNEL, type ChangeNotifier } from './change-notifier.js';
import { pickupSecret, withCodeKey } from '../bus/pickup-codes.js';

export const RecordWriteSchema = z.union([
  z.object({ kind: z.enum(RECORD_KINDS), key: RecordKeySchema, data: z.record(z.string(), z.unknown()) }),
  z.object({ kind: z.enum(RECORD_KINDS), key: RecordKeySchema, delete: z.literal(true) }),
]);
export type RecordWrite = z.infer<typeof RecordWriteSchema>;
export const RecordBatchSchema = z.object({ records: z.array(RecordWriteSchema).min(1).max(5000) });

interface RecordRow {
  kind: RecordKind;
  key: string;
  data: Record<string, unknown> | null;
  deleted: boolean;
  seq: number;
  changed_at: number;
}

/**
 * Cloud-owned records and the change feed over them. Every write takes the school row's
 * lock to draw its seq numbers, so seqs commit in increasing order per school: a feed
 * reader that has seen seq N will never later find an uncommitted N-1 appear.
 */
/** Safety-net re-check of a waiting long-poll; wake-ups come from NOTIFY. */
const RECHECK_MS = 10_000;

export class RecordStore {
  constructor(
    private readonly db: Database,
    private readonly notifier: ChangeNotifier,
  ) {}

  /** Validates every record first, then writes all in one transaction. Returns the new feed cursor. */
  async write(schoolId: string, writes: RecordWrite[]): Promise<number> {
    const cursor = await this.db.transaction((tx) => this.writeIn(tx, schoolId, writes));
    this.notifier.notify(schoolId);
    return cursor;
  }

  /**
   * The same write inside the caller's transaction (a staff write and its audit row commit
   * together). The caller calls `changed(schoolId)` after its commit.
   */
  async writeIn(tx: Queryable, schoolId: string, writes: RecordWrite[]): Promise<number> {
    const rows = writes.map((w, i) => {
      if ('delete' in w) return { ...w, data: null as Record<string, unknown> | null, deleted: true };
      const parsed = RECORD_SCHEMAS[w.kind].safeParse(w.data);
      if (!parsed.success) throw badRequest(`records[${i}] (${w.kind}/${w.key}): ${parsed.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`);
      return { kind: w.kind, key: w.key, data: parsed.data as Record<string, unknown>, deleted: false };
    });
    if (new Set(rows.map((x) => `${x.kind}/${x.key}`)).size !== rows.length) throw badRequest('the same kind/key appears twice in one batch');
    // Every pickup person gets its one-time-code key here, whichever path writes it (staff,
    // a guardian's accepted request, an import, the admin API): derived from the school's
    // secret, the key and passVersion, so raising passVersion retires the old codes.
    if (rows.some((x) => x.kind === 'pickup_person' && x.data)) {
      const secret = await pickupSecret(tx, schoolId);
      for (const x of rows) if (x.kind === 'pickup_person' && x.data) x.data = withCodeKey(secret, x.key, x.data);
    }
    const now = Date.now();
    const r = await tx.query<{ change_seq: number }>('UPDATE schools SET change_seq = change_seq + $2 WHERE id = $1 RETURNING change_seq', [schoolId, rows.length]);
    const top = r.rows[0]?.change_seq;
    if (top === undefined) throw notFound();
    const first = top - rows.length + 1;
    await tx.query(
      `INSERT INTO records (school_id, kind, key, data, deleted, seq, changed_at)
       SELECT $1, k, key, d::jsonb, del, s, $7 FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[], $6::bigint[]) AS t(k, key, d, del, s)
       ON CONFLICT (school_id, kind, key) DO UPDATE SET data = EXCLUDED.data, deleted = EXCLUDED.deleted, seq = EXCLUDED.seq, changed_at = EXCLUDED.changed_at`,
      [schoolId, rows.map((x) => x.kind), rows.map((x) => x.key), rows.map((x) => (x.data ? JSON.stringify(x.data) : null)), rows.map((x) => x.deleted), rows.map((_, i) => first + i), now],
    );
    // Delivered at commit to every cloud process LISTENing (their long-polls wake); nothing if rolled back.
    await tx.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, schoolId]);
    return top;
  }

  /**
   * Notes the cursor an edge asks the feed from: the edge applies a page and its cursor in
   * one transaction before asking again, so every change up to it is applied there. This
   * is what tells the console when a write has reached each edge. Written only on change.
   */
  async noteEdgeCursor(edgeId: string, after: number, now = Date.now(), report?: { backlog?: number | undefined; clockTrusted?: boolean | undefined; version?: string | undefined }): Promise<void> {
    await this.db.query('UPDATE edges SET feed_cursor = $2, feed_cursor_at = $3 WHERE id = $1 AND feed_cursor <> $2', [edgeId, after, now]);
    // What the edge says of itself (backlog, clock, version): written when it changes or is a minute old.
    if (report && (report.backlog !== undefined || report.clockTrusted !== undefined || report.version !== undefined)) {
      await this.db.query(
        `UPDATE edges SET report_backlog = $2::integer, report_clock_trusted = $3::boolean, report_version = $4::text, report_at = $5::bigint
         WHERE id = $1 AND (report_backlog IS DISTINCT FROM $2::integer OR report_clock_trusted IS DISTINCT FROM $3::boolean OR report_version IS DISTINCT FROM $4::text OR report_at IS NULL OR report_at < $5::bigint - 60000)`,
        [edgeId, report.backlog ?? null, report.clockTrusted ?? null, report.version ?? null, now],
      );
    }
  }

  /** Wakes this process's long-polls of the school after a commit. */
  changed(schoolId: string): void {
    this.notifier.notify(schoolId);
  }

  async get(schoolId: string, kind: RecordKind, key: string): Promise<Record<string, unknown> | null> {
    const r = await this.db.query<{ data: Record<string, unknown> }>('SELECT data FROM records WHERE school_id = $1 AND kind = $2 AND key = $3 AND NOT deleted', [schoolId, kind, key]);
    return r.rows[0]?.data ?? null;
  }

  async changesAfter(schoolId: string, after: number, limit: number): Promise<ChangePage> {
    const r = await this.db.query<RecordRow>(
      'SELECT kind, key, data, deleted, seq, changed_at FROM records WHERE school_id = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [schoolId, after, limit + 1],
    );
    const more = r.rows.length > limit;
    const rows = more ? r.rows.slice(0, limit) : r.rows;
    const changes: ChangeRecord[] = rows.map((x) => ({ seq: x.seq, kind: x.kind, key: x.key, op: x.deleted ? 'delete' : 'upsert', data: x.deleted ? null : x.data, changedAt: x.changed_at }));
    return { changes, cursor: rows.length ? rows[rows.length - 1]!.seq : after, more };
  }

  /** Long-poll: answers at once when something is new, else waits for a change or the deadline. */
  async waitForChanges(schoolId: string, after: number, limit: number, waitMs: number, signal?: AbortSignal): Promise<ChangePage> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const seen = this.notifier.version(schoolId);
      const page = await this.changesAfter(schoolId, after, limit);
      const left = deadline - Date.now();
      if (page.changes.length || left <= 0 || signal?.aborted) return page;
      // Writes of any cloud process wake us through LISTEN/NOTIFY; the periodic re-check is
      // only a safety net (a notification lost with its connection is reported as a gap).
      await this.notifier.wait(schoolId, Math.min(left, RECHECK_MS), signal, seen);
    }
  }
}
