/**
 * Trip reports (行程报表) as the cloud answers them (`GET /api/staff/schools/{id}/bus-reports`
 * and `…/bus-reports/{tripId}`, built in cloud-sync/src/server/bus/reports.ts) and the
 * console shows them: one shape for both.
 */
export interface TripStopRow {
  stopId: string;
  stopName: string;
  /** Scheduled time in this direction (HH:MM, school time), from the route. */
  scheduled: string | null;
  arrivedAt: number | null;
  departedAt: number | null;
  /** Minutes late (negative: early) against the schedule, school time; null when either is missing. */
  delayMin: number | null;
  boarded: number;
  alighted: number;
}

export interface TripReportSummary {
  tripId: string;
  routeId: string;
  routeName: string;
  direction: string;
  date: string;
  openedAt: number;
  closedAt: number | null;
  expected: number | null;
  boarded: number;
  alighted: number;
  refusals: number;
  overspeeds: number;
  maxSpeedKmh: number | null;
  stopsLate: number;
  lastStopAt: number | null;
  checkedAt: number | null;
  /** Minutes from reaching the last stop to the end-of-trip check. */
  checkMinutes: number | null;
  checkMissed: boolean;
}

export interface TripReport extends TripReportSummary {
  stops: TripStopRow[];
  overspeed: { at: number; speedKmh: number; limitKmh: number; maxKmh: number | null; seconds: number | null }[];
  rides: { at: number; kind: 'board' | 'alight'; personId: string; personName: string; stopName: string | null; manual: boolean }[];
  refused: { at: number; reason: string; personName: string | null; text: { 'zh-CN': string; en: string } }[];
}

/** A stop counts as late from this many minutes behind schedule. */
export const LATE_MINUTES = 5;
