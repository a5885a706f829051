import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/server/db/migrations.js';
import { openDatabase } from '../../src/server/db/open.js';
import { listPartitions, maintainEventPartitions, partitionName, RetentionSchema } from '../../src/server/db/partitions.js';
import type { Database } from '../../src/server/db/database.js';
import { availableBackends } from '../helpers/backends.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 4, 8, 0); // 2026-12-04 08:00 UTC

async function addEvent(db: Database, type: string, occurredAt: number, id: string = randomUUID()): Promise<string> {
  await db.query(
    `INSERT INTO events (school_id, id, site, edge_id, type, occurred_at, received_at, clock_trusted, reason, severity, priority, source, subject, data)
     VALUES ('s1', $1, 'site', 'e1', $2, $3, $3, true, $2, 'info', 3, 'test', NULL, '{}')`,
    [id, type, occurredAt],
  );
  return id;
}

const where = async (db: Database, id: string) =>
  (await db.query<{ t: string }>('SELECT tableoid::regclass::text AS t FROM events WHERE id = $1', [id])).rows.map((r) => r.t);

for (const backend of await availableBackends()) {
  describe(`events partitioned by month (${backend.name})`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterAll(async () => {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    });
    const open = async () => {
      const d = await backend.open();
      cleanups.push(d.cleanup);
      const db = await openDatabase(d.options);
      cleanups.push(() => db.close());
      return db;
    };

    it('keeps every row of the unpartitioned table through the migration and splits them into months', async () => {
      const db = await open();
      await migrate(db, 3);
      const old = [await addEvent(db, 'access.decision', NOW - 40 * DAY), await addEvent(db, 'energy.rollup', NOW - 10 * DAY), await addEvent(db, 'access.decision', Date.UTC(1980, 0, 6))];
      await migrate(db);
      expect((await db.query('SELECT id FROM events')).rows).toHaveLength(3);
      const r = await maintainEventPartitions(db, NOW, RetentionSchema.parse({}));
      expect(r?.created).toEqual(expect.arrayContaining(['events_y2026m10', 'events_y2026m11', 'events_y2026m12', 'events_y2027m01', 'events_y2027m02']));
      expect(await where(db, old[0]!)).toEqual(['events_y2026m10']);
      expect(await where(db, old[1]!)).toEqual(['events_y2026m11']);
      // 1980 is past every retention: deleted, not given a partition.
      expect(await where(db, old[2]!)).toEqual([]);
      // A second run (or another process) has nothing to do.
      expect(await maintainEventPartitions(db, NOW, RetentionSchema.parse({}))).toEqual({ created: [], dropped: [], deleted: 0 });
    }, 120_000);

    it('takes rows of any time, keeps a resent event once, and creates a month that already has rows in the default partition', async () => {
      const db = await open();
      await migrate(db);
      await maintainEventPartitions(db, NOW, RetentionSchema.parse({}));
      const future = await addEvent(db, 'access.decision', Date.UTC(2027, 5, 1)); // an edge clock half a year ahead
      expect(await where(db, future)).toEqual(['events_default']);
      const id = await addEvent(db, 'access.decision', NOW);
      const again = await db.query(
        `INSERT INTO events (school_id, id, site, edge_id, type, occurred_at, received_at, clock_trusted, reason, severity, priority, source, subject, data)
         VALUES ('s1', $1, 'site', 'e1', 'access.decision', $2, $2, true, 'x', 'info', 3, 'test', NULL, '{}') ON CONFLICT (school_id, id, occurred_at) DO NOTHING`,
        [id, NOW],
      );
      expect(again.rowCount).toBe(0);
      // Half a year later the month is created with the stray row moved in, not refused.
      const r = await maintainEventPartitions(db, Date.UTC(2027, 4, 20), RetentionSchema.parse({}));
      expect(r?.created).toContain('events_y2027m06');
      expect(await where(db, future)).toEqual(['events_y2027m06']);
      expect(await where(db, id)).toEqual(['events_y2026m12']);
    }, 120_000);

    it('applies retention per type prefix and drops months past the longest', async () => {
      const db = await open();
      await migrate(db);
      const retention = RetentionSchema.parse({ defaultDays: 365, rules: { 'bus.gps': 30, bus: 200 } });
      await maintainEventPartitions(db, NOW - 500 * DAY, retention, 20);
      const gpsOld = await addEvent(db, 'bus.gps', NOW - 45 * DAY);
      const gpsNew = await addEvent(db, 'bus.gps', NOW - 10 * DAY);
      const boardOld = await addEvent(db, 'bus.boarded', NOW - 250 * DAY);
      const boardMid = await addEvent(db, 'bus.boarded', NOW - 45 * DAY);
      const gateMid = await addEvent(db, 'access.decision', NOW - 250 * DAY);
      const gateOld = await addEvent(db, 'access.decision', NOW - 400 * DAY);
      const before = (await listPartitions(db)).map((p) => p.name);
      expect(before).toContain(partitionName(NOW - 400 * DAY));
      const r = await maintainEventPartitions(db, NOW, retention);
      const left = new Set((await db.query<{ id: string }>('SELECT id FROM events')).rows.map((x) => x.id));
      expect([gpsOld, gpsNew, boardOld, boardMid, gateMid, gateOld].map((x) => left.has(x))).toEqual([false, true, false, true, true, false]);
      expect(r?.dropped).toContain(partitionName(NOW - 400 * DAY));
      expect((await listPartitions(db)).map((p) => p.name)).not.toContain(partitionName(NOW - 400 * DAY));
    }, 120_000);
  });
}
