import { bilingual, type Params } from '@campus/protocol';
import '@campus/protocol/bus/events';
import type { Queryable } from '../db/database.js';
import { HttpError } from '../http/errors.js';
import { spreadsheet } from '../open/export.js';
import './messages.js';

import { LATE_MINUTES, type TripReport, type TripReportSummary, type TripStopRow } from '@campus/protocol/bus/reports';

export { LATE_MINUTES, type TripReport, type TripReportSummary, type TripStopRow };
const MAX_RANGE_DAYS = 92;

interface Ev {
  type: string;
  reason: string;
  subject: string | null;
  data: Record<string, unknown>;
  occurred_at: number;
}

const minutesOfDay = (at: number, timeZone: string): number => {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).formatToParts(at).map((x) => [x.type, x.value]));
  return Number(p.hour) * 60 + Number(p.minute);
};
const hhmm = (s: string | null | undefined): number | null => {
  const m = s ? /^(\d{2}):(\d{2})$/.exec(s) : null;
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
/** Event data as message parameters (strings and numbers only). */
const params = (d: Record<string, unknown>): Params => Object.fromEntries(Object.entries(d).filter(([, v]) => typeof v === 'string' || typeof v === 'number')) as Params;
const dayMs = (d: string) => Date.parse(`${d}T00:00:00Z`);

/**
 * Trip reports (行程报表) of the school bus, built from what the bus boxes uploaded:
 * scheduled vs actual time at each stop (geofence arrival/departure), boarded vs expected,
 * overspeed alarms, the end-of-trip check (and how long after the last stop it came).
 */
export class BusReports {
  async list(q: Queryable, schoolId: string, from: string, until: string): Promise<TripReportSummary[]> {
    if (until < from) throw new HttpError(400, 'bus.error.report_range');
    if ((dayMs(until) - dayMs(from)) / 86_400_000 > MAX_RANGE_DAYS) throw new HttpError(400, 'bus.error.report_range_long', { days: MAX_RANGE_DAYS });
    const opened = await q.query<{ trip: string }>(
      `SELECT data->>'tripId' AS trip FROM events WHERE school_id = $1 AND type = 'bus.trip' AND reason = 'bus.trip.opened' AND data->>'date' >= $2 AND data->>'date' <= $3
       ORDER BY data->>'date' DESC, occurred_at DESC LIMIT 1000`,
      [schoolId, from, until],
    );
    const out: TripReportSummary[] = [];
    for (const r of opened.rows) {
      const rep = await this.trip(q, schoolId, r.trip);
      if (!rep) continue;
      const { stops: _s, overspeed: _o, rides: _r, refused: _f, ...summary } = rep;
      out.push(summary);
    }
    return out;
  }

  async trip(q: Queryable, schoolId: string, tripId: string): Promise<TripReport | null> {
    const evs = (
      await q.query<Ev>(
        `SELECT type, reason, subject, data, occurred_at FROM events WHERE school_id = $1 AND type IN ('bus.trip', 'bus.stop', 'bus.boarding', 'bus.alighting', 'bus.check', 'bus.overspeed') AND data->>'tripId' = $2 ORDER BY occurred_at, id`,
        [schoolId, tripId],
      )
    ).rows.map((e) => ({ ...e, occurred_at: Number(e.occurred_at) }));
    const open = evs.find((e) => e.reason === 'bus.trip.opened');
    if (!open) return null;
    const tz = (await q.query<{ timezone: string }>('SELECT timezone FROM schools WHERE id = $1', [schoolId])).rows[0]?.timezone ?? 'Asia/Shanghai';
    const routeId = str(open.data.routeId) ?? '';
    const direction = str(open.data.direction) ?? 'morning';
    const route = (await q.query<{ data: { name: string; stops: { id: string; name: string; morningAt?: string; afternoonAt?: string }[] } }>(`SELECT data FROM records WHERE school_id = $1 AND kind = 'bus_route' AND key = $2`, [schoolId, routeId])).rows[0]?.data;
    const closed = evs.find((e) => e.reason === 'bus.trip.closed');
    const check = evs.find((e) => e.reason === 'bus.check.done');
    const stopOrder = route ? (direction === 'afternoon' ? [...route.stops].reverse() : route.stops) : [];
    const names = new Map<string, string>();
    const ridesOk = evs.filter((e) => (e.type === 'bus.boarding' || e.type === 'bus.alighting') && !e.reason.startsWith('bus.refused.') && e.data.refused !== true);
    const rides: TripReport['rides'] = ridesOk.map((e) => ({
      at: e.occurred_at,
      kind: e.type === 'bus.boarding' ? 'board' : 'alight',
      personId: e.subject ?? '',
      personName: str(e.data.personName) ?? e.subject ?? '',
      stopName: str(e.data.stopName),
      manual: e.reason.endsWith('.manual'),
    }));
    const stopRows: TripStopRow[] = stopOrder.map((s) => {
      names.set(s.id, s.name);
      const arr = evs.find((e) => e.reason === 'bus.stop.arrived' && e.data.stopId === s.id);
      const dep = evs.filter((e) => e.reason === 'bus.stop.departed' && e.data.stopId === s.id).at(-1);
      const scheduled = (direction === 'afternoon' ? s.afternoonAt : s.morningAt) ?? str(arr?.data.scheduledAt) ?? null;
      const sm = hhmm(scheduled);
      return {
        stopId: s.id,
        stopName: s.name,
        scheduled,
        arrivedAt: arr?.occurred_at ?? null,
        departedAt: dep?.occurred_at ?? null,
        delayMin: arr && sm !== null ? minutesOfDay(arr.occurred_at, tz) - sm : null,
        boarded: ridesOk.filter((e) => e.type === 'bus.boarding' && e.data.stopId === s.id).length,
        alighted: ridesOk.filter((e) => e.type === 'bus.alighting' && e.data.stopId === s.id).length,
      };
    });
    const starts = evs.filter((e) => e.reason === 'bus.overspeed.started');
    const ends = evs.filter((e) => e.reason === 'bus.overspeed.ended');
    const overspeed = starts.map((s) => {
      const end = ends.find((e) => e.occurred_at >= s.occurred_at);
      return { at: s.occurred_at, speedKmh: num(s.data.speedKmh) ?? 0, limitKmh: num(s.data.limitKmh) ?? 0, maxKmh: end ? num(end.data.maxKmh) : null, seconds: end ? num(end.data.seconds) : null };
    });
    const lastArrival = evs.filter((e) => e.reason === 'bus.stop.arrived' && e.data.last === true).at(0);
    const lastStopAt = num(check?.data.lastStopAt) ?? lastArrival?.occurred_at ?? null;
    const checkedAt = check?.occurred_at ?? num(closed?.data.checkedAt);
    const refused = evs
      .filter((e) => (e.type === 'bus.boarding' || e.type === 'bus.alighting') && (e.reason.startsWith('bus.refused.') || e.data.refused === true))
      .map((e) => ({ at: e.occurred_at, reason: e.reason, personName: str(e.data.personName), text: bilingual(`reason.${e.reason}`, params(e.data)) }));
    const boardedSet = new Set(ridesOk.filter((e) => e.type === 'bus.boarding').map((e) => e.subject));
    const speeds = overspeed.map((o) => Math.max(o.speedKmh, o.maxKmh ?? 0));
    return {
      tripId,
      routeId,
      routeName: route?.name ?? str(open.data.routeName) ?? routeId,
      direction,
      date: str(open.data.date) ?? '',
      openedAt: open.occurred_at,
      closedAt: closed?.occurred_at ?? null,
      expected: num(open.data.expected),
      boarded: boardedSet.size,
      alighted: new Set(ridesOk.filter((e) => e.type === 'bus.alighting').map((e) => e.subject)).size,
      refusals: refused.length,
      overspeeds: overspeed.length,
      maxSpeedKmh: speeds.length ? Math.max(...speeds) : null,
      stopsLate: stopRows.filter((s) => s.delayMin !== null && s.delayMin >= LATE_MINUTES).length,
      lastStopAt,
      checkedAt: checkedAt ?? null,
      checkMinutes: checkedAt && lastStopAt ? Math.round((checkedAt - lastStopAt) / 60_000) : null,
      checkMissed: evs.some((e) => e.reason === 'bus.check.missed'),
      stops: stopRows,
      overspeed,
      rides,
      refused,
    };
  }

  /** The list and each trip's stops as a workbook (two sheets), times in school time. */
  async export(q: Queryable, schoolId: string, from: string, until: string): Promise<Buffer> {
    const tz = (await q.query<{ timezone: string }>('SELECT timezone FROM schools WHERE id = $1', [schoolId])).rows[0]?.timezone ?? 'Asia/Shanghai';
    const t = (ms: number | null) => (ms === null ? null : new Intl.DateTimeFormat('sv-SE', { timeZone: tz, dateStyle: 'short', timeStyle: 'medium' }).format(ms));
    const list = await this.list(q, schoolId, from, until);
    const stopRows: unknown[][] = [];
    for (const s of list) {
      const r = await this.trip(q, schoolId, s.tripId);
      for (const x of r?.stops ?? []) stopRows.push([s.date, s.routeName, s.direction === 'morning' ? '早' : '晚', x.stopName, x.scheduled, t(x.arrivedAt), t(x.departedAt), x.delayMin, x.boarded, x.alighted]);
    }
    return spreadsheet(
      [
        {
          name: '行程',
          header: ['日期', '路线', '方向', '行程号', '开始', '结束', '应到人数', '上车人数', '下车人数', '拒绝刷卡', '超速次数', '最高车速', '晚点站数', '到达终点', '车内检查', '检查用时(分)', '漏检警报'],
          rows: list.map((s) => [s.date, s.routeName, s.direction === 'morning' ? '早' : '晚', s.tripId, t(s.openedAt), t(s.closedAt), s.expected, s.boarded, s.alighted, s.refusals, s.overspeeds, s.maxSpeedKmh, s.stopsLate, t(s.lastStopAt), t(s.checkedAt), s.checkMinutes, s.checkMissed ? '是' : '否']),
        },
        { name: '站点', header: ['日期', '路线', '方向', '站点', '计划时间', '实际到站', '离站', '晚点(分)', '上车', '下车'], rows: stopRows },
      ],
      'xlsx',
    );
  }
}
