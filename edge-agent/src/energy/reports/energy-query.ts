import type { Db } from '../../store/index.js';
import type { Scope, Topology } from '../topology.js';
import { SchoolTime, dateOfDayKey, dayKeyOf } from '../../school/time.js';

export type Granularity = 'hour' | 'day' | 'month';

export interface SeriesPoint {
  /** Local label: "2026-03-02 14:00", "2026-03-02" or "2026-03". */
  label: string;
  start: number;
  kwh: number;
  kwhAfter: number;
}

const HOUR = 3_600_000;

/**
 * Energy per room, building or campus per hour, day or month, from the roll-up
 * tables. Which meters count towards which scope follows the topology's rule (a
 * building's main meters, else its room meters) and is written to
 * energy_scope_meters at start, so the sums happen in SQL: a month of 500
 * meters comes back as one row per building and day.
 */
export class EnergyQuery {
  constructor(
    private readonly db: Db,
    private readonly topology: Topology,
    private readonly zone: SchoolTime,
  ) {
    this.syncScopes();
  }

  /** Rewrites the scope table when the configuration changed it. */
  private syncScopes(): void {
    const ids = new Map((this.db.prepare('SELECT id, idx FROM energy_meters').all() as Array<{ id: string; idx: number }>).map((r) => [r.id, r.idx]));
    const idx = (id: string) => {
      let i = ids.get(id);
      if (i === undefined) ids.set(id, (i = Number(this.db.prepare('INSERT INTO energy_meters (id) VALUES (?)').run(id).lastInsertRowid)));
      return i;
    };
    const want = new Set<string>();
    const add = (kind: string, scope: string, meters: Array<{ id: string }>) => {
      for (const m of meters) want.add(`${idx(m.id)}\u0000${kind}\u0000${scope}`);
    };
    for (const b of this.topology.buildings.keys()) add('building', b, this.topology.metersOf({ kind: 'building', id: b }));
    for (const r of this.topology.rooms.keys()) add('room', r, this.topology.metersOf({ kind: 'room', id: r }));
    add('campus', '', this.topology.metersOf({ kind: 'campus' }));
    const have = new Set((this.db.prepare('SELECT meter, kind, scope FROM energy_scope_meters').raw().all() as Array<[number, string, string]>).map((r) => r.join('\u0000')));
    if (have.size === want.size && [...want].every((k) => have.has(k))) return;
    const insert = this.db.prepare('INSERT INTO energy_scope_meters (meter, kind, scope) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM energy_scope_meters').run();
      for (const k of want) {
        const [m, kind, scope] = k.split('\u0000') as [string, string, string];
        insert.run(Number(m), kind, scope);
      }
    })();
  }

  /** Series for every scope of one kind (or the listed ones), keyed "building:<id>", "room:<id>" or "campus". */
  series(scopes: readonly Scope[], granularity: Granularity, fromDate: string, toDate: string): Map<string, SeriesPoint[]> {
    const out = new Map<string, SeriesPoint[]>(scopes.map((s) => [scopeKey(s), []]));
    const byKind = new Map<string, Set<string>>();
    for (const s of scopes) {
      const set = byKind.get(s.kind) ?? new Set<string>();
      set.add(s.kind === 'campus' ? '' : s.id);
      byKind.set(s.kind, set);
    }
    for (const [kind, wanted] of byKind) {
      const single = wanted.size === 1 ? [...wanted][0]! : null;
      const scopeFilter = single === null ? '' : 'AND s.scope = @scope';
      let rows: Iterable<[string, number, number, number]>;
      if (granularity === 'hour') {
        const h0 = Math.floor(this.zone.dateStart(fromDate) / HOUR);
        const h1 = Math.floor(this.zone.dateStart(dateOfDayKey(SchoolTime.nextDayKey(dayKeyOf(toDate)))) / HOUR) - 1;
        rows = this.db
          .prepare(`SELECT s.scope, h.hour, sum(h.wh), sum(h.wh_after) FROM energy_hour h JOIN energy_scope_meters s ON s.meter = h.meter AND s.kind = @kind ${scopeFilter} WHERE h.hour BETWEEN @from AND @to GROUP BY s.scope, h.hour`)
          .raw()
          .iterate({ kind, from: h0, to: h1, ...(single === null ? {} : { scope: single }) }) as Iterable<[string, number, number, number]>;
      } else {
        const bucket = granularity === 'day' ? 'd.day' : 'd.day / 100';
        rows = this.db
          .prepare(`SELECT s.scope, ${bucket} AS b, sum(d.wh), sum(d.wh_after) FROM energy_day d JOIN energy_scope_meters s ON s.meter = d.meter AND s.kind = @kind ${scopeFilter} WHERE d.day BETWEEN @from AND @to GROUP BY s.scope, b`)
          .raw()
          .iterate({ kind, from: dayKeyOf(fromDate), to: dayKeyOf(toDate), ...(single === null ? {} : { scope: single }) }) as Iterable<[string, number, number, number]>;
      }
      for (const [scope, bucket, wh, whAfter] of rows) {
        if (!wanted.has(scope)) continue;
        const list = out.get(kind === 'campus' ? 'campus' : `${kind}:${scope}`)!;
        list.push({ ...this.bucketLabel(granularity, bucket), kwh: round3(wh / 1000), kwhAfter: round3(whAfter / 1000) });
      }
    }
    for (const list of out.values()) list.sort((a, b) => a.start - b.start);
    return out;
  }

  /** Energy per building per day (the month view; see bench energy.query.month). */
  buildingsByDay(fromDate: string, toDate: string): Map<string, SeriesPoint[]> {
    const scopes: Scope[] = [...this.topology.buildings.keys()].map((id) => ({ kind: 'building', id }));
    return this.series(scopes, 'day', fromDate, toDate);
  }

  private bucketLabel(granularity: Granularity, bucket: number): { label: string; start: number } {
    if (granularity === 'hour') {
      const p = this.zone.parts(bucket * HOUR);
      return { label: `${p.date} ${String(p.hour).padStart(2, '0')}:00`, start: bucket * HOUR };
    }
    if (granularity === 'day') return { label: dateOfDayKey(bucket), start: this.zone.dayStart(bucket) };
    return { label: `${Math.floor(bucket / 100)}-${String(bucket % 100).padStart(2, '0')}`, start: this.zone.dayStart(bucket * 100 + 1) };
  }
}

export function scopeKey(s: Scope): string {
  return s.kind === 'campus' ? 'campus' : `${s.kind}:${s.id}`;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;
