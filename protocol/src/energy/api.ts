import type { Severity } from '../events/envelope.js';
import type { Alarm } from './alarms.js';
import type { CircuitKind, CircuitState, RoomKind, SwitchActor, SwitchOutcome } from './circuits.js';
import type { ModbusBusStatus, ModbusDeviceStats } from './bus-status.js';
import type { ReadingQuality } from './quality.js';

/**
 * Shapes of the edge's /api/energy answers, for the panel (which compiles
 * against these types and checks every answer with its own schemas).
 */
export type TariffTierName = 'sharp' | 'peak' | 'flat' | 'valley';
export type Bilingual = { 'zh-CN': string; en: string };

export interface EnergyOverview {
  timezone: string;
  buildings: Array<{ id: string; name: string; alwaysOpen: boolean }>;
  rooms: Array<{ id: string; name: string; building: string; kind: RoomKind }>;
  circuits: number;
  meters: number;
  buses: ModbusBusStatus[];
  issues: Array<{ subject: string; code: string; text: Bilingual }>;
  homeAssistant: boolean;
  /** How long a manual switch holds schedules off. */
  overrideDefaultMinutes: number;
  tariff: {
    currency: string;
    prices: Record<TariffTierName, number>;
    periods: Array<{ tier: TariffTierName; from: string; until: string; months?: number[] }>;
  };
}

export interface LiveValueView {
  value: number | null;
  unit: string;
  quality: ReadingQuality;
  at: number;
  raw?: string;
}

export interface EnergyLive {
  at: number;
  campusPowerW: number;
  buildings: Array<{ id: string; name: string; powerW: number | null; meters: number; fresh: number; inHours: boolean }>;
  meters: Array<{
    id: string;
    name: string;
    building: string;
    room: string | null;
    model: string;
    detector: boolean;
    reachable: boolean | null;
    stale: boolean;
    values: Record<string, LiveValueView>;
  }>;
}

export interface EnergyDevices {
  buses: ModbusBusStatus[];
  devices: Array<{
    deviceId: string;
    busId: string;
    unit: number;
    kind: 'meter' | 'relay';
    reachable: boolean | null;
    stats: ModbusDeviceStats | null;
    lastError: { reason: string; text: Bilingual; at: number } | null;
  }>;
  issues: EnergyOverview['issues'];
}

export type EnergyGranularity = 'hour' | 'day' | 'month';

export interface EnergyPoint {
  label: string;
  start: number;
  kwh: number;
  kwhAfter: number;
}

export interface EnergySeries {
  scope: 'campus' | 'building' | 'room';
  id: string | null;
  granularity: EnergyGranularity;
  unit: 'kWh';
  points: EnergyPoint[];
}

export interface BuildingSeries {
  granularity: EnergyGranularity;
  unit: 'kWh';
  buildings: Array<{ id: string; name: string; points: EnergyPoint[] }>;
}

export interface AfterHoursReportView {
  from: string;
  to: string;
  currency: string;
  prices: Record<TariffTierName, number>;
  buildings: Array<{
    building: string;
    name: string;
    kwh: number;
    kwhAfter: number;
    share: number;
    cost: number;
    costAfter: number;
    kwhAfterByTier: Record<TariffTierName, number>;
    days: Array<{ date: string; kwh: number; kwhAfter: number; costAfter: number }>;
  }>;
  total: { kwh: number; kwhAfter: number; cost: number; costAfter: number };
}

export interface SwitchResultView {
  circuit: string;
  on: boolean;
  outcome: SwitchOutcome;
  attempts: number;
  actual: boolean | null;
  detail: string | null;
}

export interface SwitchLogEntryView {
  id: number;
  at: number;
  circuit: string;
  on: boolean;
  actor: SwitchActor;
  why: string;
  outcome: SwitchOutcome;
  attempts: number;
  detail: string | null;
}

export type EnergyDayFilter = 'all' | 'school' | 'non_school' | 'exam';

export interface ScheduleTargetView {
  buildings?: string[];
  rooms?: string[];
  roomKinds?: RoomKind[];
  circuitKinds?: CircuitKind[];
  circuits?: string[];
}

export interface ScheduleView {
  id: string;
  name: string;
  cron: string;
  days: EnergyDayFilter;
  action: 'on' | 'off';
  target: ScheduleTargetView;
  exceptBooked: boolean;
  enabled: boolean;
  nextRun: number | null;
  /** How many circuits the target matches now. */
  circuits: number;
}

export type CalendarKindName = 'holiday' | 'workday' | 'exam';

export interface CalendarEntryView {
  id: number;
  from: string;
  to: string;
  kind: CalendarKindName;
  name: string;
}

export interface CalendarDayView {
  date: string;
  weekday: number;
  school: boolean;
  exam: boolean;
  holiday: boolean;
  makeup: boolean;
  name: string | null;
}

export interface BookingView {
  id: number;
  room: string;
  fromDate: string;
  toDate: string;
  days: 'school' | 'all';
  fromTime: string;
  untilTime: string;
  note: string;
  createdBy: string;
  createdAt: number;
}

export type { Alarm as AlarmView, CircuitState as CircuitView, Severity };
