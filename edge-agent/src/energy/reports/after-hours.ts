import type { Db } from '../../store/index.js';
import type { TariffTier } from '../config.js';
import type { Topology } from '../topology.js';
import { SchoolTime, dateOfDayKey, dayKeyOf } from '../../school/time.js';
import { Tariff } from './tariff.js';

export interface AfterHoursBuilding {
  building: string;
  name: string;
  kwh: number;
  kwhAfter: number;
  /** After-hours share of the building's energy, 0..1. */
  share: number;
  cost: number;
  costAfter: number;
  kwhAfterByTier: Record<TariffTier, number>;
  days: Array<{ date: string; kwh: number; kwhAfter: number; costAfter: number }>;
}

export interface AfterHoursReport {
  from: string;
  to: string;
  currency: string;
  prices: Record<TariffTier, number>;
  buildings: AfterHoursBuilding[];
  total: { kwh: number; kwhAfter: number; cost: number; costAfter: number };
}

const HOUR = 3_600_000;

/**
 * Energy used outside operating hours (and outside room bookings) is waste: per
 * building and day, in kWh and money, costed hour by hour with the time-of-use
 * tariff. The after-hours share of each hour was fixed when the hour was rolled
 * up, from the calendar and bookings as they were then. Needs the scope table
 * EnergyQuery maintains.
 */
export function afterHoursReport(db: Db, topology: Topology, zone: SchoolTime, tariff: Tariff, from: string, to: string): AfterHoursReport {
  const acc = new Map<string, AfterHoursBuilding & { dayMap: Map<string, { date: string; kwh: number; kwhAfter: number; costAfter: number }> }>();
  for (const b of topology.buildings.values()) {
    acc.set(b.id, { building: b.id, name: b.name, kwh: 0, kwhAfter: 0, share: 0, cost: 0, costAfter: 0, kwhAfterByTier: Tariff.emptyTiers(), days: [], dayMap: new Map() });
  }
  const h0 = Math.floor(zone.dateStart(from) / HOUR);
  const h1 = Math.floor(zone.dateStart(dateOfDayKey(SchoolTime.nextDayKey(dayKeyOf(to)))) / HOUR) - 1;
  const local = new Map<number, { month: number; hour: number; date: string }>();
  // Summed per building and hour in SQL (energy_scope_meters is kept by EnergyQuery).
  const rows = db
    .prepare(
      `SELECT s.scope, h.hour, sum(h.wh), sum(h.wh_after) FROM energy_hour h JOIN energy_scope_meters s ON s.meter = h.meter AND s.kind = 'building'
       WHERE h.hour BETWEEN ? AND ? GROUP BY s.scope, h.hour`,
    )
    .raw()
    .iterate(h0, h1) as Iterable<[string, number, number, number]>;
  for (const [building, hour, wh, whAfter] of rows) {
    const a = acc.get(building);
    if (!a) continue;
    let l = local.get(hour);
    if (!l) {
      const p = zone.parts(hour * HOUR);
      local.set(hour, (l = { month: p.month, hour: p.hour, date: p.date }));
    }
    const kwh = wh / 1000;
    const kwhAfter = whAfter / 1000;
    a.kwh += kwh;
    a.kwhAfter += kwhAfter;
    a.cost += tariff.costHour(l.month, l.hour, kwh);
    const costAfter = tariff.costHour(l.month, l.hour, kwhAfter, a.kwhAfterByTier);
    a.costAfter += costAfter;
    let d = a.dayMap.get(l.date);
    if (!d) a.dayMap.set(l.date, (d = { date: l.date, kwh: 0, kwhAfter: 0, costAfter: 0 }));
    d.kwh += kwh;
    d.kwhAfter += kwhAfter;
    d.costAfter += costAfter;
  }
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  const r2 = (v: number) => Math.round(v * 100) / 100;
  const buildings: AfterHoursBuilding[] = [...acc.values()].map(({ dayMap, ...a }) => ({
    ...a,
    kwh: r3(a.kwh),
    kwhAfter: r3(a.kwhAfter),
    share: a.kwh > 0 ? Math.round((a.kwhAfter / a.kwh) * 1000) / 1000 : 0,
    cost: r2(a.cost),
    costAfter: r2(a.costAfter),
    kwhAfterByTier: Object.fromEntries(Object.entries(a.kwhAfterByTier).map(([k, v]) => [k, r3(v)])) as Record<TariffTier, number>,
    days: [...dayMap.values()].sort((x, y) => (x.date < y.date ? -1 : 1)).map((d) => ({ date: d.date, kwh: r3(d.kwh), kwhAfter: r3(d.kwhAfter), costAfter: r2(d.costAfter) })),
  }));
  buildings.sort((x, y) => y.costAfter - x.costAfter);
  const total = buildings.reduce((t, b) => ({ kwh: t.kwh + b.kwh, kwhAfter: t.kwhAfter + b.kwhAfter, cost: t.cost + b.cost, costAfter: t.costAfter + b.costAfter }), { kwh: 0, kwhAfter: 0, cost: 0, costAfter: 0 });
  return {
    from,
    to,
    currency: tariff.config.currency,
    prices: { sharp: tariff.price('sharp'), peak: tariff.price('peak'), flat: tariff.price('flat'), valley: tariff.price('valley') },
    buildings,
    total: { kwh: r3(total.kwh), kwhAfter: r3(total.kwhAfter), cost: r2(total.cost), costAfter: r2(total.costAfter) },
  };
}
