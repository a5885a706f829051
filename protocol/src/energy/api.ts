import { z } from 'zod';
import type { Severity } from '../events/envelope.js';
import { AlarmSchema, type Alarm } from './alarms.js';
import { CIRCUIT_KINDS, CircuitStateSchema, ROOM_KINDS, SWITCH_ACTOR_KINDS, SWITCH_OUTCOMES, type CircuitState } from './circuits.js';
import { ModbusBusStatusSchema, ModbusDeviceStatsSchema } from './bus-status.js';
import { ReadingQualitySchema } from './quality.js';
import { DAY_KINDS } from '../access/model.js';

/**
 * Shapes of the edge's /api/energy answers: the edge declares them as its routes'
 * response schemas (checked under test, shown in /api/openapi.json); the panel compiles
 * against the types (`import type`) and checks every answer with its own schemas.
 */
export const TARIFF_TIERS = ['sharp', 'peak', 'flat', 'valley'] as const;
export type TariffTierName = (typeof TARIFF_TIERS)[number];
export const BilingualSchema = z.object({ 'zh-CN': z.string(), en: z.string() });
export type Bilingual = z.infer<typeof BilingualSchema>;

const perTier = z.object({ sharp: z.number(), peak: z.number(), flat: z.number(), valley: z.number() });
const IssueSchema = z.object({ subject: z.string(), code: z.string(), text: BilingualSchema });

export const EnergyOverviewSchema = z.object({
  timezone: z.string(),
  buildings: z.array(z.object({ id: z.string(), name: z.string(), alwaysOpen: z.boolean() })),
  rooms: z.array(z.object({ id: z.string(), name: z.string(), building: z.string(), kind: z.enum(ROOM_KINDS) })),
  circuits: z.number().int(),
  meters: z.number().int(),
  buses: z.array(ModbusBusStatusSchema),
  issues: z.array(IssueSchema),
  homeAssistant: z.boolean(),
  /** How long a manual switch holds schedules off. */
  overrideDefaultMinutes: z.number(),
  tariff: z.object({
    currency: z.string(),
    prices: perTier,
    periods: z.array(z.object({ tier: z.enum(TARIFF_TIERS), from: z.string(), until: z.string(), months: z.array(z.number().int()).optional() })),
  }),
});
export type EnergyOverview = z.infer<typeof EnergyOverviewSchema>;

export const LiveValueViewSchema = z.object({
  value: z.number().nullable(),
  unit: z.string(),
  quality: ReadingQualitySchema,
  at: z.number(),
  raw: z.string().optional(),
});
export type LiveValueView = z.infer<typeof LiveValueViewSchema>;

export const EnergyLiveSchema = z.object({
  at: z.number(),
  campusPowerW: z.number(),
  buildings: z.array(z.object({ id: z.string(), name: z.string(), powerW: z.number().nullable(), meters: z.number().int(), fresh: z.number().int(), inHours: z.boolean() })),
  meters: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      building: z.string(),
      room: z.string().nullable(),
      model: z.string(),
      detector: z.boolean(),
      reachable: z.boolean().nullable(),
      stale: z.boolean(),
      values: z.record(z.string(), LiveValueViewSchema),
    }),
  ),
});
export type EnergyLive = z.infer<typeof EnergyLiveSchema>;

export const EnergyDevicesSchema = z.object({
  buses: z.array(ModbusBusStatusSchema),
  devices: z.array(
    z.object({
      deviceId: z.string(),
      busId: z.string(),
      unit: z.number().int(),
      kind: z.enum(['meter', 'relay']),
      reachable: z.boolean().nullable(),
      stats: ModbusDeviceStatsSchema.nullable(),
      lastError: z.object({ reason: z.string(), text: BilingualSchema, at: z.number() }).nullable(),
    }),
  ),
  issues: z.array(IssueSchema),
  /** Counters of the telemetry recorder (rows written, flushes ...). */
  recorder: z.record(z.string(), z.unknown()),
});
export type EnergyDevices = z.infer<typeof EnergyDevicesSchema>;

export const MeterRawSchema = z.object({
  meter: z.string(),
  point: z.string(),
  unit: z.string().nullable(),
  /** [at (ms), value] pairs. */
  values: z.array(z.tuple([z.number(), z.number()])),
});
export type MeterRaw = z.infer<typeof MeterRawSchema>;

export const ENERGY_GRANULARITIES = ['hour', 'day', 'month'] as const;
export type EnergyGranularity = (typeof ENERGY_GRANULARITIES)[number];

export const EnergyPointSchema = z.object({ label: z.string(), start: z.number(), kwh: z.number(), kwhAfter: z.number() });
export type EnergyPoint = z.infer<typeof EnergyPointSchema>;

export const EnergySeriesSchema = z.object({
  scope: z.enum(['campus', 'building', 'room']),
  id: z.string().nullable(),
  granularity: z.enum(ENERGY_GRANULARITIES),
  unit: z.literal('kWh'),
  points: z.array(EnergyPointSchema),
});
export type EnergySeries = z.infer<typeof EnergySeriesSchema>;

export const BuildingSeriesSchema = z.object({
  granularity: z.enum(ENERGY_GRANULARITIES),
  unit: z.literal('kWh'),
  buildings: z.array(z.object({ id: z.string(), name: z.string(), points: z.array(EnergyPointSchema) })),
});
export type BuildingSeries = z.infer<typeof BuildingSeriesSchema>;

export const AfterHoursReportViewSchema = z.object({
  from: z.string(),
  to: z.string(),
  currency: z.string(),
  prices: perTier,
  buildings: z.array(
    z.object({
      building: z.string(),
      name: z.string(),
      kwh: z.number(),
      kwhAfter: z.number(),
      share: z.number(),
      cost: z.number(),
      costAfter: z.number(),
      kwhAfterByTier: perTier,
      days: z.array(z.object({ date: z.string(), kwh: z.number(), kwhAfter: z.number(), costAfter: z.number() })),
    }),
  ),
  total: z.object({ kwh: z.number(), kwhAfter: z.number(), cost: z.number(), costAfter: z.number() }),
});
export type AfterHoursReportView = z.infer<typeof AfterHoursReportViewSchema>;

export const SwitchActorSchema = z.object({ kind: z.enum(SWITCH_ACTOR_KINDS), id: z.string() });

export const SwitchResultViewSchema = z.object({
  circuit: z.string(),
  on: z.boolean(),
  outcome: z.enum(SWITCH_OUTCOMES),
  attempts: z.number().int(),
  actual: z.boolean().nullable(),
  detail: z.string().nullable(),
});
export type SwitchResultView = z.infer<typeof SwitchResultViewSchema>;

export const SwitchLogEntryViewSchema = z.object({
  id: z.number().int(),
  at: z.number(),
  circuit: z.string(),
  on: z.boolean(),
  actor: SwitchActorSchema,
  why: z.string(),
  outcome: z.enum(SWITCH_OUTCOMES),
  attempts: z.number().int(),
  detail: z.string().nullable(),
});
export type SwitchLogEntryView = z.infer<typeof SwitchLogEntryViewSchema>;

export const ENERGY_DAY_FILTERS = ['all', 'school', 'non_school', 'exam'] as const;
export type EnergyDayFilter = (typeof ENERGY_DAY_FILTERS)[number];

export const ScheduleTargetViewSchema = z.object({
  buildings: z.array(z.string()).optional(),
  rooms: z.array(z.string()).optional(),
  roomKinds: z.array(z.enum(ROOM_KINDS)).optional(),
  circuitKinds: z.array(z.enum(CIRCUIT_KINDS)).optional(),
  circuits: z.array(z.string()).optional(),
});
export type ScheduleTargetView = z.infer<typeof ScheduleTargetViewSchema>;

export const ScheduleViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  cron: z.string(),
  days: z.enum(ENERGY_DAY_FILTERS),
  action: z.enum(['on', 'off']),
  target: ScheduleTargetViewSchema,
  exceptBooked: z.boolean(),
  enabled: z.boolean(),
  nextRun: z.number().nullable(),
  /** How many circuits the target matches now. */
  circuits: z.number().int(),
});
export type ScheduleView = z.infer<typeof ScheduleViewSchema>;

export const CALENDAR_KIND_NAMES = ['holiday', 'workday', 'exam'] as const;
export type CalendarKindName = (typeof CALENDAR_KIND_NAMES)[number];

/** An entry of the one school calendar (the edge's src/school/calendar.ts). */
export const CalendarEntryViewSchema = z.object({
  id: z.number().int(),
  from: z.string(),
  to: z.string(),
  kind: z.enum(CALENDAR_KIND_NAMES),
  name: z.string(),
  /** A make-up workday follows this ISO weekday's timetable (1 = Monday … 7 = Sunday). */
  followsWeekday: z.number().int().min(1).max(7).nullable(),
});
export type CalendarEntryView = z.infer<typeof CalendarEntryViewSchema>;

/** What one date is, for gates, attendance and energy alike. */
export const CalendarDayViewSchema = z.object({
  date: z.string(),
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: z.number().int().min(1).max(7),
  school: z.boolean(),
  exam: z.boolean(),
  holiday: z.boolean(),
  makeup: z.boolean(),
  /** Outside every term (when terms are set). */
  outsideTerm: z.boolean(),
  name: z.string().nullable(),
  kind: z.enum(DAY_KINDS),
});
export type CalendarDayView = z.infer<typeof CalendarDayViewSchema>;

export const BookingViewSchema = z.object({
  id: z.number().int(),
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
export type BookingView = z.infer<typeof BookingViewSchema>;

// ---------------------------------------------------------------- route answers

export const EnergyAlarmsAnswerSchema = z.object({ alarms: z.array(AlarmSchema) });
export const EnergyAlarmAnswerSchema = z.object({ alarm: AlarmSchema });
export const EnergyCircuitsAnswerSchema = z.object({ circuits: z.array(CircuitStateSchema) });
export const EnergySwitchAnswerSchema = z.object({ result: SwitchResultViewSchema, circuit: CircuitStateSchema.nullable().optional() });
export const EnergyBulkSwitchAnswerSchema = z.object({ results: z.array(SwitchResultViewSchema) });
export const EnergySwitchLogAnswerSchema = z.object({ entries: z.array(SwitchLogEntryViewSchema) });
export const EnergySchedulesAnswerSchema = z.object({ schedules: z.array(ScheduleViewSchema) });
export const EnergyScheduleAnswerSchema = z.object({ schedule: ScheduleViewSchema });
export const EnergyCalendarAnswerSchema = z.object({ entries: z.array(CalendarEntryViewSchema), days: z.array(CalendarDayViewSchema) });
export const EnergyCalendarEntryAnswerSchema = z.object({ entry: CalendarEntryViewSchema });
export const EnergyBookingsAnswerSchema = z.object({ bookings: z.array(BookingViewSchema) });
export const EnergyBookingAnswerSchema = z.object({ booking: BookingViewSchema });


export type { Alarm as AlarmView, CircuitState as CircuitView, Severity };
