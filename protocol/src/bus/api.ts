import { z } from 'zod';

/**
 * Records and API bodies of the school bus domain: routes with ordered stops, students'
 * assignments (route and stop per direction, from a date), one-day stop changes, trips.
 * The cloud will own routes and assignments (change feed); until then a bus box is seeded
 * through its own API or its config. One schema for the edge, the cloud and the panel.
 */
export const BUS_DIRECTIONS = ['morning', 'afternoon'] as const;
export type BusDirection = (typeof BUS_DIRECTIONS)[number];

const id = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'letters, digits, . _ : - (max 64)');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date YYYY-MM-DD');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time HH:MM');

export const BusStopSchema = z.strictObject({
  id: id.describe('Stable stop id'),
  name: z.string().min(1).max(64).describe('Stop name, e.g. 幸福小区北门'),
  lat: z.number().min(-90).max(90).describe('WGS-84 latitude'),
  lon: z.number().min(-180).max(180).describe('WGS-84 longitude'),
  radiusM: z.number().int().min(10).max(1000).default(60).describe('Geofence radius in metres'),
  morningAt: hhmm.optional().describe('Scheduled time in the morning direction (school time)'),
  afternoonAt: hhmm.optional().describe('Scheduled time in the afternoon direction (school time)'),
  depot: z.boolean().default(false).describe('The school or the depot: the end of the route'),
});
export type BusStop = z.output<typeof BusStopSchema>;

export const BusRouteSchema = z
  .strictObject({
    id: id.describe('Route id'),
    name: z.string().min(1).max(64).describe('Route name, e.g. 1号线'),
    vehiclePlate: z.string().min(1).max(16).optional().describe('Plate of the bus usually on this route'),
    overspeedKmh: z.number().positive().max(200).optional().describe('Overspeed limit on this route, e.g. 80 on an expressway route (default: the bus box’s limit)'),
    stops: z.array(BusStopSchema).min(1).max(100).describe('Stops in morning order (the afternoon runs them in reverse)'),
  })
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    r.stops.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['stops', i, 'id'], message: `duplicate stop id ${s.id}` });
      seen.add(s.id);
    });
  });
export type BusRoute = z.output<typeof BusRouteSchema>;

export const BusAssignmentSchema = z.strictObject({
  personId: z.string().min(1).max(64).describe('Student id'),
  routeId: id,
  stopId: id,
  direction: z.enum(BUS_DIRECTIONS),
  from: date.describe('First day it applies (school date)'),
});
export type BusAssignment = z.output<typeof BusAssignmentSchema>;

/** A stop changed for one day (a parent's request accepted): the child rides from/to another stop, possibly on another route. */
export const BusStopChangeSchema = z.strictObject({
  personId: z.string().min(1).max(64),
  date,
  direction: z.enum(BUS_DIRECTIONS),
  routeId: id,
  stopId: id,
});
export type BusStopChange = z.output<typeof BusStopChangeSchema>;

export const BusTripOpenSchema = z.strictObject({
  routeId: id,
  direction: z.enum(BUS_DIRECTIONS),
  date: date.optional().describe('School date; default today'),
});

/** A card at the door when the reader is not wired (the attendant's phone) or from a test. */
export const BusScanSchema = z.strictObject({
  text: z.string().min(1).max(512),
  kind: z.enum(['board', 'alight']).optional().describe('Default: board if not on board, alight if on board'),
});

export const BusManualSchema = z.strictObject({
  personId: z.string().min(1).max(64),
  kind: z.enum(['board', 'alight']),
  why: z.string().min(2).max(200).describe('Why without a card (logged)'),
});

export const BusCheckSchema = z.strictObject({ text: z.string().min(1).max(512) });

export type BusTripStatus = 'open' | 'closed';
export interface BusTripView {
  id: string;
  routeId: string;
  routeName: string;
  direction: BusDirection;
  date: string;
  status: BusTripStatus;
  openedAt: number;
  closedAt: number | null;
  checkedAt: number | null;
  lastStopAt: number | null;
  onBoard: Array<{ personId: string; name: string; stopId: string | null; boardedAt: number }>;
  boarded: number;
  alighted: number;
}
