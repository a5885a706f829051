import type { Db } from '../../store/index.js';
import { RawChunkWriter, decodeRawChunk } from './raw-codec.js';

export interface MinuteRow {
  minute: number;
  meter: number;
  dwh: number;
  after: boolean;
  wAvg: number | null;
}

export interface HourRow {
  hour: number;
  meter: number;
  wh: number;
  whAfter: number;
  wAvg: number | null;
  wMax: number | null;
  minutes: number;
}

export interface RawRow {
  t0: number;
  meter: number;
  t1: number;
  n: number;
  data: Buffer;
}

export interface PointInfo {
  idx: number;
  key: string;
  point: string;
  unit: string;
  res: number;
}

/** How the rings are laid out; derived from the retention settings. */
export interface RingLayout {
  /** Raw chunks: one window per flush. */
  rawWindowMs: number;
  rawSlots: number;
  minuteSlots: number;
}

export function ringLayout(t: { flushSeconds: number; rawRetentionHours: number; minuteRetentionDays: number }): RingLayout {
  return {
    rawWindowMs: t.flushSeconds * 1000,
    // One slot more than the retention, so a full retention is always on disk.
    rawSlots: Math.ceil((t.rawRetentionHours * 3600) / t.flushSeconds) + 1,
    minuteSlots: t.minuteRetentionDays * 1440 + 60,
  };
}

const LAYOUT_SETTING = 'energy.telemetry.rings';

/**
 * SQL of the telemetry tables. Raw chunks and minute roll-ups live in rings
 * (overwritten in place when their slot comes round again), hour and day rows
 * are appended. Batching and timing are the recorder's business.
 */
export class TelemetryStore {
  private readonly putRaw;
  private readonly getRaw;
  private readonly putMinute;
  private readonly putHour;
  private readonly addDay;
  private readonly putBaseline;

  constructor(
    readonly db: Db,
    readonly layout: RingLayout = ringLayout({ flushSeconds: 300, rawRetentionHours: 48, minuteRetentionDays: 90 }),
  ) {
    this.relayout();
    this.putRaw = db.prepare('INSERT OR REPLACE INTO energy_raw (slot, meter, t0, t1, n, data) VALUES (?, ?, ?, ?, ?, ?)');
    this.getRaw = db.prepare('SELECT t0, t1, n, data FROM energy_raw WHERE slot = ? AND meter = ?');
    // Same minute again (a restart inside it): the two halves add up. Older lap: overwrite.
    this.putMinute = db.prepare(
      `INSERT INTO energy_minute (slot, meter, lap, dwh, after, w_avg) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(slot, meter) DO UPDATE SET
         dwh = CASE WHEN lap = excluded.lap THEN dwh + excluded.dwh ELSE excluded.dwh END,
         w_avg = CASE WHEN lap = excluded.lap THEN (coalesce(w_avg, excluded.w_avg) + coalesce(excluded.w_avg, w_avg)) / 2 ELSE excluded.w_avg END,
         after = excluded.after,
         lap = excluded.lap`,
    );
    this.putHour = db.prepare('INSERT OR REPLACE INTO energy_hour (hour, meter, wh, wh_after, w_avg, w_max, minutes) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.addDay = db.prepare(
      `INSERT INTO energy_day (day, meter, wh, wh_after, w_max) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(day, meter) DO UPDATE SET wh = wh + excluded.wh, wh_after = wh_after + excluded.wh_after, w_max = max(coalesce(w_max, 0), coalesce(excluded.w_max, 0))`,
    );
    this.putBaseline = db.prepare('INSERT INTO energy_meter_state (meter, counter_wh, at) VALUES (?, ?, ?) ON CONFLICT(meter) DO UPDATE SET counter_wh = excluded.counter_wh, at = excluded.at');
  }

  /** A changed retention moves every row to its new slot (once, when the setting changes). */
  private relayout(): void {
    const want = JSON.stringify(this.layout);
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(LAYOUT_SETTING) as { value: string } | undefined;
    if (row?.value === want) return;
    const { rawWindowMs: w, rawSlots: rs, minuteSlots: ms } = this.layout;
    this.db.transaction(() => {
      if (row) {
        const old = JSON.parse(row.value) as RingLayout;
        this.db.exec(`CREATE TEMP TABLE energy_raw_move AS SELECT meter, t0, t1, n, data FROM energy_raw;
          CREATE TEMP TABLE energy_minute_move AS SELECT lap * ${old.minuteSlots} + slot AS minute, meter, dwh, after, w_avg FROM energy_minute;
          DELETE FROM energy_raw; DELETE FROM energy_minute;`);
        this.db.prepare(`INSERT OR REPLACE INTO energy_raw SELECT (t0 / ?) % ?, meter, t0, t1, n, data FROM temp.energy_raw_move ORDER BY t0`).run(w, rs);
        this.db.prepare(`INSERT OR REPLACE INTO energy_minute SELECT minute % ?, meter, minute / ?, dwh, after, w_avg FROM temp.energy_minute_move ORDER BY minute`).run(ms, ms);
        this.db.exec('DROP TABLE temp.energy_raw_move; DROP TABLE temp.energy_minute_move;');
      }
      this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(LAYOUT_SETTING, want);
    })();
  }

  meterIndex(id: string): number {
    const r = this.db.prepare('SELECT idx, retired FROM energy_meters WHERE id = ?').get(id) as { idx: number; retired: number } | undefined;
    if (r) {
      if (r.retired) this.db.prepare('UPDATE energy_meters SET retired = 0 WHERE idx = ?').run(r.idx);
      return r.idx;
    }
    return Number(this.db.prepare('INSERT INTO energy_meters (id) VALUES (?)').run(id).lastInsertRowid);
  }

  meterIds(): Map<number, string> {
    return new Map((this.db.prepare('SELECT idx, id FROM energy_meters WHERE retired = 0').all() as Array<{ idx: number; id: string }>).map((r) => [r.idx, r.id]));
  }

  /**
   * Meters no longer configured: their ring rows would never be overwritten,
   * so they are removed once (hour and day totals stay for the reports).
   */
  retireMeters(active: ReadonlySet<string>): string[] {
    const gone = (this.db.prepare('SELECT idx, id FROM energy_meters WHERE retired = 0').all() as Array<{ idx: number; id: string }>).filter((m) => !active.has(m.id));
    if (gone.length === 0) return [];
    this.db.transaction(() => {
      for (const m of gone) {
        this.db.prepare('DELETE FROM energy_raw WHERE meter = ?').run(m.idx);
        this.db.prepare('DELETE FROM energy_minute WHERE meter = ?').run(m.idx);
        this.db.prepare('UPDATE energy_meters SET retired = 1 WHERE idx = ?').run(m.idx);
      }
    })();
    return gone.map((m) => m.id);
  }

  pointIndex(point: string, unit: string, res: number): PointInfo {
    const key = `${point}@${unit}`;
    const r = this.db.prepare('SELECT * FROM energy_points WHERE key = ?').get(key) as PointInfo | undefined;
    if (r) return r;
    const idx = Number(this.db.prepare('INSERT INTO energy_points (key, point, unit, res) VALUES (?, ?, ?, ?)').run(key, point, unit, res).lastInsertRowid);
    return { idx, key, point, unit, res };
  }

  points(): Map<number, PointInfo> {
    return new Map((this.db.prepare('SELECT * FROM energy_points').all() as PointInfo[]).map((p) => [p.idx, p]));
  }

  baselines(): Map<number, number | null> {
    const rows = this.db.prepare('SELECT meter, counter_wh FROM energy_meter_state').all() as Array<{ meter: number; counter_wh: number | null }>;
    return new Map(rows.map((r) => [r.meter, r.counter_wh]));
  }

  /** Writes one flush in one transaction: few commits, few page writes. */
  write(batch: {
    raw: RawRow[];
    minutes: MinuteRow[];
    hours: HourRow[];
    days: Array<{ day: number; meter: number; wh: number; whAfter: number; wMax: number | null }>;
    baselines: Array<{ meter: number; counterWh: number | null }>;
    at: number;
    hourBefore?: number;
  }): void {
    const { rawWindowMs, rawSlots, minuteSlots } = this.layout;
    this.db.transaction(() => {
      for (const r of batch.raw) {
        const window = Math.floor(r.t0 / rawWindowMs);
        const slot = window % rawSlots;
        const old = this.getRaw.get(slot, r.meter) as { t0: number; t1: number; n: number; data: Buffer } | undefined;
        if (old && Math.floor(old.t0 / rawWindowMs) === window && old.t0 <= r.t0) {
          // A second chunk in the same window (a flush on stop, then a restart): merge.
          this.putRaw.run(slot, r.meter, old.t0, r.t1, old.n + r.n, mergeChunks(old.t0, old.data, r.t0, r.data));
        } else {
          this.putRaw.run(slot, r.meter, r.t0, r.t1, r.n, r.data);
        }
      }
      for (const m of batch.minutes) this.putMinute.run(m.minute % minuteSlots, m.meter, Math.floor(m.minute / minuteSlots), m.dwh, m.after ? 1 : 0, m.wAvg);
      for (const h of batch.hours) this.putHour.run(h.hour, h.meter, h.wh, h.whAfter, h.wAvg, h.wMax, h.minutes);
      for (const d of batch.days) this.addDay.run(d.day, d.meter, d.wh, d.whAfter, d.wMax);
      for (const b of batch.baselines) this.putBaseline.run(b.meter, b.counterWh, batch.at);
      if (batch.hourBefore !== undefined) this.db.prepare('DELETE FROM energy_hour WHERE hour < ?').run(batch.hourBefore);
    })();
  }

  /** Minute roll-ups from `fromMinute` to `toMinute` inclusive (at most one ring), oldest first. */
  minutes(fromMinute: number, toMinute: number): MinuteRow[] {
    const n = this.layout.minuteSlots;
    const from = Math.max(fromMinute, toMinute - n + 1);
    const a = from % n;
    const b = toMinute % n;
    const ranges: Array<[number, number]> = a <= b ? [[a, b]] : [[a, n - 1], [0, b]];
    const out: MinuteRow[] = [];
    const q = this.db.prepare(`SELECT slot, meter, lap, dwh, after, w_avg FROM energy_minute WHERE slot BETWEEN ? AND ?`);
    for (const [lo, hi] of ranges) {
      for (const [slot, meter, lap, dwh, after, wAvg] of q.raw().iterate(lo, hi) as Iterable<[number, number, number, number, number, number | null]>) {
        const minute = lap * n + slot;
        if (minute >= from && minute <= toMinute) out.push({ minute, meter, dwh, after: after === 1, wAvg });
      }
    }
    return out.sort((x, y) => x.minute - y.minute || x.meter - y.meter);
  }

  /** Raw chunks of one meter overlapping [from, to], oldest first. */
  rawChunks(meter: number, from: number, to: number): Array<{ t0: number; data: Buffer }> {
    const { rawWindowMs: w, rawSlots: n } = this.layout;
    const first = Math.max(Math.floor(from / w), Math.floor(to / w) - n + 1);
    const last = Math.floor(to / w);
    const q = this.db.prepare('SELECT t0, t1, data FROM energy_raw WHERE slot = ? AND meter = ?');
    const out: Array<{ t0: number; data: Buffer }> = [];
    for (let win = first; win <= last; win++) {
      const r = q.get(win % n, meter) as { t0: number; t1: number; data: Buffer } | undefined;
      if (r && Math.floor(r.t0 / w) === win && r.t1 >= from && r.t0 <= to) out.push({ t0: r.t0, data: r.data });
    }
    return out;
  }

  lastHour(): number | null {
    return (this.db.prepare('SELECT max(hour) AS h FROM energy_hour').get() as { h: number | null }).h;
  }
}

/** Re-encodes two chunks of one window as one. */
function mergeChunks(t0a: number, a: Buffer, t0b: number, b: Buffer): Buffer {
  const w = new RawChunkWriter(t0a);
  for (const [t0, data] of [
    [t0a, a],
    [t0b, b],
  ] as const) {
    let at = -1;
    let points: number[] = [];
    let qs: number[] = [];
    const emit = () => {
      if (points.length) w.add(at, points, qs);
      points = [];
      qs = [];
    };
    for (const v of decodeRawChunk(t0, data)) {
      if (v.at !== at) {
        emit();
        at = v.at;
      }
      points.push(v.point);
      qs.push(v.q);
    }
    emit();
  }
  return w.bytes();
}
