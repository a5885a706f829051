import { z } from 'zod';
import type { Database, Queryable } from './database.js';

/**
 * The `events` table is partitioned by month of `occurred_at` (UTC months; times are ms
 * since epoch), with a default partition for anything outside the months that exist (an
 * edge whose clock says 1980, rows from before partitioning). Partitions are created ahead
 * of time; one for a month that already has rows in the default partition is filled by
 * moving them out first, so creation never fails on overlap. Retention: each event type
 * prefix keeps its rows for a number of days; whole months past the longest retention are
 * dropped (cheap), shorter ones are deleted row-wise within their months.
 */

const DAY = 86_400_000;

export const RetentionSchema = z
  .strictObject({
    /** Days every event is kept unless a rule below says otherwise: two school years. */
    defaultDays: z.number().int().min(30).max(3650).default(730),
    /** Type prefix → days. The longest matching prefix wins. */
    rules: z.record(z.string().regex(/^[a-z_.]{1,64}$/), z.number().int().min(1).max(3650)).default({
      // Telemetry: positions and device health are useful for weeks, not years.
      'bus.gps': 90,
      'access.device': 180,
    }),
  })
  .prefault({});
export type Retention = z.output<typeof RetentionSchema>;

/** Advisory lock id: one process at a time maintains the partitions. */
const LOCK = 727_275;

export function monthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function nextMonth(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

export function partitionName(start: number): string {
  const d = new Date(start);
  return `events_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

interface PartitionRow {
  name: string;
  bound: string;
}

/** The month partitions that exist, with their [from, to) bounds in ms. */
export async function listPartitions(q: Queryable): Promise<{ name: string; from: number; to: number }[]> {
  const r = await q.query<PartitionRow>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = 'events' ORDER BY c.relname`,
  );
  const out: { name: string; from: number; to: number }[] = [];
  for (const row of r.rows) {
    const m = /FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)/.exec(row.bound);
    if (m) out.push({ name: row.name, from: Number(m[1]), to: Number(m[2]) });
  }
  return out;
}

/** Creates the month partition starting at `start`, moving its rows out of the default partition first. */
async function createMonth(tx: Queryable, start: number): Promise<void> {
  const end = nextMonth(start);
  const name = partitionName(start);
  await tx.query(`CREATE TABLE ${name} (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
  await tx.query(`WITH moved AS (DELETE FROM events_default WHERE occurred_at >= $1 AND occurred_at < $2 RETURNING *) INSERT INTO ${name} SELECT * FROM moved`, [start, end]);
  await tx.query(`ALTER TABLE events ATTACH PARTITION ${name} FOR VALUES FROM (${start}) TO (${end})`);
}

export interface MaintenanceResult {
  created: string[];
  dropped: string[];
  deleted: number;
}

/**
 * Creates this month's and the next `ahead` months' partitions, splits months that have
 * gathered rows in the default partition (within the retention window), drops months
 * past the longest retention and deletes rows past their type's retention. Safe to run in
 * every process at once: one does the work, the others skip.
 */
export async function maintainEventPartitions(db: Database, now: number, retention: Retention, ahead = 2): Promise<MaintenanceResult | null> {
  return db.transaction(async (tx) => {
    const got = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [LOCK]);
    if (!got.rows[0]?.ok) return null;
    const result: MaintenanceResult = { created: [], dropped: [], deleted: 0 };
    const longest = Math.max(retention.defaultDays, ...Object.values(retention.rules));
    const oldest = monthStart(now - longest * DAY);
    const existing = new Set((await listPartitions(tx)).map((p) => p.from));

    const wanted = new Set<number>();
    for (let m = monthStart(now), i = 0; i <= ahead; m = nextMonth(m), i++) wanted.add(m);
    const stray = await tx.query<{ m: number }>(
      `SELECT DISTINCT (extract(epoch FROM date_trunc('month', to_timestamp(occurred_at / 1000.0) AT TIME ZONE 'UTC')) * 1000)::bigint AS m
         FROM events_default WHERE occurred_at >= $1 AND occurred_at < $2`,
      [oldest, nextMonth(now + 366 * DAY)],
    );
    for (const row of stray.rows) wanted.add(Number(row.m));
    for (const m of [...wanted].sort((a, b) => a - b)) {
      if (existing.has(m)) continue;
      await createMonth(tx, m);
      result.created.push(partitionName(m));
    }

    for (const p of await listPartitions(tx)) {
      if (p.to <= oldest) {
        await tx.query(`DROP TABLE ${p.name}`);
        result.dropped.push(p.name);
      }
    }
    const del = async (sql: string, params: unknown[]) => (result.deleted += (await tx.query(sql, params)).rowCount);
    await del('DELETE FROM events_default WHERE occurred_at < $1', [now - longest * DAY]);
    // Row-wise retention: the default for types no rule matches, each rule for its prefix (longest prefix wins).
    const prefixes = Object.keys(retention.rules).sort((a, b) => b.length - a.length);
    for (const [i, prefix] of prefixes.entries()) {
      const longer = prefixes.slice(0, i).filter((p) => p.startsWith(prefix));
      await del('DELETE FROM events WHERE occurred_at < $1 AND type ^@ $2 AND NOT (type ^@ ANY($3::text[]))', [now - retention.rules[prefix]! * DAY, prefix, longer]);
    }
    await del('DELETE FROM events WHERE occurred_at < $1 AND NOT (type ^@ ANY($2::text[]))', [now - retention.defaultDays * DAY, prefixes]);
    return result;
  });
}
