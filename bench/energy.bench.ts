/**
 * Issue 4 (edge side) benchmarks:
 *   energy.write.mb.per.day — bytes the edge writes to its database (WAL + checkpoints,
 *     counted at the write() system call) for one simulated steady-state day of 500 SDM630
 *     meters polled every 10 s (kWh every 60 s, the drivers' default slow interval), values
 *     from the drivers' meter physics, through the real telemetry recorder (deadband raw values, 1-minute and
 *     1-hour roll-ups, daily totals, hourly roll-up events) into the real store.
 *   energy.query.month — kWh per building per day for a month, with 500 meters' hourly and
 *     daily roll-ups for the month (and the year before it) loaded.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MeterPhysics } from '@campus/device-drivers/modbus/sim/index';
import type { MeterReading } from '@campus/protocol/energy/index';
import { report, median } from './lib.js';

// ENERGY_BENCH_METERS (default 500), ENERGY_BENCH_SKIP_QUERY / _SKIP_WRITE to run one part,
// ENERGY_BENCH_DBSTAT=1 to print table sizes.
import { Store } from '../edge-agent/src/store/index.js';
import { TrustedClock } from '../edge-agent/src/core/clock.js';
import { EnergyConfigSchema, type EnergyConfig } from '../edge-agent/src/energy/config.js';
import { Topology } from '../edge-agent/src/energy/topology.js';
import { SchoolCalendar } from '../edge-agent/src/school/calendar.js';
import { RoomBookings } from '../edge-agent/src/energy/calendar/bookings.js';
import { OperatingHours } from '../edge-agent/src/energy/calendar/operating-hours.js';
import { TelemetryRecorder } from '../edge-agent/src/energy/telemetry/recorder.js';
import { TelemetryStore, ringLayout } from '../edge-agent/src/energy/telemetry/telemetry-store.js';
import { EnergyQuery } from '../edge-agent/src/energy/reports/energy-query.js';
import { SchoolTime } from '../edge-agent/src/school/time.js';
import type { TimerClock } from '../edge-agent/src/energy/time/timers.js';
import { ALL_MIGRATIONS } from '../edge-agent/src/migrations.js';

const METERS = Number(process.env.ENERGY_BENCH_METERS ?? 500);
const BUILDINGS = 20;
const POLL_MS = 10_000;
const SLOW_MS = 60_000;
const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Timers on simulated time: the bench moves the clock, due timers run in order. */
class SimClock implements TimerClock {
  private timers: Array<{ at: number; fn: () => void | Promise<void>; dead: boolean }> = [];
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  at(at: number, fn: () => void | Promise<void>): () => void {
    const timer = { at, fn, dead: false };
    this.timers.push(timer);
    return () => {
      timer.dead = true;
    };
  }
  async advanceTo(to: number): Promise<void> {
    for (;;) {
      let next: (typeof this.timers)[number] | undefined;
      for (const x of this.timers) if (!x.dead && x.at <= to && (!next || x.at < next.at)) next = x;
      if (!next) break;
      next.dead = true;
      this.t = Math.max(this.t, next.at);
      await next.fn();
      this.timers = this.timers.filter((x) => !x.dead);
    }
    this.t = Math.max(this.t, to);
  }
}

function campusConfig(telemetry: Record<string, unknown> = {}): EnergyConfig {
  const buildings = Array.from({ length: BUILDINGS }, (_, b) => ({ id: `b${b}`, name: `楼${b}` }));
  const rooms = Array.from({ length: METERS }, (_, i) => ({ id: `r${i}`, name: `房间${i}`, building: `b${i % BUILDINGS}`, kind: 'classroom' as const }));
  const meters = Array.from({ length: METERS }, (_, i) => ({ id: `m${String(i).padStart(3, '0')}`, unit: (i % 247) + 1, model: 'eastron-sdm630', building: `b${i % BUILDINGS}`, room: `r${i}` }));
  return EnergyConfigSchema.parse({ enabled: true, buildings, rooms, buses: [{ id: 'bench', transport: { kind: 'tcp', host: '127.0.0.1' }, meters }], telemetry });
}

function wchar(): number {
  const m = /wchar:\s*(\d+)/.exec(readFileSync('/proc/self/io', 'utf8'));
  return m ? Number(m[1]) : NaN;
}

async function writeVolume(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'energy-bench-'));
  // The shipped retention (raw values 48 h, minute roll-ups 90 days: rings that overwrite
  // their oldest rows in place once full). Steady state: the rings start full where the
  // measured day writes. The raw ring is filled whole (the warm-up hour copied back over
  // the 47 hours before the day); of the 90-day minute ring, the slots the day overwrites
  // are filled (the warm-up hour copied to 90 days earlier, hour by hour): 720k rows
  // instead of 65M, so the tree is one level shallower than on a real edge.
  const config = campusConfig();
  const start = Date.parse('2026-03-02T00:00:00+08:00'); // a Monday
  const warmup = start - HOUR;
  const clock = new SimClock(warmup);
  const store = Store.open({ migrations: ALL_MIGRATIONS, dataDir: dir, file: 'edge.db', backupDir: 'b', synchronous: 'normal', site: 'bench', clock: new TrustedClock({ mode: 'always', wallNow: () => clock.now() }) });
  const zone = new SchoolTime('Asia/Shanghai');
  const topology = new Topology(config);
  const calendar = new SchoolCalendar(store.db, new SchoolTime('Asia/Shanghai'));
  const bookings = new RoomBookings(store.db, calendar, zone, () => clock.now());
  const hours = new OperatingHours(config.operatingHours, topology, calendar, bookings, zone);
  // Store.startFlushTimer's setting: the writer's own auto-checkpoint is only a backstop.
  store.db.pragma('wal_autocheckpoint = 20000');
  let checkpoints = 0;
  const recorder = new TelemetryRecorder({
    store: new TelemetryStore(store.db, ringLayout(config.telemetry)),
    timers: clock,
    zone,
    config: config.telemetry,
    isAfterHours: (id, at) => {
      const m = topology.meters.get(id)!;
      return m.room ? !hours.roomInHours(m.room, at) : !hours.buildingInHours(m.building, at);
    },
    appendEvents: (events) => store.events.appendMany(events),
    // As the edge does: its checkpointer thread checkpoints (PASSIVE) within a second of any
    // commit, so after every flush (telemetry and the flush's events in one go; a flush every
    // flushSeconds = 300 s is far apart on the edge's 1 s checkpoint timer).
    onFlushed: () => {
      checkpoints++;
      store.db.pragma('wal_checkpoint(PASSIVE)');
    },
  });
  recorder.start();
  const meters = [...topology.meters.values()].map((m, i) => ({ id: m.id, physics: new MeterPhysics({ seed: i + 1, startedAt: warmup, startKwh: 1000 + i }) }));

  const simulate = async (from: number, to: number) => {
    for (let t = from; t < to; t += POLL_MS) {
      await clock.advanceTo(t);
      const slow = (t - from) % SLOW_MS === 0;
      for (let i = 0; i < meters.length; i++) {
        const m = meters[i]!;
        const at = t + (i % 100) * 20; // a bus answers one meter after another
        const s = m.physics.at(at);
        const [a, b, c] = s.phases;
        const power = a.power + b.power + c.power;
        const batch: MeterReading[] = [
          { deviceId: m.id, point: 'voltage_l1', unit: 'V', value: a.voltage, quality: 'good', at },
          { deviceId: m.id, point: 'voltage_l2', unit: 'V', value: b.voltage, quality: 'good', at },
          { deviceId: m.id, point: 'voltage_l3', unit: 'V', value: c.voltage, quality: 'good', at },
          { deviceId: m.id, point: 'current_l1', unit: 'A', value: a.current, quality: 'good', at },
          { deviceId: m.id, point: 'current_l2', unit: 'A', value: b.current, quality: 'good', at },
          { deviceId: m.id, point: 'current_l3', unit: 'A', value: c.current, quality: 'good', at },
          { deviceId: m.id, point: 'power_active_total', unit: 'W', value: power, quality: 'good', at },
          { deviceId: m.id, point: 'power_factor_total', unit: '', value: power / (a.apparent + b.apparent + c.apparent), quality: 'good', at },
          { deviceId: m.id, point: 'frequency', unit: 'Hz', value: s.frequency, quality: 'good', at },
        ];
        if (slow) batch.push({ deviceId: m.id, point: 'energy_active_import_total', unit: 'kWh', value: s.importKwh[0] + s.importKwh[1] + s.importKwh[2], quality: 'good', at });
        recorder.ingest(batch);
      }
    }
    await clock.advanceTo(to);
  };

  await simulate(warmup, start);
  recorder.flush();
  // Full rings where the day writes: the warm-up hour's raw chunks copied back over the rest of the
  // raw ring, and its minute roll-ups into the minute slots of 90 days ago that the day overwrites.
  const rings = ringLayout(config.telemetry);
  const rawHours = config.telemetry.rawRetentionHours;
  const minuteLap = rings.minuteSlots; // minutes, one lap of the minute ring
  const f0 = performance.now();
  store.db.transaction(() => {
    const raw = store.db.prepare('INSERT OR REPLACE INTO energy_raw SELECT ((t0 - @d) / @w) % @n, meter, t0 - @d, t1 - @d, n, data FROM energy_raw WHERE t0 >= @from AND t0 < @to');
    for (let k = 1; k < rawHours; k++) raw.run({ d: k * HOUR, w: rings.rawWindowMs, n: rings.rawSlots, from: warmup, to: start });
    // Target minute = source minute + off, off = 60 (j + 1) - one lap: the day's hour j, one lap earlier.
    const minute = store.db.prepare(
      'INSERT OR REPLACE INTO energy_minute SELECT (lap * @n + slot + @off) % @n, meter, (lap * @n + slot + @off) / @n, dwh, after, w_avg FROM energy_minute WHERE lap * @n + slot >= @from AND lap * @n + slot < @to',
    );
    for (let j = 0; j < 24; j++) minute.run({ off: 60 * (j + 1) - minuteLap, n: rings.minuteSlots, from: warmup / 60_000, to: start / 60_000 });
  })();
  console.log(`rings filled in ${((performance.now() - f0) / 1000).toFixed(1)} s`);
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const readingsBefore = recorder.stats.readings;
  const storedBefore = recorder.stats.stored;
  const checkpointsBefore = checkpoints;
  const bytesBefore = wchar();
  const dbBefore = fileBytes(store.file);
  const t0 = performance.now();
  await simulate(start, start + DAY);
  await clock.advanceTo(start + DAY + 10_000);
  const bytes = wchar() - bytesBefore;
  const seconds = (performance.now() - t0) / 1000;
  const dbGrowth = fileBytes(store.file) - dbBefore;
  const rows = (table: string) => (store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  report({
    name: 'energy.write.mb.per.day',
    metric: `bytes written to the database (WAL + checkpoints, counted at write()) in one steady-state day of ${METERS} meters polled every 10 s (kWh every 60 s) on a simulated clock; shipped telemetry settings (flush every ${config.telemetry.flushSeconds} s, raw ${config.telemetry.rawRetentionHours} h, minutes ${config.telemetry.minuteRetentionDays} days), checkpointed after every flush as the edge's checkpointer does`,
    value: Math.round((bytes / 1e6) * 10) / 10,
    unit: 'MB',
    target: '<= 150',
    readings: recorder.stats.readings - readingsBefore,
    rawValuesStored: recorder.stats.stored - storedBefore,
    dbGrowthMB: Math.round((dbGrowth / 1e6) * 10) / 10,
    rows: { raw: rows('energy_raw'), minute: rows('energy_minute'), hour: rows('energy_hour'), day: rows('energy_day') },
    simulatedDaySeconds: Math.round(seconds),
    checkpoints: checkpoints - checkpointsBefore,
    retention: { rawHours: config.telemetry.rawRetentionHours, minuteDays: config.telemetry.minuteRetentionDays },
  });
  if (process.env.ENERGY_BENCH_DBSTAT) {
    console.log(JSON.stringify(store.db.prepare('SELECT name, sum(pgsize) AS bytes, sum(payload) AS payload, count(*) AS pages FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 8').all()));
  }
  recorder.stop();
  store.close();
  rmSync(dir, { recursive: true, force: true });
}

function fileBytes(f: string): number {
  let n = 0;
  for (const p of [f, `${f}-wal`]) {
    try {
      n += statSync(p).size;
    } catch {
      /* no WAL yet */
    }
  }
  return n;
}

function monthQuery(): void {
  const dir = mkdtempSync(join(tmpdir(), 'energy-bench-q-'));
  const config = campusConfig();
  const store = Store.open({ migrations: ALL_MIGRATIONS, dataDir: dir, file: 'edge.db', backupDir: 'b', synchronous: 'normal', site: 'bench', clock: new TrustedClock({ mode: 'always' }) });
  const zone = new SchoolTime('Asia/Shanghai');
  const topology = new Topology(config);
  const ts = new TelemetryStore(store.db);
  const idx = [...topology.meters.keys()].map((id) => ts.meterIndex(id));
  // A year of daily totals and the month's hourly roll-ups, as the recorder writes them.
  const monthStart = Date.parse('2026-03-01T00:00:00+08:00');
  const first = monthStart - 365 * DAY;
  for (let d = first; d < monthStart + 31 * DAY; d += DAY) {
    const dayKey = zone.parts(d).dayKey;
    const hours = [];
    if (d >= monthStart) {
      for (let h = 0; h < 24; h++) for (const m of idx) hours.push({ hour: Math.floor((d + h * 3_600_000) / 3_600_000), meter: m, wh: 800 + ((m * 7 + h) % 500), whAfter: h < 7 || h > 18 ? 300 : 0, wAvg: 900, wMax: 1500, minutes: 60 });
    }
    ts.write({ raw: [], minutes: [], hours, days: idx.map((m) => ({ day: dayKey, meter: m, wh: 20_000 + m, whAfter: 4000, wMax: 2000 })), baselines: [], at: d });
  }
  const query = new EnergyQuery(store.db, topology, zone);
  const runs: number[] = [];
  let buildings = 0;
  let points = 0;
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    const r = query.buildingsByDay('2026-03-01', '2026-03-31');
    runs.push(performance.now() - t0);
    buildings = r.size;
    points = [...r.values()].reduce((a, s) => a + s.length, 0);
  }
  report({
    name: 'energy.query.month',
    metric: 'kWh per building per day for a month (median of 21, after 1 warm-up), 500 meters, daily roll-ups for a year and hourly for the month loaded',
    value: Number(median(runs.slice(1)).toFixed(2)),
    unit: 'ms',
    target: '<= 50',
    buildings,
    points,
    cold: Number(runs[0]!.toFixed(2)),
  });
  store.close();
  rmSync(dir, { recursive: true, force: true });
}

const only = process.env.BENCH_ONLY; // one result name, from run.mjs
if (!process.env.ENERGY_BENCH_SKIP_QUERY && (!only || only === 'energy.query.month')) monthQuery();
if (!process.env.ENERGY_BENCH_SKIP_WRITE && (!only || only === 'energy.write.mb.per.day')) await writeVolume();
