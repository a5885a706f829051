import { EventEmitter } from 'node:events';
import type { MeterReading } from '@campus/protocol/energy/index';
import { MODBUS_REASONS } from '@campus/protocol/energy/index';
import { bilingual } from '@campus/protocol/i18n/index';
import type { RequestOptions } from '../modbus/bus.js';
import { ModbusError } from '../modbus/errors.js';
import type { ModbusRequest, ModbusResult } from '../modbus/pdu.js';
import { planRequests, type AddressRange, type PlannedRead } from '../modbus/plan.js';
import { decodeValue } from './decode.js';
import { resolveMeterDevices, type PolledPoint, type RejectedDevice, type ResolvedMeterDevice } from './device-config.js';
import { judgeReading } from './quality.js';
import { MeterMapRegistry } from './registry.js';

/** What the poller needs of a bus (ModbusBus fits). */
export interface ModbusRequester {
  execute(unit: number, request: ModbusRequest, options?: RequestOptions): Promise<ModbusResult>;
}

export interface MeterDeviceError {
  deviceId: string;
  unit: number;
  /** e.g. "modbus.timeout", "modbus.exception.2", "modbus.device_offline". */
  reason: string;
  text: { 'zh-CN': string; en: string };
  points: string[];
  at: number;
}

export interface PointUnsupported {
  deviceId: string;
  point: string;
  reason: string;
  text: { 'zh-CN': string; en: string };
  at: number;
}

export interface PollReport {
  startedAt: number;
  durationMs: number;
  requests: number;
  failedRequests: number;
  readings: number;
}

export interface MeterPollerEvents {
  /** Every decoded value, good or flagged. */
  reading: [MeterReading];
  /** All values of one reply at once (same `at`). */
  readings: [MeterReading[]];
  /** A device started failing, or fails for a different reason than before. */
  'device-error': [MeterDeviceError];
  /** A device answers again after an error. */
  'device-recovered': [{ deviceId: string; unit: number; at: number }];
  /** The device refused a single point (exception 2): it is no longer polled. */
  'point-unsupported': [PointUnsupported];
}

export interface MeterPollerOptions {
  bus: ModbusRequester;
  /** Raw device configurations (validated here; wrong ones are rejected, the rest run). */
  devices: readonly unknown[];
  registry?: MeterMapRegistry;
  now?: () => number;
  /** How often the scheduler looks for due points. */
  tickMs?: number;
}

interface DeviceState {
  device: ResolvedMeterDevice;
  points: Map<string, PolledPoint>;
  dueAt: Map<string, number>;
  busy: boolean;
  plans: Map<string, PlannedRead[]>;
  learnedUnreadable: AddressRange[];
  solo: Set<string>;
  unsupported: Set<string>;
  lastCounter: Map<string, number>;
  regressions: Map<string, number>;
  lastErrorReason: string | null;
}

/** A counter that stays lower this many readings in a row was reset or replaced: accept it. */
const REGRESSION_ACCEPT_AFTER = 3;

/**
 * Polls the configured meters (and relay boards' coil states) of one bus on their
 * per-point intervals, merging due points into the fewest requests, and emits
 * decoded readings with a quality flag. Learns from exception 2 replies: a block
 * the device refuses is split (gaps first, then point by point) instead of
 * failing forever, and a point the device refuses alone stops being polled.
 */
export class MeterPoller extends EventEmitter<MeterPollerEvents> {
  readonly rejected: readonly RejectedDevice[];
  private readonly bus: ModbusRequester;
  private readonly now: () => number;
  private readonly tickMs: number;
  private readonly states: DeviceState[];
  private timer: NodeJS.Timeout | null = null;
  private inflight = new Set<Promise<unknown>>();

  constructor(options: MeterPollerOptions) {
    super();
    this.bus = options.bus;
    this.now = options.now ?? Date.now;
    this.tickMs = options.tickMs ?? 200;
    const { devices, rejected } = resolveMeterDevices(options.devices, options.registry ?? MeterMapRegistry.withBuiltIns());
    this.rejected = rejected;
    this.states = devices.map((device) => ({
      device,
      points: new Map(device.points.map((p) => [p.name, p])),
      dueAt: new Map(device.points.map((p) => [p.name, 0])),
      busy: false,
      plans: new Map(),
      learnedUnreadable: [],
      solo: new Set(),
      unsupported: new Set(),
      lastCounter: new Map(),
      regressions: new Map(),
      lastErrorReason: null,
    }));
  }

  /** The devices being polled (after validation). */
  get devices(): readonly ResolvedMeterDevice[] {
    return this.states.map((s) => s.device);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.tick();
  }

  /** Stops scheduling and waits for requests already queued on the bus. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.allSettled([...this.inflight]);
  }

  /** Polls every point of every device once, now, whatever the schedule. */
  async pollAllNow(): Promise<PollReport> {
    const startedAt = this.now();
    const t0 = performance.now();
    const runs = this.states.map((s) => this.pollDevice(s, [...s.points.keys()].filter((n) => !s.unsupported.has(n))));
    const results = await Promise.all(runs);
    const report: PollReport = { startedAt, durationMs: performance.now() - t0, requests: 0, failedRequests: 0, readings: 0 };
    for (const r of results) {
      report.requests += r.requests;
      report.failedRequests += r.failed;
      report.readings += r.readings;
    }
    return report;
  }

  /** The request plan the poller would use now for one device and these points (for diagnosis). */
  planFor(deviceId: string, pointNames?: readonly string[]): PlannedRead[] {
    const s = this.states.find((x) => x.device.id === deviceId);
    if (!s) return [];
    return this.plan(s, pointNames ?? [...s.points.keys()].filter((n) => !s.unsupported.has(n)));
  }

  private tick(): void {
    const now = this.now();
    for (const s of this.states) {
      if (s.busy) continue;
      const due: string[] = [];
      for (const [name, at] of s.dueAt) if (at <= now && !s.unsupported.has(name)) due.push(name);
      if (due.length === 0) continue;
      for (const name of due) s.dueAt.set(name, now + s.points.get(name)!.intervalMs);
      const run = this.pollDevice(s, due);
      this.inflight.add(run);
      void run.finally(() => this.inflight.delete(run));
    }
  }

  private async pollDevice(s: DeviceState, names: string[]): Promise<{ requests: number; failed: number; readings: number }> {
    s.busy = true;
    const plan = this.plan(s, names);
    let failed = 0;
    let readings = 0;
    const errors: ModbusError[] = [];
    const failedPoints: string[] = [];
    try {
      await Promise.all(
        plan.map(async (req) => {
          try {
            const result = await this.bus.execute(s.device.unit, { kind: 'read', table: req.table, address: req.address, count: req.count });
            readings += this.decode(s, req, result);
          } catch (e) {
            failed++;
            failedPoints.push(...req.points);
            const err = e instanceof ModbusError ? e : new ModbusError('frame_error', s.device.id, s.device.unit, { detail: String(e) });
            errors.push(err);
            if (err.kind === 'exception' && err.exceptionCode === 2) this.learnRefusal(s, req, err);
          }
        }),
      );
    } finally {
      s.busy = false;
    }
    const at = this.now();
    const firstError = errors[0];
    if (firstError) {
      if (firstError.reason !== s.lastErrorReason) {
        s.lastErrorReason = firstError.reason;
        this.emit('device-error', { deviceId: s.device.id, unit: s.device.unit, reason: firstError.reason, text: firstError.text, points: failedPoints, at });
      }
    } else if (s.lastErrorReason !== null) {
      s.lastErrorReason = null;
      this.emit('device-recovered', { deviceId: s.device.id, unit: s.device.unit, at });
    }
    return { requests: plan.length, failed, readings };
  }

  private plan(s: DeviceState, names: readonly string[]): PlannedRead[] {
    const key = [...names].sort().join(',');
    let plan = s.plans.get(key);
    if (!plan) {
      const points = names.map((n) => {
        const p = s.points.get(n)!;
        return { key: p.name, unit: s.device.unit, table: p.table, address: p.address, length: p.length, solo: s.solo.has(p.name) };
      });
      plan = planRequests(points, { ...s.device.limits, unreadable: [...s.device.limits.unreadable, ...s.learnedUnreadable] });
      s.plans.set(key, plan);
    }
    return plan;
  }

  private decode(s: DeviceState, req: PlannedRead, result: ModbusResult): number {
    const at = this.now();
    const batch: MeterReading[] = [];
    for (const name of req.points) {
      const p = s.points.get(name)!;
      const offset = p.address - req.address;
      const value =
        result.kind === 'bits' ? (result.values[offset] ? 1 : 0) : result.kind === 'registers' ? decodeValue(p, result.values, offset) : NaN;
      const judged = judgeReading(p, value, p.counter ? s.lastCounter.get(name) : undefined);
      if (p.counter) {
        if (judged.quality === 'good') {
          s.lastCounter.set(name, value);
          s.regressions.delete(name);
        } else if (judged.quality === 'regressed') {
          const n = (s.regressions.get(name) ?? 0) + 1;
          s.regressions.set(name, n);
          if (n >= REGRESSION_ACCEPT_AFTER) {
            // Reset or swapped meter: the new count is the truth from here on.
            s.lastCounter.set(name, value);
            s.regressions.delete(name);
            Object.assign(judged, { quality: 'good', value, raw: undefined });
          }
        }
      }
      const reading: MeterReading = { deviceId: s.device.id, point: name, value: judged.value, unit: p.unit, quality: judged.quality, at };
      if (judged.raw !== undefined) reading.raw = judged.raw;
      batch.push(reading);
    }
    for (const r of batch) this.emit('reading', r);
    this.emit('readings', batch);
    return batch.length;
  }

  /**
   * Exception 2 to a merged request: the device will not serve something in that
   * span. First stop bridging the gaps, then read the points one by one; a point
   * refused on its own is not supported by this firmware and is dropped.
   */
  private learnRefusal(s: DeviceState, req: PlannedRead, err: ModbusError): void {
    const pts = req.points.map((n) => s.points.get(n)!).sort((a, b) => a.address - b.address);
    const gaps: AddressRange[] = [];
    let end = req.address;
    for (const p of pts) {
      if (p.address > end) gaps.push({ table: req.table, from: end, to: p.address - 1 });
      end = Math.max(end, p.address + p.length);
    }
    if (gaps.length > 0) s.learnedUnreadable.push(...gaps);
    else if (pts.length > 1) for (const p of pts) s.solo.add(p.name);
    else {
      const p = pts[0]!;
      s.unsupported.add(p.name);
      this.emit('point-unsupported', {
        deviceId: s.device.id,
        point: p.name,
        reason: err.reason,
        text: bilingual(`reason.${MODBUS_REASONS.pointUnsupported}`, { deviceId: s.device.id, point: p.name, address: `0x${p.address.toString(16).padStart(4, '0')}` }),
        at: this.now(),
      });
    }
    s.plans.clear();
  }
}
