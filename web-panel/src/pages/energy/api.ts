import * as z from 'zod/mini';
import type {
  AfterHoursReportView,
  AlarmView,
  BookingView,
  BuildingSeries,
  CalendarDayView,
  CalendarEntryView,
  CircuitView,
  EnergyGranularity,
  EnergyLive,
  EnergyOverview,
  EnergyPoint,
  EnergySeries,
  ScheduleView,
  SwitchResultView,
} from '@campus/protocol/energy/api';
import type { EdgeApi } from '../../api/client';

/**
 * The /api/energy routes the pages use, one function each, every answer checked
 * against a schema pinned to its protocol type.
 */
const bilingual = z.object({ 'zh-CN': z.string(), en: z.string() });
const tiers = z.object({ sharp: z.number(), peak: z.number(), flat: z.number(), valley: z.number() });
const TIER_NAMES = ['sharp', 'peak', 'flat', 'valley'] as const;
const CIRCUIT_KINDS = ['lighting', 'ac', 'fan', 'socket', 'projector', 'other'] as const;
const ROOM_KINDS = ['classroom', 'office', 'lab', 'library', 'dorm', 'canteen', 'hall', 'other'] as const;
const ACTOR_KINDS = ['user', 'mqtt', 'schedule', 'override_expiry', 'external', 'system'] as const;
const QUALITIES = ['good', 'nan', 'infinite', 'out_of_range', 'regressed'] as const;
const SEVERITIES = ['info', 'notice', 'warning', 'critical'] as const;
const ALARM_RULES = ['over_voltage', 'under_voltage', 'over_current', 'after_hours_power', 'residual_current', 'cable_temperature', 'device_offline', 'circuit_mismatch'] as const;

const busStatus = z.object({
  busId: z.string(),
  state: z.enum(['connecting', 'open', 'down', 'stopped']),
  since: z.number(),
  lastError: z.nullable(z.string()),
  lastErrorDetail: z.nullable(z.string()),
  reconnects: z.number(),
  strayBytes: z.number(),
  queued: z.number(),
});

export const overviewSchema: z.ZodMiniType<EnergyOverview> = z.object({
  timezone: z.string(),
  buildings: z.array(z.object({ id: z.string(), name: z.string(), alwaysOpen: z.boolean() })),
  rooms: z.array(z.object({ id: z.string(), name: z.string(), building: z.string(), kind: z.enum(ROOM_KINDS) })),
  circuits: z.number(),
  meters: z.number(),
  buses: z.array(busStatus),
  issues: z.array(z.object({ subject: z.string(), code: z.string(), text: bilingual })),
  homeAssistant: z.boolean(),
  overrideDefaultMinutes: z.number(),
  tariff: z.object({
    currency: z.string(),
    prices: tiers,
    periods: z.array(z.object({ tier: z.enum(TIER_NAMES), from: z.string(), until: z.string(), months: z.optional(z.array(z.number())) })),
  }),
});

export const liveSchema: z.ZodMiniType<EnergyLive> = z.object({
  at: z.number(),
  campusPowerW: z.number(),
  buildings: z.array(z.object({ id: z.string(), name: z.string(), powerW: z.nullable(z.number()), meters: z.number(), fresh: z.number(), inHours: z.boolean() })),
  meters: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      building: z.string(),
      room: z.nullable(z.string()),
      model: z.string(),
      detector: z.boolean(),
      reachable: z.nullable(z.boolean()),
      stale: z.boolean(),
      values: z.record(z.string(), z.object({ value: z.nullable(z.number()), unit: z.string(), quality: z.enum(QUALITIES), at: z.number(), raw: z.optional(z.string()) })),
    }),
  ),
});

const point: z.ZodMiniType<EnergyPoint> = z.object({ label: z.string(), start: z.number(), kwh: z.number(), kwhAfter: z.number() });
const granularity = z.enum(['hour', 'day', 'month']);
export const seriesSchema: z.ZodMiniType<EnergySeries> = z.object({
  scope: z.enum(['campus', 'building', 'room']),
  id: z.nullable(z.string()),
  granularity,
  unit: z.literal('kWh'),
  points: z.array(point),
});
export const buildingSeriesSchema: z.ZodMiniType<BuildingSeries> = z.object({
  granularity,
  unit: z.literal('kWh'),
  buildings: z.array(z.object({ id: z.string(), name: z.string(), points: z.array(point) })),
});

export const afterHoursSchema: z.ZodMiniType<AfterHoursReportView> = z.object({
  from: z.string(),
  to: z.string(),
  currency: z.string(),
  prices: tiers,
  buildings: z.array(
    z.object({
      building: z.string(),
      name: z.string(),
      kwh: z.number(),
      kwhAfter: z.number(),
      share: z.number(),
      cost: z.number(),
      costAfter: z.number(),
      kwhAfterByTier: tiers,
      days: z.array(z.object({ date: z.string(), kwh: z.number(), kwhAfter: z.number(), costAfter: z.number() })),
    }),
  ),
  total: z.object({ kwh: z.number(), kwhAfter: z.number(), cost: z.number(), costAfter: z.number() }),
});

const actor = z.object({ kind: z.enum(ACTOR_KINDS), id: z.string() });
const circuit: z.ZodMiniType<CircuitView> = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(CIRCUIT_KINDS),
  building: z.string(),
  room: z.nullable(z.string()),
  on: z.nullable(z.boolean()),
  desired: z.nullable(z.boolean()),
  confirmed: z.boolean(),
  reachable: z.boolean(),
  lastChange: z.nullable(z.object({ at: z.number(), by: actor, why: z.string() })),
  override: z.nullable(z.object({ until: z.number(), on: z.boolean(), by: z.string() })),
});
export const circuitsSchema = z.object({ circuits: z.array(circuit) });
const switchResult: z.ZodMiniType<SwitchResultView> = z.object({
  circuit: z.string(),
  on: z.boolean(),
  outcome: z.enum(['confirmed', 'mismatch', 'failed', 'skipped']),
  attempts: z.number(),
  actual: z.nullable(z.boolean()),
  detail: z.nullable(z.string()),
});
const switchAnswer = z.object({ result: switchResult, circuit });
const bulkAnswer = z.object({ results: z.array(switchResult) });

const target = z.object({
  buildings: z.optional(z.array(z.string())),
  rooms: z.optional(z.array(z.string())),
  roomKinds: z.optional(z.array(z.enum(ROOM_KINDS))),
  circuitKinds: z.optional(z.array(z.enum(CIRCUIT_KINDS))),
  circuits: z.optional(z.array(z.string())),
});
const schedule: z.ZodMiniType<ScheduleView> = z.object({
  id: z.string(),
  name: z.string(),
  cron: z.string(),
  days: z.enum(['all', 'school', 'non_school', 'exam']),
  action: z.enum(['on', 'off']),
  target,
  exceptBooked: z.boolean(),
  enabled: z.boolean(),
  nextRun: z.nullable(z.number()),
  circuits: z.number(),
});
export const schedulesSchema = z.object({ schedules: z.array(schedule) });
const scheduleAnswer = z.object({ schedule });

const calendarEntry: z.ZodMiniType<CalendarEntryView> = z.object({
  id: z.number(),
  from: z.string(),
  to: z.string(),
  kind: z.enum(['holiday', 'workday', 'exam']),
  name: z.string(),
  followsWeekday: z.nullable(z.number()),
});
const calendarDay: z.ZodMiniType<CalendarDayView> = z.object({
  date: z.string(),
  weekday: z.number(),
  school: z.boolean(),
  exam: z.boolean(),
  holiday: z.boolean(),
  makeup: z.boolean(),
  outsideTerm: z.boolean(),
  name: z.nullable(z.string()),
  kind: z.enum(['school_day', 'weekend', 'holiday', 'makeup_workday', 'outside_term']),
});
export const calendarSchema = z.object({ entries: z.array(calendarEntry), days: z.array(calendarDay) });
const calendarAnswer = z.object({ entry: calendarEntry });

const booking: z.ZodMiniType<BookingView> = z.object({
  id: z.number(),
  room: z.string(),
  fromDate: z.string(),
  toDate: z.string(),
  days: z.enum(['school', 'all']),
  fromTime: z.string(),
  untilTime: z.string(),
  note: z.string(),
  createdBy: z.string(),
  createdAt: z.number(),
});
export const bookingsSchema = z.object({ bookings: z.array(booking) });
const bookingAnswer = z.object({ booking });

const alarm: z.ZodMiniType<AlarmView> = z.object({
  id: z.string(),
  rule: z.enum(ALARM_RULES),
  severity: z.enum(SEVERITIES),
  subject: z.string(),
  building: z.nullable(z.string()),
  state: z.enum(['active', 'cleared']),
  acknowledged: z.boolean(),
  raisedAt: z.number(),
  clearedAt: z.nullable(z.number()),
  acknowledgedAt: z.nullable(z.number()),
  acknowledgedBy: z.nullable(z.string()),
  value: z.nullable(z.number()),
  limit: z.nullable(z.number()),
  unit: z.string(),
  detail: z.nullable(z.string()),
  text: bilingual,
});
export const alarmsSchema = z.object({ alarms: z.array(alarm) });
const alarmAnswer = z.object({ alarm });

export const fetchOverview = (api: EdgeApi) => api.get('/api/energy/overview', overviewSchema);
export const fetchLive = (api: EdgeApi) => api.get('/api/energy/live', liveSchema);

export function fetchSeries(api: EdgeApi, q: { scope: 'campus' | 'building' | 'room'; id?: string; granularity: EnergyGranularity; from: string; to: string }): Promise<EnergySeries> {
  const p = new URLSearchParams({ scope: q.scope, granularity: q.granularity, from: q.from, to: q.to });
  if (q.id) p.set('id', q.id);
  return api.get(`/api/energy/series?${p.toString()}`, seriesSchema);
}

export function fetchBuildingSeries(api: EdgeApi, q: { granularity: EnergyGranularity; from: string; to: string }): Promise<BuildingSeries> {
  return api.get(`/api/energy/buildings/series?${new URLSearchParams(q).toString()}`, buildingSeriesSchema);
}

export function fetchAfterHours(api: EdgeApi, from: string, to: string): Promise<AfterHoursReportView> {
  return api.get(`/api/energy/after-hours?${new URLSearchParams({ from, to }).toString()}`, afterHoursSchema);
}

export async function fetchCircuits(api: EdgeApi): Promise<CircuitView[]> {
  return (await api.get('/api/energy/circuits', circuitsSchema)).circuits;
}

export function switchCircuit(api: EdgeApi, id: string, on: boolean): Promise<{ result: SwitchResultView; circuit: CircuitView }> {
  return api.post(`/api/energy/circuits/${encodeURIComponent(id)}/switch`, switchAnswer, { on, reason: 'panel' });
}

export async function switchBuilding(api: EdgeApi, building: string, on: boolean): Promise<SwitchResultView[]> {
  return (await api.post('/api/energy/switch', bulkAnswer, { on, target: { buildings: [building] }, confirm: true, reason: 'panel' })).results;
}

export const endHold = (api: EdgeApi, id: string) => api.delete(`/api/energy/circuits/${encodeURIComponent(id)}/override`);

export async function fetchSchedules(api: EdgeApi): Promise<ScheduleView[]> {
  return (await api.get('/api/energy/schedules', schedulesSchema)).schedules;
}

export type ScheduleInput = Omit<ScheduleView, 'nextRun' | 'circuits'>;
export async function saveSchedule(api: EdgeApi, s: ScheduleInput): Promise<ScheduleView> {
  const { id, ...body } = s;
  return (await api.put(`/api/energy/schedules/${encodeURIComponent(id)}`, scheduleAnswer, body)).schedule;
}
export const deleteSchedule = (api: EdgeApi, id: string) => api.delete(`/api/energy/schedules/${encodeURIComponent(id)}`);

export function fetchCalendar(api: EdgeApi, from: string, to: string) {
  return api.get(`/api/energy/calendar?${new URLSearchParams({ from, to }).toString()}`, calendarSchema);
}
export async function addCalendarEntry(api: EdgeApi, e: Omit<CalendarEntryView, 'id' | 'followsWeekday'> & { followsWeekday?: number | null }): Promise<CalendarEntryView> {
  return (await api.post('/api/energy/calendar', calendarAnswer, e)).entry;
}
export const deleteCalendarEntry = (api: EdgeApi, id: number) => api.delete(`/api/energy/calendar/${id}`);

export async function fetchBookings(api: EdgeApi, from: string): Promise<BookingView[]> {
  return (await api.get(`/api/energy/bookings?from=${from}`, bookingsSchema)).bookings;
}
export async function addBooking(api: EdgeApi, b: Omit<BookingView, 'id' | 'createdBy' | 'createdAt'>): Promise<BookingView> {
  return (await api.post('/api/energy/bookings', bookingAnswer, b)).booking;
}
export const deleteBooking = (api: EdgeApi, id: number) => api.delete(`/api/energy/bookings/${id}`);

export async function fetchAlarms(api: EdgeApi, state: 'open' | 'all'): Promise<AlarmView[]> {
  return (await api.get(`/api/energy/alarms?state=${state}&limit=200`, alarmsSchema)).alarms;
}
export async function acknowledgeAlarm(api: EdgeApi, id: string): Promise<AlarmView> {
  return (await api.post(`/api/energy/alarms/${encodeURIComponent(id)}/ack`, alarmAnswer, {})).alarm;
}
