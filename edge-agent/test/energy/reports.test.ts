import { afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/index.js';
import { TrustedClock } from '../../src/core/clock.js';
import { EnergyConfigSchema, type EnergyConfigInput } from '../../src/energy/config.js';
import { afterHoursReport } from '../../src/energy/reports/after-hours.js';
import { EnergyQuery } from '../../src/energy/reports/energy-query.js';
import { Tariff } from '../../src/energy/reports/tariff.js';
import { TelemetryStore } from '../../src/energy/telemetry/telemetry-store.js';
import { SchoolTime } from '../../src/school/time.js';
import { Topology } from '../../src/energy/topology.js';
import { tempDir } from '../helpers/edge.js';
import { ALL_MIGRATIONS } from '../../src/migrations.js';
import { shanghai as cst } from '@campus/testkit';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).reverse().forEach((c) => c()));

/**
 * Teaching building: a main meter and two room sub-meters (the main meter is the
 * building's total; rooms are shown on their own). Lab building: room meters only
 * (their sum is the building). A detector never counts as energy.
 */
const CAMPUS: EnergyConfigInput = {
  buildings: [
    { id: 'teach', name: '教学楼' },
    { id: 'lab', name: '实验楼' },
  ],
  rooms: [
    { id: 'r101', name: '101', building: 'teach' },
    { id: 'r102', name: '102', building: 'teach' },
    { id: 'lab1', name: '实验室1', building: 'lab', kind: 'lab' },
    { id: 'lab2', name: '实验室2', building: 'lab', kind: 'lab' },
  ],
  buses: [
    {
      id: 'b',
      transport: { kind: 'tcp', host: '127.0.0.1' },
      meters: [
        { id: 'teach-main', unit: 1, model: 'eastron-sdm630', building: 'teach' },
        { id: 'm101', unit: 2, model: 'eastron-sdm120', building: 'teach', room: 'r101' },
        { id: 'm102', unit: 3, model: 'eastron-sdm120', building: 'teach', room: 'r102' },
        { id: 'mlab1', unit: 4, model: 'eastron-sdm120', building: 'lab', room: 'lab1' },
        { id: 'mlab2', unit: 5, model: 'eastron-sdm120', building: 'lab', room: 'lab2' },
        { id: 'fd', unit: 6, model: 'school-fire-detector', building: 'lab', detector: true },
      ],
    },
  ],
  tariff: {
    currency: 'CNY',
    prices: { sharp: 1.5, peak: 1.0, flat: 0.6, valley: 0.3 },
    periods: [
      { tier: 'peak', from: '08:00', until: '11:00' },
      { tier: 'peak', from: '18:00', until: '21:30' },
      { tier: 'sharp', from: '19:00', until: '21:00', months: [7, 8] },
      { tier: 'valley', from: '22:00', until: '24:00' },
      { tier: 'valley', from: '00:00', until: '06:00' },
    ],
  },
};

function setup() {
  const d = tempDir('energy-reports-');
  const store = Store.open({ migrations: ALL_MIGRATIONS, dataDir: d.path, file: 'edge.db', backupDir: 'b', synchronous: 'normal', site: 'test', clock: new TrustedClock({ mode: 'always' }) });
  cleanups.push(() => d.remove(), () => store.close());
  const config = EnergyConfigSchema.parse(CAMPUS);
  const zone = new SchoolTime('Asia/Shanghai');
  const topology = new Topology(config);
  const ts = new TelemetryStore(store.db);
  const idx = Object.fromEntries([...topology.meters.keys()].map((id) => [id, ts.meterIndex(id)]));
  const query = new EnergyQuery(store.db, topology, zone);
  /** Books `wh` (of which `after` after hours) for a meter in the local hour starting at `local`. */
  const book = (meter: string, local: string, wh: number, after = 0) => {
    const start = cst(local);
    ts.write({
      raw: [],
      minutes: [],
      hours: [{ hour: start / 3_600_000, meter: idx[meter]!, wh, whAfter: after, wAvg: wh, wMax: wh, minutes: 60 }],
      days: [{ day: zone.parts(start).dayKey, meter: idx[meter]!, wh, whAfter: after, wMax: wh }],
      baselines: [],
      at: start,
    });
  };
  return { store, zone, topology, query, book, tariff: new Tariff(config.tariff) };
}

describe('energy per room, building and campus', () => {
  it('counts a building by its main meter when it has one, else by its rooms, never both; detectors never', () => {
    const t = setup();
    t.book('teach-main', '2026-03-02 09:00', 10_000);
    t.book('m101', '2026-03-02 09:00', 3_000);
    t.book('m102', '2026-03-02 09:00', 4_000);
    t.book('mlab1', '2026-03-02 09:00', 1_500);
    t.book('mlab2', '2026-03-02 09:00', 2_500);
    t.book('fd', '2026-03-02 09:00', 99_000);
    const scopes = [
      { kind: 'building', id: 'teach' },
      { kind: 'building', id: 'lab' },
      { kind: 'room', id: 'r101' },
      { kind: 'campus' },
    ] as const;
    const r = t.query.series(scopes, 'day', '2026-03-02', '2026-03-02');
    expect(r.get('building:teach')).toEqual([{ label: '2026-03-02', start: cst('2026-03-02 00:00'), kwh: 10, kwhAfter: 0 }]);
    expect(r.get('building:lab')![0]!.kwh).toBe(4);
    expect(r.get('room:r101')![0]!.kwh).toBe(3);
    expect(r.get('campus')![0]!.kwh).toBe(14);
  });

  it('groups by local hour, day and month (China time, not UTC)', () => {
    const t = setup();
    // 23:00 on 31 January local is still January; 00:00 on 1 February is February.
    t.book('teach-main', '2026-01-31 23:00', 1000, 1000);
    t.book('teach-main', '2026-02-01 00:00', 2000, 2000);
    t.book('teach-main', '2026-02-01 09:00', 3000);
    const months = t.query.series([{ kind: 'building', id: 'teach' }], 'month', '2026-01-01', '2026-02-28').get('building:teach')!;
    expect(months.map((p) => [p.label, p.kwh, p.kwhAfter])).toEqual([
      ['2026-01', 1, 1],
      ['2026-02', 5, 2],
    ]);
    const hours = t.query.series([{ kind: 'building', id: 'teach' }], 'hour', '2026-02-01', '2026-02-01').get('building:teach')!;
    expect(hours.map((p) => [p.label, p.kwh])).toEqual([
      ['2026-02-01 00:00', 2],
      ['2026-02-01 09:00', 3],
    ]);
    const days = t.query.buildingsByDay('2026-01-31', '2026-02-01');
    expect(days.get('building:teach')!.map((p) => p.kwh)).toEqual([1, 5]);
    expect(days.get('building:lab')).toEqual([]);
  });
});

describe('tariff (峰谷)', () => {
  it('knows the tier of a minute, with month-only periods winning, and splits hours at a half-hour boundary', () => {
    const t = setup();
    expect(t.tariff.tierAt(3, 9 * 60)).toBe('peak');
    expect(t.tariff.tierAt(3, 12 * 60)).toBe('flat');
    expect(t.tariff.tierAt(3, 23 * 60 + 59)).toBe('valley');
    expect(t.tariff.tierAt(3, 19 * 60)).toBe('peak');
    expect(t.tariff.tierAt(7, 19 * 60)).toBe('sharp');
    expect(t.tariff.hourShares(3, 21)).toEqual([
      ['peak', 0.5],
      ['flat', 0.5],
    ]);
    // 2 kWh between 21:00 and 22:00 in March: 1 kWh at 1.0 and 1 kWh at 0.6.
    expect(t.tariff.costHour(3, 21, 2)).toBeCloseTo(1.6, 10);
  });
});

describe('after-hours report', () => {
  it('costs the energy used outside operating hours per building and day, by tier', () => {
    const t = setup();
    // Monday: teaching building in use 09:00; left on at 19:00 and 23:00.
    t.book('teach-main', '2026-03-02 09:00', 20_000, 0);
    t.book('teach-main', '2026-03-02 19:00', 8_000, 8_000);
    t.book('teach-main', '2026-03-02 23:00', 6_000, 6_000);
    t.book('mlab1', '2026-03-03 02:00', 1_000, 1_000);
    const r = afterHoursReport(t.store.db, t.topology, t.zone, t.tariff, '2026-03-02', '2026-03-03');
    const teach = r.buildings.find((b) => b.building === 'teach')!;
    expect(teach).toMatchObject({ kwh: 34, kwhAfter: 14, share: 0.412 });
    // 8 kWh at peak (1.0) + 6 kWh at valley (0.3) = 9.8; the in-hours 20 kWh at peak = 20.
    expect(teach.costAfter).toBe(9.8);
    expect(teach.cost).toBe(29.8);
    expect(teach.kwhAfterByTier).toEqual({ sharp: 0, peak: 8, flat: 0, valley: 6 });
    expect(teach.days).toEqual([{ date: '2026-03-02', kwh: 34, kwhAfter: 14, costAfter: 9.8 }]);
    const lab = r.buildings.find((b) => b.building === 'lab')!;
    expect(lab).toMatchObject({ kwhAfter: 1, costAfter: 0.3 });
    expect(r.buildings[0]!.building).toBe('teach'); // the biggest waste first
    expect(r.total).toEqual({ kwh: 35, kwhAfter: 15, cost: 30.1, costAfter: 10.1 });
    expect(r).toMatchObject({ currency: 'CNY', prices: { sharp: 1.5, peak: 1, flat: 0.6, valley: 0.3 } });
  });
});
