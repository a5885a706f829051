import { PRIORITIES, type NewEvent } from '@campus/protocol';
import type { MeterReading } from '@campus/protocol/energy/index';
import { ENERGY_EVENTS, ENERGY_REASONS } from '@campus/protocol/energy/edge-events';
import type { EnergyConfig } from '../config.js';
import { every, type TimerClock } from '../time/timers.js';
import type { SchoolTime } from '../../school/time.js';
import { RawChunkWriter } from './raw-codec.js';
import type { HourRow, MinuteRow, PointInfo, RawRow, TelemetryStore } from './telemetry-store.js';
import { COUNTER_UNITS, deadbandOf, normalise, resolutionOf } from './units.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Power is integrated between readings at most this far apart; longer gaps are unknown, not zero. */
const MAX_INTEGRATION_GAP_MS = 60_000;

const POWER_POINT = 'power_active_total';
const PHASE_POWER = /^power_active_l[123]$/;
const COUNTER_POINT = 'energy_active_import_total';

interface MeterAcc {
  id: string;
  idx: number;
  /** Open minute (epoch minute), -1 before the first reading. */
  minute: number;
  pSum: number;
  pN: number;
  pMax: number;
  integWh: number;
  lastP: number | null;
  lastPAt: number | null;
  /** Open hour (epoch hour). */
  hour: number;
  hIntegWh: number;
  hIntegAfterWh: number;
  hAvgSum: number;
  hN: number;
  hMax: number | null;
  hadCounter: boolean;
  /** Counter already booked into closed hours, and the newest counter reading (Wh). */
  baseWh: number | null;
  lastWh: number | null;
  baselineDirty: boolean;
  chunk: RawChunkWriter | null;
  points: Map<string, PointState>;
}

const ROLE_OTHER = 0;
const ROLE_POWER = 1;
const ROLE_PHASE_POWER = 2;
const ROLE_COUNTER = 3;

/** Per meter and point: where it is stored, its deadband, and the last value kept. */
interface PointState {
  idx: number;
  res: number;
  sourceUnit: string;
  /** Multiplier to the stored unit (kW → W). */
  factor: number;
  abs: number;
  relative: number;
  halfStep: number;
  role: number;
  lastValue: number;
  lastAt: number;
}

export interface HourTotal {
  meter: string;
  wh: number;
  whAfter: number;
  wAvg: number | null;
  wMax: number | null;
}

export interface RecorderDeps {
  store: TelemetryStore;
  timers: TimerClock;
  zone: SchoolTime;
  config: EnergyConfig['telemetry'];
  /** Whether the meter's room or building is outside operating hours at `at`. */
  isAfterHours: (meterId: string, at: number) => boolean;
  appendEvents: (events: NewEvent[]) => void;
  /** Called after a flush was written (the bench counts bytes here). */
  onFlushed?: () => void;
  /** An hour was closed for every meter (alarms, live reports). */
  onHourClosed?: (hourStart: number, totals: HourTotal[]) => void;
  onMinuteClosed?: (minute: number) => void;
  /** The configured meters: telemetry rows of others are removed at start. */
  activeMeters?: Iterable<string>;
}

/**
 * Turns meter readings into what is kept on the edge's flash:
 *   raw values on change beyond a deadband (and at least every heartbeat), packed per meter;
 *   1-minute roll-ups (power average/max, energy integrated from power);
 *   1-hour roll-ups (energy exact from the meter's counter, the after-hours share);
 *   daily totals; hourly roll-ups as compact 'bulk' events for the cloud.
 * Everything is buffered and written in one transaction per flush.
 */
export class TelemetryRecorder {
  private readonly meters = new Map<string, MeterAcc>();
  private readonly points = new Map<string, PointInfo>();
  private pendingRaw: RawRow[] = [];
  private pendingMinutes: MinuteRow[] = [];
  private pendingHours: HourRow[] = [];
  private pendingDays = new Map<string, { day: number; meter: number; wh: number; whAfter: number; wMax: number | null }>();
  private pendingHourTotals = new Map<number, HourTotal[]>();
  private pendingEvents: NewEvent[] = [];
  private baselines = new Map<number, number | null>();
  private lastRetention = 0;
  private cancels: Array<() => void> = [];
  readonly stats = { readings: 0, stored: 0, flagged: 0, flushes: 0 };
  private readonly heartbeatMs: number;
  private readonly rawPoints: number[] = [];
  private readonly rawQ: number[] = [];

  constructor(private readonly deps: RecorderDeps) {
    this.heartbeatMs = deps.config.heartbeatSeconds * 1000;
  }

  start(): void {
    if (this.deps.activeMeters) this.deps.store.retireMeters(new Set(this.deps.activeMeters));
    this.baselines = this.deps.store.baselines();
    for (const id of this.deps.store.meterIds().values()) this.acc(id);
    this.recoverOpenHours();
    this.restoreOpenHour();
    this.cancels.push(every(this.deps.timers, MINUTE, () => this.tick(), 2_000));
    this.cancels.push(every(this.deps.timers, this.deps.config.flushSeconds * 1000, () => this.flush(), 5_000));
  }

  /** Writes what is buffered (closed minutes, raw values) and stops the timers. */
  stop(): void {
    for (const c of this.cancels) c();
    this.cancels = [];
    this.flush();
  }

  ingest(batch: readonly MeterReading[]): void {
    const first = batch[0];
    if (!first) return;
    const acc = this.acc(first.deviceId);
    const at = first.at;
    this.advance(acc, at);
    let stored = 0;
    let power: number | null = null;
    let phaseSum = 0;
    let phases = 0;
    for (const r of batch) {
      this.stats.readings++;
      if (r.quality !== 'good' || r.value === null) {
        this.stats.flagged++;
        continue;
      }
      let p = acc.points.get(r.point);
      if (!p || p.sourceUnit !== r.unit) acc.points.set(r.point, (p = this.pointState(r.point, r.unit)));
      const value = r.value * p.factor;
      // Deadband and heartbeat: is this value worth a write?
      const threshold = Math.max(p.abs, p.relative * Math.abs(p.lastValue), p.halfStep);
      if (p.lastAt === -Infinity || Math.abs(value - p.lastValue) > threshold || r.at - p.lastAt >= this.heartbeatMs) {
        p.lastValue = value;
        p.lastAt = r.at;
        this.rawPoints[stored] = p.idx;
        this.rawQ[stored] = Math.round(value / p.res);
        stored++;
      }
      if (p.role === ROLE_POWER) power = value;
      else if (p.role === ROLE_PHASE_POWER) {
        phaseSum += value;
        phases++;
      } else if (p.role === ROLE_COUNTER) this.counter(acc, Math.round(value * 1000));
    }
    if (stored > 0) {
      acc.chunk ??= new RawChunkWriter(at);
      acc.chunk.add(at, this.rawPoints, this.rawQ, stored);
      this.stats.stored += stored;
    }
    if (power === null && phases > 0) power = phaseSum;
    if (power !== null) this.power(acc, power, at);
  }

  private pointState(name: string, sourceUnit: string): PointState {
    const n = normalise(1, sourceUnit);
    const info = this.point(name, n.unit);
    const band = deadbandOf(n.unit, this.deps.config.deadband);
    return {
      idx: info.idx,
      res: info.res,
      sourceUnit,
      factor: n.value,
      abs: band.abs,
      relative: band.relative,
      halfStep: info.res / 2,
      role: name === POWER_POINT ? ROLE_POWER : PHASE_POWER.test(name) ? ROLE_PHASE_POWER : name === COUNTER_POINT && n.unit === 'kWh' ? ROLE_COUNTER : ROLE_OTHER,
      lastValue: 0,
      lastAt: -Infinity,
    };
  }

  /** Closes minutes and hours that ended (called every minute; tests call it directly). */
  tick(): void {
    const now = this.deps.timers.now();
    const minute = Math.floor(now / MINUTE);
    for (const acc of this.meters.values()) this.closeUpTo(acc, minute);
    this.emitClosedHours(Math.floor(now / HOUR));
    this.deps.onMinuteClosed?.(minute - 1);
  }

  flush(): void {
    const now = this.deps.timers.now();
    const raw = this.pendingRaw;
    for (const acc of this.meters.values()) {
      if (acc.chunk && acc.chunk.count > 0) raw.push({ t0: acc.chunk.t0, meter: acc.idx, t1: acc.chunk.t1, n: acc.chunk.count, data: acc.chunk.bytes() });
      acc.chunk = null;
    }
    const baselines: Array<{ meter: number; counterWh: number | null }> = [];
    for (const acc of this.meters.values()) {
      if (!acc.baselineDirty) continue;
      acc.baselineDirty = false;
      baselines.push({ meter: acc.idx, counterWh: acc.baseWh });
    }
    // Raw values and minutes age out by being overwritten (rings); hour rows are deleted once a day.
    const hourBefore = now - this.lastRetention >= 24 * HOUR ? Math.floor((now - this.deps.config.hourRetentionYears * 365.25 * 24 * HOUR) / HOUR) : undefined;
    const minutes = this.pendingMinutes;
    if (this.deps.config.minuteRollupEvents && minutes.length > 0) this.pendingEvents.push(this.minuteEvent(minutes));
    if (raw.length || minutes.length || this.pendingHours.length || this.pendingDays.size || baselines.length || hourBefore !== undefined) {
      this.deps.store.write({ raw, minutes, hours: this.pendingHours, days: [...this.pendingDays.values()], baselines, at: now, hourBefore });
      if (hourBefore !== undefined) this.lastRetention = now;
      this.stats.flushes++;
    }
    this.pendingRaw = [];
    this.pendingMinutes = [];
    this.pendingHours = [];
    this.pendingDays.clear();
    const events = this.pendingEvents;
    this.pendingEvents = [];
    if (events.length) this.deps.appendEvents(events);
    this.deps.onFlushed?.();
  }

  private acc(deviceId: string): MeterAcc {
    let acc = this.meters.get(deviceId);
    if (!acc) {
      const idx = this.deps.store.meterIndex(deviceId);
      const base = this.baselines.get(idx);
      const hour = Math.floor(this.deps.timers.now() / HOUR);
      acc = {
        id: deviceId,
        idx,
        minute: -1,
        pSum: 0,
        pN: 0,
        pMax: 0,
        integWh: 0,
        lastP: null,
        lastPAt: null,
        hour,
        hIntegWh: 0,
        hIntegAfterWh: 0,
        hAvgSum: 0,
        hN: 0,
        hMax: null,
        hadCounter: base !== undefined && base !== null,
        baseWh: base ?? null,
        lastWh: base ?? null,
        baselineDirty: false,
        chunk: null,
        points: new Map(),
      };
      this.meters.set(deviceId, acc);
    }
    return acc;
  }

  private point(name: string, unit: string): PointInfo {
    const key = `${name}@${unit}`;
    let p = this.points.get(key);
    if (!p) {
      p = this.deps.store.pointIndex(name, unit, resolutionOf(unit));
      this.points.set(key, p);
    }
    return p;
  }

  private counter(acc: MeterAcc, wh: number): void {
    acc.hadCounter = true;
    if (acc.baseWh === null || (acc.lastWh !== null && wh < acc.lastWh)) {
      // First reading ever, or a meter that was reset or replaced (the poller has
      // already held back a few regressed readings): count from here.
      acc.baseWh = wh;
      acc.baselineDirty = true;
    }
    acc.lastWh = wh;
  }

  private power(acc: MeterAcc, w: number, at: number): void {
    if (acc.lastP !== null && acc.lastPAt !== null && at > acc.lastPAt && at - acc.lastPAt <= MAX_INTEGRATION_GAP_MS) {
      acc.integWh += (acc.lastP * (at - acc.lastPAt)) / HOUR;
    }
    acc.lastP = w;
    acc.lastPAt = at;
    acc.pSum += w;
    acc.pN++;
    if (acc.pN === 1 || w > acc.pMax) acc.pMax = w;
  }

  /** Moves the meter's open minute forward to the minute of `at`. */
  private advance(acc: MeterAcc, at: number): void {
    const m = Math.floor(at / MINUTE);
    if (acc.minute === -1) {
      acc.minute = m;
      if (Math.floor(m / 60) !== acc.hour) this.closeHour(acc, Math.floor(m / 60));
      return;
    }
    if (m > acc.minute) this.closeUpTo(acc, m);
  }

  /** Closes the open minute (and hour) if it is before `minute`. */
  private closeUpTo(acc: MeterAcc, minute: number): void {
    if (acc.minute === -1 || acc.minute >= minute) {
      if (acc.minute === -1 && Math.floor(minute / 60) > acc.hour) this.closeHour(acc, Math.floor(minute / 60));
      return;
    }
    const start = acc.minute * MINUTE;
    const end = start + MINUTE;
    if (acc.lastP !== null && acc.lastPAt !== null && acc.lastPAt < end && end - acc.lastPAt <= MAX_INTEGRATION_GAP_MS) {
      // The energy up to the minute boundary belongs to this minute; the rest to the next.
      acc.integWh += (acc.lastP * (end - acc.lastPAt)) / HOUR;
      acc.lastPAt = end;
    }
    if (acc.pN > 0 || acc.integWh > 0) {
      const after = this.deps.isAfterHours(acc.id, start);
      const wAvg = acc.pN > 0 ? Math.round(acc.pSum / acc.pN) : null;
      const wMax = acc.pN > 0 ? Math.round(acc.pMax) : null;
      this.pendingMinutes.push({ minute: acc.minute, meter: acc.idx, dwh: Math.round(acc.integWh * 10), after, wAvg });
      acc.hIntegWh += acc.integWh;
      if (after) acc.hIntegAfterWh += acc.integWh;
      if (wAvg !== null) {
        acc.hAvgSum += wAvg;
        acc.hN++;
        acc.hMax = acc.hMax === null ? wMax : Math.max(acc.hMax, wMax!);
      }
    }
    acc.pSum = 0;
    acc.pN = 0;
    acc.pMax = 0;
    acc.integWh = 0;
    acc.minute = minute;
    const hour = Math.floor(minute / 60);
    if (hour > acc.hour) this.closeHour(acc, hour);
  }

  /**
   * Books the open hour and starts `nextHour`. `recovered`: an hour the edge
   * stopped in, closed after a restart from its minute rows; its energy is the
   * integrated power, and the counter baseline moves on by that much so the
   * next hour's counter delta does not count it again.
   */
  private closeHour(acc: MeterAcc, nextHour: number, recovered = false): void {
    const hourStart = acc.hour * HOUR;
    let wh: number;
    if (recovered) {
      wh = Math.round(acc.hIntegWh);
      if (acc.hadCounter && acc.baseWh !== null) {
        // An estimate: if the counter later reads less, the next hour books 0 and the baseline snaps back to it.
        acc.baseWh += wh;
        acc.baselineDirty = true;
      }
    } else if (acc.hadCounter) {
      wh = acc.baseWh !== null && acc.lastWh !== null ? Math.max(0, acc.lastWh - acc.baseWh) : 0;
      if (acc.lastWh !== null && acc.baseWh !== acc.lastWh) {
        acc.baseWh = acc.lastWh;
        acc.baselineDirty = true;
      }
    } else {
      wh = Math.round(acc.hIntegWh);
    }
    const whAfter =
      acc.hIntegWh > 0 ? Math.round((wh * acc.hIntegAfterWh) / acc.hIntegWh) : wh > 0 && this.deps.isAfterHours(acc.id, hourStart) ? wh : 0;
    if (wh > 0 || acc.hN > 0) {
      const wAvg = acc.hN > 0 ? Math.round(acc.hAvgSum / acc.hN) : null;
      this.pendingHours.push({ hour: acc.hour, meter: acc.idx, wh, whAfter, wAvg, wMax: acc.hMax, minutes: acc.hN });
      const day = this.deps.zone.parts(hourStart).dayKey;
      const key = `${day}:${acc.idx}`;
      const d = this.pendingDays.get(key);
      if (d) {
        d.wh += wh;
        d.whAfter += whAfter;
        d.wMax = d.wMax === null ? acc.hMax : acc.hMax === null ? d.wMax : Math.max(d.wMax, acc.hMax);
      } else this.pendingDays.set(key, { day, meter: acc.idx, wh, whAfter, wMax: acc.hMax });
      const totals = this.pendingHourTotals.get(acc.hour) ?? [];
      totals.push({ meter: acc.id, wh, whAfter, wAvg, wMax: acc.hMax });
      this.pendingHourTotals.set(acc.hour, totals);
    }
    acc.hour = nextHour;
    acc.hIntegWh = 0;
    acc.hIntegAfterWh = 0;
    acc.hAvgSum = 0;
    acc.hN = 0;
    acc.hMax = null;
  }

  private emitClosedHours(currentHour: number): void {
    for (const [hour, totals] of this.pendingHourTotals) {
      if (hour >= currentHour) continue;
      this.pendingHourTotals.delete(hour);
      const hourStart = hour * HOUR;
      const p = this.deps.zone.parts(hourStart);
      this.pendingEvents.push({
        type: ENERGY_EVENTS.rollupHour,
        reason: ENERGY_REASONS.rollupHour,
        priority: PRIORITIES.bulk,
        source: 'energy.telemetry',
        occurredAt: hourStart,
        data: {
          hour: hourStart,
          hourText: `${p.date} ${String(p.hour).padStart(2, '0')}:00`,
          meters: totals.length,
          // [meter, Wh, after-hours Wh, average W, maximum W]
          m: totals.map((t) => [t.meter, t.wh, t.whAfter, t.wAvg, t.wMax]),
        },
      });
      this.deps.onHourClosed?.(hourStart, totals);
    }
  }

  private minuteEvent(minutes: MinuteRow[]): NewEvent {
    const ids = new Map([...this.meters.values()].map((a) => [a.idx, a.id]));
    const from = Math.min(...minutes.map((m) => m.minute));
    const m: Record<string, Array<[number, number, number | null]>> = {};
    for (const r of minutes) (m[ids.get(r.meter) ?? String(r.meter)] ??= []).push([r.minute - from, r.dwh, r.wAvg]);
    return {
      type: ENERGY_EVENTS.rollupMinute,
      reason: ENERGY_REASONS.rollupMinute,
      priority: PRIORITIES.bulk,
      source: 'energy.telemetry',
      occurredAt: from * MINUTE,
      // m: {meter: [[minute offset, 0.1 Wh, average W], ...]}
      data: { from: from * MINUTE, minutes: new Set(minutes.map((x) => x.minute)).size, meters: Object.keys(m).length, m },
    };
  }

  /**
   * After a restart: hours that had minutes written but were never closed (the
   * edge stopped in them) are closed from their minute rows.
   */
  private recoverOpenHours(): void {
    const nowMinute = Math.floor(this.deps.timers.now() / MINUTE);
    const currentHour = Math.floor(nowMinute / 60);
    const lastHour = this.deps.store.lastHour();
    // Look back at most a week: older open hours are beyond what a restart can repair.
    const from = Math.max(lastHour === null ? 0 : (lastHour + 1) * 60, nowMinute - 7 * 1440);
    const rows = this.deps.store.minutes(from, currentHour * 60 - 1);
    if (rows.length === 0) return;
    const ids = this.deps.store.meterIds();
    // Rows come ordered by minute, so hours are closed oldest first.
    const byHourMeter = new Map<string, MinuteRow[]>();
    for (const r of rows) {
      const k = `${Math.floor(r.minute / 60)}:${r.meter}`;
      let list = byHourMeter.get(k);
      if (!list) byHourMeter.set(k, (list = []));
      list.push(r);
    }
    for (const list of byHourMeter.values()) {
      const id = ids.get(list[0]!.meter);
      const acc = id === undefined ? undefined : this.meters.get(id);
      if (!acc) continue;
      acc.hour = Math.floor(list[0]!.minute / 60);
      this.loadMinutes(acc, list);
      this.closeHour(acc, currentHour, true);
    }
    this.emitClosedHours(currentHour);
  }

  /** The open hour's minutes already on disk (a restart within the hour). */
  private restoreOpenHour(): void {
    const now = this.deps.timers.now();
    const hour = Math.floor(now / HOUR);
    const byMeter = new Map<number, MinuteRow[]>();
    for (const r of this.deps.store.minutes(hour * 60, Math.floor(now / MINUTE))) {
      let list = byMeter.get(r.meter);
      if (!list) byMeter.set(r.meter, (list = []));
      list.push(r);
    }
    for (const acc of this.meters.values()) {
      acc.hour = hour;
      this.loadMinutes(acc, byMeter.get(acc.idx) ?? []);
    }
  }

  private loadMinutes(acc: MeterAcc, rows: readonly MinuteRow[]): void {
    for (const r of rows) {
      const wh = r.dwh / 10;
      acc.hIntegWh += wh;
      if (r.after) acc.hIntegAfterWh += wh;
      if (r.wAvg !== null) {
        acc.hAvgSum += r.wAvg;
        acc.hN++;
        // Minute peaks are not kept on disk: after a restart the hour's peak counts from its averages.
        acc.hMax = acc.hMax === null ? r.wAvg : Math.max(acc.hMax, r.wAvg);
      }
    }
  }

  static isCounterUnit(unit: string): boolean {
    return COUNTER_UNITS.has(unit);
  }
}
