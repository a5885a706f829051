import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { MeterReading } from '@campus/protocol/energy/index';
import { PRIORITIES } from '@campus/protocol';
import { Store } from '../../src/store/index.js';
import { TrustedClock } from '../../src/core/clock.js';
import { EnergyConfigSchema, type EnergyConfig } from '../../src/energy/config.js';
import { RawChunkWriter, decodeRawChunk } from '../../src/energy/telemetry/raw-codec.js';
import { TelemetryRecorder } from '../../src/energy/telemetry/recorder.js';
import { TelemetryStore, ringLayout } from '../../src/energy/telemetry/telemetry-store.js';
import { SchoolTime } from '../../src/school/time.js';
import { tempDir } from '../helpers/edge.js';
import { ALL_MIGRATIONS } from '../../src/migrations.js';
import { FakeClock, shanghai as cst } from '@campus/testkit';

const dirs: Array<{ remove(): void }> = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) if (s.db.open) s.close();
  dirs.splice(0).forEach((d) => d.remove());
});

function openStore(dir?: string): { store: Store; dir: string } {
  let path = dir;
  if (!path) {
    const d = tempDir('energy-telemetry-');
    dirs.push(d);
    path = d.path;
  }
  const store = Store.open({ migrations: ALL_MIGRATIONS, dataDir: path, file: 'edge.db', backupDir: 'b', synchronous: 'normal', site: 'test', clock: new TrustedClock({ mode: 'always' }) });
  stores.push(store);
  return { store, dir: path };
}

function telemetryConfig(overrides: Record<string, unknown> = {}): EnergyConfig['telemetry'] {
  return EnergyConfigSchema.parse({ telemetry: overrides }).telemetry;
}

function recorder(store: Store, clock: FakeClock, opts: { afterHours?: (id: string, at: number) => boolean; telemetry?: Record<string, unknown> } = {}) {
  const config = telemetryConfig(opts.telemetry);
  const ts = new TelemetryStore(store.db, ringLayout(config));
  const hours: Array<{ hour: number; totals: unknown }> = [];
  const rec = new TelemetryRecorder({
    store: ts,
    timers: clock,
    zone: new SchoolTime('Asia/Shanghai'),
    config,
    isAfterHours: opts.afterHours ?? (() => false),
    appendEvents: (events) => store.events.appendMany(events),
    onHourClosed: (hour, totals) => hours.push({ hour, totals }),
  });
  return { rec, ts, hours };
}

const reading = (deviceId: string, point: string, unit: MeterReading['unit'], value: number | null, at: number, quality: MeterReading['quality'] = 'good'): MeterReading => ({
  deviceId,
  point,
  unit,
  value,
  quality,
  at,
});

function rawValues(ts: TelemetryStore, store: Store, meter: string, point: string, from: number, to: number): Array<[number, number]> {
  const idx = (store.db.prepare('SELECT idx FROM energy_meters WHERE id = ?').get(meter) as { idx: number }).idx;
  const points = [...ts.points().values()].filter((p) => p.point === point);
  const out: Array<[number, number]> = [];
  for (const c of ts.rawChunks(idx, from, to)) {
    for (const v of decodeRawChunk(c.t0, c.data)) {
      const p = points.find((x) => x.idx === v.point);
      if (p) out.push([v.at, Math.round(v.q * p.res * 1000) / 1000]);
    }
  }
  return out;
}

describe('raw chunk encoding', () => {
  it('decodes exactly what was written, for any points, values and times', () => {
    const record = fc.record({
      dt: fc.integer({ min: 0, max: 3_600_000 }),
      values: fc.uniqueArray(fc.record({ point: fc.integer({ min: 1, max: 300 }), q: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }) }), { selector: (v) => v.point, minLength: 1, maxLength: 40 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1e12, max: 2e12 }), fc.array(record, { minLength: 1, maxLength: 60 }), (t0, records) => {
        const w = new RawChunkWriter(t0, 8);
        const expected: Array<{ at: number; point: number; q: number }> = [];
        let at = t0;
        for (const r of records) {
          at += Math.round(r.dt / 100) * 100;
          w.add(at, r.values.map((v) => v.point), r.values.map((v) => v.q));
          // The decoder returns a record's values in chunk-slot order (first use in the chunk).
          expected.push(...r.values.map((v) => ({ at, point: v.point, q: v.q })));
        }
        const got = decodeRawChunk(t0, w.bytes());
        const key = (x: { at: number; point: number }) => `${x.at}:${x.point}`;
        expect([...got].sort((a, b) => key(a).localeCompare(key(b)))).toEqual([...expected].sort((a, b) => key(a).localeCompare(key(b))));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a damaged chunk instead of returning wrong values', () => {
    const w = new RawChunkWriter(1000);
    w.add(1000, [3, 4], [2290, 1500]);
    const bytes = w.bytes();
    expect(() => decodeRawChunk(1000, bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
    expect(() => decodeRawChunk(1000, Buffer.concat([Buffer.from([9]), bytes.subarray(1)]))).toThrow(/format/);
  });
});

describe('telemetry recorder', () => {
  it('stores raw values on change beyond the deadband, and at least every heartbeat', async () => {
    const { store } = openStore();
    const t0 = cst('2026-03-02 10:00');
    const clock = new FakeClock(t0);
    const { rec, ts } = recorder(store, clock, { telemetry: { heartbeatSeconds: 60 } });
    rec.start();
    // Voltage band 1 V: 229.0 stored, 229.6 not, 230.2 stored (1.2 V from the last stored), then quiet.
    const volts = [229.0, 229.6, 230.2, 230.3, 230.4, 230.5, 230.4];
    volts.forEach((v, i) => rec.ingest([reading('m1', 'voltage_l1', 'V', v, t0 + i * 10_000)]));
    // 60 s heartbeat: 70 s after the last stored one, an unchanged value is stored again.
    rec.ingest([reading('m1', 'voltage_l1', 'V', 230.3, t0 + 90_000)]);
    rec.flush();
    expect(rawValues(ts, store, 'm1', 'voltage_l1', t0, t0 + 100_000)).toEqual([
      [t0, 229],
      [t0 + 20_000, 230.2],
      [t0 + 90_000, 230.3],
    ]);
    expect(rec.stats).toMatchObject({ readings: 8, stored: 3 });
    rec.stop();
  });

  it('never stores flagged readings (NaN, infinite, out of range) as data', async () => {
    const { store } = openStore();
    const t0 = cst('2026-03-02 10:00');
    const clock = new FakeClock(t0);
    const { rec, ts } = recorder(store, clock);
    rec.start();
    rec.ingest([reading('m1', 'power_active_total', 'W', 1000, t0), reading('m1', 'voltage_l1', 'V', null, t0, 'nan')]);
    rec.ingest([reading('m1', 'power_active_total', 'W', null, t0 + 10_000, 'out_of_range'), reading('m1', 'voltage_l1', 'V', null, t0 + 10_000, 'infinite')]);
    rec.flush();
    expect(rawValues(ts, store, 'm1', 'voltage_l1', t0, t0 + 60_000)).toEqual([]);
    expect(rawValues(ts, store, 'm1', 'power_active_total', t0, t0 + 60_000)).toEqual([[t0, 1000]]);
    expect(rec.stats.flagged).toBe(3);
    rec.stop();
  });

  it('rolls up minutes (power average, energy integrated), hours (energy from the counter) and days', async () => {
    const { store } = openStore();
    const t0 = cst('2026-03-02 10:00');
    const clock = new FakeClock(t0);
    // Outside operating hours from 10:30 on.
    const { rec, ts, hours } = recorder(store, clock, { afterHours: (_id, at) => at >= cst('2026-03-02 10:30') });
    rec.start();
    // 2 kW for an hour, polled every 10 s; the counter (kWh) every 60 s, advancing 2 kWh per hour.
    for (let t = t0; t < t0 + 3_600_000; t += 10_000) {
      const batch = [reading('m1', 'power_active_total', 'W', 2000, t)];
      if ((t - t0) % 60_000 === 0) batch.push(reading('m1', 'energy_active_import_total', 'kWh', 1000 + (2 * (t - t0)) / 3_600_000, t));
      await clock.advanceTo(t);
      rec.ingest(batch);
    }
    // The first reading of 11:00 closes the hour: the counter read at 11:00 is 1002 kWh.
    await clock.advanceTo(t0 + 3_600_000);
    rec.ingest([reading('m1', 'power_active_total', 'W', 2000, t0 + 3_600_000), reading('m1', 'energy_active_import_total', 'kWh', 1002, t0 + 3_600_000)]);
    await clock.advanceTo(t0 + 3_600_000 + 65_000);
    rec.flush();
    const minutes = ts.minutes(Math.floor(t0 / 60_000), Math.floor(t0 / 60_000) + 59);
    expect(minutes).toHaveLength(60);
    expect(minutes.every((m) => m.wAvg === 2000)).toBe(true);
    // 2 kW for a minute is 33.3 Wh, stored in tenths.
    expect(minutes.slice(1, -1).every((m) => m.dwh === 333)).toBe(true);
    expect(minutes.filter((m) => m.after)).toHaveLength(30);
    const hour = store.db.prepare('SELECT * FROM energy_hour').all() as Array<{ wh: number; wh_after: number; w_avg: number; w_max: number; minutes: number }>;
    // Counter: 1000 → 1001.9667 at the last reading inside 10:xx (10:59:00); the rest lands in 11:00.
    // After hours: 30 of the hour's 60 equal minutes, so half of it (983.5, rounded).
    expect(hour).toEqual([{ hour: t0 / 3_600_000, meter: 1, wh: 1967, wh_after: 984, w_avg: 2000, w_max: 2000, minutes: 60 }]);
    const day = store.db.prepare('SELECT * FROM energy_day').all();
    expect(day).toEqual([{ day: 20260302, meter: 1, wh: 1967, wh_after: 984, w_max: 2000 }]);
    expect(hours).toHaveLength(1);
    // The hour is an event in the outbox: bulk priority, compact.
    const ev = store.events.list({ typePrefix: 'energy.rollup.hour' });
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({ priority: PRIORITIES.bulk, occurredAt: t0, data: { hour: t0, meters: 1, m: [['m1', 1967, 984, 2000, 2000]] } });
    expect(JSON.stringify(ev[0]!.data).length).toBeLessThan(120);
    rec.stop();
  });

  it('keeps energy used while the edge was down: the next hour books it from the counter', async () => {
    const { store, dir } = openStore();
    const t0 = cst('2026-03-02 10:00');
    const clock = new FakeClock(t0);
    const first = recorder(store, clock);
    first.rec.start();
    const feed = async (r: TelemetryRecorder, from: number, to: number, kwhAt: (t: number) => number) => {
      for (let t = from; t <= to; t += 60_000) {
        await clock.advanceTo(t);
        r.ingest([reading('m1', 'power_active_total', 'W', 1000, t), reading('m1', 'energy_active_import_total', 'kWh', kwhAt(t), t)]);
      }
    };
    const kwh = (t: number) => 500 + (t - t0) / 3_600_000; // 1 kW
    await feed(first.rec, t0, t0 + 3_600_000, kwh);
    await clock.advanceTo(t0 + 3_600_000 + 5_000);
    first.rec.stop();
    store.close();
    // Down from 11:01 to 12:30; the meter keeps counting.
    clock.advanceTo(t0 + 2.5 * 3_600_000);
    const again = openStore(dir).store;
    const second = recorder(again, clock);
    second.rec.start();
    await feed(second.rec, t0 + 2.5 * 3_600_000, t0 + 4 * 3_600_000, kwh);
    await clock.advanceTo(t0 + 4 * 3_600_000 + 5_000);
    second.rec.stop();
    const hours = again.db.prepare('SELECT hour, wh FROM energy_hour ORDER BY hour').all() as Array<{ hour: number; wh: number }>;
    const total = hours.reduce((a, h) => a + h.wh, 0);
    // The closed hours hold exactly the counter's progress from 10:00 to its last reading
    // before 14:00 (13:59), gap included: nothing lost, nothing counted twice.
    expect(total).toBe(Math.round((kwh(t0 + 4 * 3_600_000 - 60_000) - kwh(t0)) * 1000));
    expect(hours.map((h) => h.wh)).toEqual([983, 2000, 1000]);
  });

  it('overwrites its rings in place: raw values and minutes stay within their retention', async () => {
    const { store } = openStore();
    const t0 = cst('2026-03-02 00:00');
    const clock = new FakeClock(t0);
    const { rec, ts } = recorder(store, clock, { telemetry: { rawRetentionHours: 2, minuteRetentionDays: 1, flushSeconds: 600 } });
    rec.start();
    for (let t = t0; t < t0 + 30 * 3_600_000; t += 60_000) {
      await clock.advanceTo(t);
      rec.ingest([reading('m1', 'power_active_total', 'W', 1000 + ((t / 60_000) % 7) * 100, t)]);
    }
    rec.stop();
    const count = (table: string) => (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    const layout = ringLayout({ flushSeconds: 600, rawRetentionHours: 2, minuteRetentionDays: 1 });
    expect(count('energy_raw')).toBeLessThanOrEqual(layout.rawSlots);
    expect(count('energy_minute')).toBeLessThanOrEqual(layout.minuteSlots);
    // The newest day is all there, older minutes are gone.
    const end = Math.floor((t0 + 30 * 3_600_000) / 60_000);
    expect(ts.minutes(end - 1440, end).length).toBeGreaterThanOrEqual(1439);
    expect(ts.minutes(Math.floor(t0 / 60_000), Math.floor(t0 / 60_000) + 60)).toEqual([]);
    // Raw values of the last two hours can be read back; the first hour is gone.
    expect(rawValues(ts, store, 'm1', 'power_active_total', t0 + 28 * 3_600_000, t0 + 30 * 3_600_000).length).toBeGreaterThan(50);
    expect(rawValues(ts, store, 'm1', 'power_active_total', t0, t0 + 3_600_000)).toEqual([]);
  });

  it('merges two chunks of one flush window (a flush on stop, then a restart)', async () => {
    const { store } = openStore();
    const t0 = cst('2026-03-02 10:00');
    const clock = new FakeClock(t0 + 10_000);
    const { rec, ts } = recorder(store, clock);
    rec.ingest([reading('m1', 'voltage_l1', 'V', 220, t0 + 10_000)]);
    rec.flush();
    await clock.advanceTo(t0 + 60_000);
    rec.ingest([reading('m1', 'voltage_l1', 'V', 225, t0 + 60_000)]);
    rec.flush();
    expect(rawValues(ts, store, 'm1', 'voltage_l1', t0, t0 + 120_000)).toEqual([
      [t0 + 10_000, 220],
      [t0 + 60_000, 225],
    ]);
  });
});
