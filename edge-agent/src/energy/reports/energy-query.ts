import type { Db } from '../../store/index.js';
import type { Scope, Topology } from '../topology.js';
import { Zone, dateOfDayKey, dayKeyOf } from '../time/zone.js';

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
 * tables. Meters are mapped to rooms and buildings by the current topology (the
 * rule in Topology.metersOf: a building's main meters, else its room meters).
 */
export class EnergyQuery {
  constructor(
    private readonly db: Db,
    private readonly topology: Topology,
    private readonly zone: Zone,
  ) {}

  private meterIdx(): Map<number, string> {
    return new Map((this.db.prepare('SELECT idx, id FROM energy_meters').all() as Array<{ idx: number; id: string }>).map((r) => [r.idx, r.id]));
  }

  /** Series for each of several scopes at once (one table scan). */
  series(scopes: readonly Scope[], granularity: Granularity, fromDate: string, toDate: string): Map<string, SeriesPoint[]> {
    const ids = this.meterIdx();
    // meter idx -> scope keys it counts towards
    const membership = new Map<number, string[]>();
    const byId = new Map<string, number>([...ids.entries()].map(([i, id]) => [id, i]));
    for (const s of scopes) {
      for (const m of this.topology.metersOf(s)) {
        const idx = byId.get(m.id);
        if (idx === undefined) continue;
        let list = membership.get(idx);
        if (!list) membership.set(idx, (list = []));
        list.push(scopeKey(s));
      }
    }
    const buckets = new Map<string, Map<string, SeriesPoint>>(scopes.map((s) => [scopeKey(s), new Map()]));
    const add = (meter: number, label: string, start: number, wh: number, whAfter: number) => {
      const keys = membership.get(meter);
      if (!keys) return;
      for (const k of keys) {
        const b = buckets.get(k)!;
        let p = b.get(label);
        if (!p) b.set(label, (p = { label, start, kwh: 0, kwhAfter: 0 }));
        p.kwh += wh / 1000;
        p.kwhAfter += whAfter / 1000;
      }
    };
    if (granularity === 'hour') {
      const h0 = Math.floor(this.zone.dateStart(fromDate) / HOUR);
      const h1 = Math.floor(this.zone.dateStart(dateOfDayKey(Zone.nextDayKey(dayKeyOf(toDate)))) / HOUR) - 1;
      const rows = this.db.prepare('SELECT hour, meter, wh, wh_after FROM energy_hour WHERE hour BETWEEN ? AND ?').raw().iterate(h0, h1) as Iterable<[number, number, number, number]>;
      const labels = new Map<number, string>();
      for (const [hour, meter, wh, whAfter] of rows) {
        let label = labels.get(hour);
        if (!label) {
          const p = this.zone.parts(hour * HOUR);
          labels.set(hour, (label = `${p.date} ${String(p.hour).padStart(2, '0')}:00`));
        }
        add(meter, label, hour * HOUR, wh, whAfter);
      }
    } else {
      const rows = this.db.prepare('SELECT day, meter, wh, wh_after FROM energy_day WHERE day BETWEEN ? AND ?').raw().iterate(dayKeyOf(fromDate), dayKeyOf(toDate)) as Iterable<[number, number, number, number]>;
      for (const [day, meter, wh, whAfter] of rows) {
        if (granularity === 'day') add(meter, dateOfDayKey(day), this.zone.dayStart(day), wh, whAfter);
        else {
          const month = Math.floor(day / 100);
          add(meter, `${Math.floor(month / 100)}-${String(month % 100).padStart(2, '0')}`, this.zone.dayStart(month * 100 + 1), wh, whAfter);
        }
      }
    }
    const out = new Map<string, SeriesPoint[]>();
    for (const [k, b] of buckets) out.set(k, [...b.values()].sort((x, y) => x.start - y.start).map(roundPoint));
    return out;
  }

  /** Energy per building per day (the month view; see bench energy.query.month). */
  buildingsByDay(fromDate: string, toDate: string): Map<string, SeriesPoint[]> {
    const scopes: Scope[] = [...this.topology.buildings.keys()].map((id) => ({ kind: 'building', id }));
    return this.series(scopes, 'day', fromDate, toDate);
  }
}

export function scopeKey(s: Scope): string {
  return s.kind === 'campus' ? 'campus' : `${s.kind}:${s.id}`;
}

function roundPoint(p: SeriesPoint): SeriesPoint {
  return { ...p, kwh: Math.round(p.kwh * 1000) / 1000, kwhAfter: Math.round(p.kwhAfter * 1000) / 1000 };
}
