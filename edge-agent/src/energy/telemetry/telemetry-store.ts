import type { Db } from '../../store/index.js';

export interface MinuteRow {
  minute: number;
  meter: number;
  dwh: number;
  after: boolean;
  wAvg: number | null;
  wMax: number | null;
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

/** SQL of the telemetry tables; batching and timing are the recorder's business. */
export class TelemetryStore {
  private readonly insRaw;
  private readonly insMinute;
  private readonly putHour;
  private readonly addDay;
  private readonly putBaseline;

  constructor(readonly db: Db) {
    this.insRaw = db.prepare('INSERT OR REPLACE INTO energy_raw (t0, meter, t1, n, data) VALUES (?, ?, ?, ?, ?)');
    // A minute is written once; after a restart inside the same minute, the two halves add up.
    this.insMinute = db.prepare(
      `INSERT INTO energy_minute (minute, meter, dwh, after, w_avg, w_max) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(minute, meter) DO UPDATE SET dwh = dwh + excluded.dwh, w_avg = (coalesce(w_avg, excluded.w_avg) + coalesce(excluded.w_avg, w_avg)) / 2, w_max = max(coalesce(w_max, 0), coalesce(excluded.w_max, 0))`,
    );
    this.putHour = db.prepare('INSERT OR REPLACE INTO energy_hour (hour, meter, wh, wh_after, w_avg, w_max, minutes) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.addDay = db.prepare(
      `INSERT INTO energy_day (day, meter, wh, wh_after, w_max) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(day, meter) DO UPDATE SET wh = wh + excluded.wh, wh_after = wh_after + excluded.wh_after, w_max = max(coalesce(w_max, 0), coalesce(excluded.w_max, 0))`,
    );
    this.putBaseline = db.prepare(
      'INSERT INTO energy_meter_state (meter, counter_wh, last_wh, at) VALUES (?, ?, ?, ?) ON CONFLICT(meter) DO UPDATE SET counter_wh = excluded.counter_wh, last_wh = excluded.last_wh, at = excluded.at',
    );
  }

  meterIndex(id: string): number {
    const r = this.db.prepare('SELECT idx FROM energy_meters WHERE id = ?').get(id) as { idx: number } | undefined;
    if (r) return r.idx;
    return Number(this.db.prepare('INSERT INTO energy_meters (id) VALUES (?)').run(id).lastInsertRowid);
  }

  meterIds(): Map<number, string> {
    return new Map((this.db.prepare('SELECT idx, id FROM energy_meters').all() as Array<{ idx: number; id: string }>).map((r) => [r.idx, r.id]));
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

  baselines(): Map<number, { counterWh: number | null; lastWh: number | null }> {
    const rows = this.db.prepare('SELECT meter, counter_wh, last_wh FROM energy_meter_state').all() as Array<{ meter: number; counter_wh: number | null; last_wh: number | null }>;
    return new Map(rows.map((r) => [r.meter, { counterWh: r.counter_wh, lastWh: r.last_wh }]));
  }

  /** Writes one flush in one transaction: few commits, few page writes. */
  write(batch: { raw: RawRow[]; minutes: MinuteRow[]; hours: HourRow[]; days: Array<{ day: number; meter: number; wh: number; whAfter: number; wMax: number | null }>; baselines: Array<{ meter: number; counterWh: number | null; lastWh: number | null }>; at: number; retention?: { rawBefore: number; minuteBefore: number; hourBefore: number } }): void {
    this.db.transaction(() => {
      for (const r of batch.raw) this.insRaw.run(r.t0, r.meter, r.t1, r.n, r.data);
      for (const m of batch.minutes) this.insMinute.run(m.minute, m.meter, m.dwh, m.after ? 1 : 0, m.wAvg, m.wMax);
      for (const h of batch.hours) this.putHour.run(h.hour, h.meter, h.wh, h.whAfter, h.wAvg, h.wMax, h.minutes);
      for (const d of batch.days) this.addDay.run(d.day, d.meter, d.wh, d.whAfter, d.wMax);
      for (const b of batch.baselines) this.putBaseline.run(b.meter, b.counterWh, b.lastWh, batch.at);
      if (batch.retention) {
        this.db.prepare('DELETE FROM energy_raw WHERE t0 < ?').run(batch.retention.rawBefore);
        this.db.prepare('DELETE FROM energy_minute WHERE minute < ?').run(batch.retention.minuteBefore);
        this.db.prepare('DELETE FROM energy_hour WHERE hour < ?').run(batch.retention.hourBefore);
      }
    })();
  }

  minutesSince(fromMinute: number): MinuteRow[] {
    return (this.db.prepare('SELECT minute, meter, dwh, after, w_avg AS wAvg, w_max AS wMax FROM energy_minute WHERE minute >= ? ORDER BY minute').all(fromMinute) as Array<Omit<MinuteRow, 'after'> & { after: number }>).map((r) => ({ ...r, after: r.after === 1 }));
  }

  lastHour(): number | null {
    return (this.db.prepare('SELECT max(hour) AS h FROM energy_hour').get() as { h: number | null }).h;
  }

  lastMinute(): number | null {
    return (this.db.prepare('SELECT max(minute) AS m FROM energy_minute').get() as { m: number | null }).m;
  }
}
