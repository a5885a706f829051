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
  handover: z.boolean().default(false).describe('Children alight here only into an authorized pickup person’s hands (kindergarten and lower grades)'),
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
  handover: z.boolean().optional().describe('This child alights only into an authorized pickup person’s hands, at any stop'),
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

export const BUS_TRIP_STATUSES = ['open', 'closed'] as const;
export type BusTripStatus = (typeof BUS_TRIP_STATUSES)[number];

export const BUS_HANDOVER_METHODS = ['pass', 'code'] as const;
export type BusHandoverMethod = (typeof BUS_HANDOVER_METHODS)[number];

/** A pickup person as the attendant sees them at the door (no phone number, no secrets). */
export const BusPickupPersonViewSchema = z.object({ key: z.string(), name: z.string(), relation: z.string(), photoId: z.string().nullable(), codes: z.boolean() });
export type BusPickupPersonView = z.infer<typeof BusPickupPersonViewSchema>;

export const BusHandoverViewSchema = z.object({
  personId: z.string(),
  name: z.string(),
  stopId: z.string().nullable(),
  at: z.number(),
  pickupKey: z.string(),
  pickupName: z.string(),
  relation: z.string(),
  method: z.enum(BUS_HANDOVER_METHODS),
  by: z.string(),
});
export type BusHandoverView = z.infer<typeof BusHandoverViewSchema>;

/** A planned trip (the cloud's bus_trip record) as the bus box shows it. */
export const BusTripPlanViewSchema = z.object({
  key: z.string(),
  routeId: z.string(),
  routeName: z.string(),
  date: z.string(),
  direction: z.enum(BUS_DIRECTIONS),
  vehicleId: z.string(),
  plate: z.string().nullable(),
  driverId: z.string(),
  driverName: z.string(),
  attendantId: z.string(),
  attendantName: z.string(),
});
export type BusTripPlanView = z.infer<typeof BusTripPlanViewSchema>;

/** The pickup step: a pass scanned on the phone, or the guardian's one-time code. */
export const BusHandoverSchema = z
  .strictObject({
    personId: z.string().min(1).max(64).describe('The child'),
    pass: z.string().min(1).max(512).optional().describe('The pickup pass text (SP1:…)'),
    code: z.string().min(1).max(16).optional().describe('The 6-digit code from the guardian’s app'),
  })
  .refine((b) => (b.pass === undefined) !== (b.code === undefined), { message: 'give either pass or code' });

/** Nobody authorized came: the child stays on board (reason logged). */
export const BusHandoverFailedSchema = z.strictObject({ personId: z.string().min(1).max(64), why: z.string().max(200).optional() });

/** A trip as the attendant's screen and the API show it. */
export const BusTripViewSchema = z.object({
  id: z.string(),
  routeId: z.string(),
  routeName: z.string(),
  direction: z.enum(BUS_DIRECTIONS),
  date: z.string(),
  status: z.enum(BUS_TRIP_STATUSES),
  openedAt: z.number(),
  closedAt: z.number().nullable(),
  checkedAt: z.number().nullable(),
  lastStopAt: z.number().nullable(),
  onBoard: z.array(z.object({ personId: z.string(), name: z.string(), stopId: z.string().nullable(), boardedAt: z.number() })),
  boarded: z.number().int(),
  alighted: z.number().int(),
  /** The cloud's plan for this trip (bus_trip): vehicle, driver, attendant. */
  plan: BusTripPlanViewSchema.nullable().optional(),
  /** Children whose alighting waits for an authorized pickup person (still on board). */
  waiting: z.array(z.object({ personId: z.string(), name: z.string(), stopId: z.string().nullable(), since: z.number(), pickupPersons: z.array(BusPickupPersonViewSchema) })).optional(),
  /** Handovers done on this trip (who, whom, where, when, how confirmed). */
  handovers: z.array(BusHandoverViewSchema).optional(),
  /** Children nobody authorized came for: they stay on board and go back (返校). */
  returned: z.array(z.object({ personId: z.string(), name: z.string(), stopId: z.string().nullable(), at: z.number(), onBoard: z.boolean() })).optional(),
});
export type BusTripView = z.infer<typeof BusTripViewSchema>;

/** What the door (or the attendant's screen) is told about one scan. */
export const BusScanResultSchema = z.object({
  ok: z.boolean(),
  kind: z.enum(['board', 'alight', 'check', 'handover']).nullable(),
  reason: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  personId: z.string().nullable(),
  text: z.object({ 'zh-CN': z.string(), en: z.string() }),
});

/** A GPS fix as the bus box stores and shows it. */
/** A GPS fix as the bus box keeps it (device-drivers' GpsFix). */
export const BusFixSchema = z.object({ time: z.number(), lat: z.number(), lon: z.number(), speedKmh: z.number() }).loose();

export const BusRoutesAnswerSchema = z.object({ routes: z.array(BusRouteSchema) });
export const BusRouteAnswerSchema = z.object({ route: BusRouteSchema.optional() });
export const BusAssignmentsAnswerSchema = z.object({ assignments: z.array(BusAssignmentSchema) });
export const BusCountAnswerSchema = z.object({ count: z.number().int() });
export const BusStopChangeAnswerSchema = z.object({ stopChange: BusStopChangeSchema });
export const BusTripAnswerSchema = z.object({ trip: BusTripViewSchema });
export const BusCurrentTripAnswerSchema = z.object({ trip: BusTripViewSchema.nullable(), atStop: z.string().nullable() });
export const BusScanAnswerSchema = z.object({ result: BusScanResultSchema });
export const BusPositionAnswerSchema = z.object({ fix: BusFixSchema.nullable(), atStop: z.string().nullable(), gps: z.object({}).loose().nullable(), readers: z.array(z.object({}).loose()) });
export const BusPositionsAnswerSchema = z.object({ positions: z.array(z.object({ at: z.number(), lat: z.number(), lon: z.number(), course: z.number().nullable() }).loose()) });
export const BusPlansAnswerSchema = z.object({ date: z.string(), plans: z.array(BusTripPlanViewSchema) });
/** Whether the bus domain runs on this box (always answered, so a panel on a campus edge can say so without an error). */
export const BusStatusAnswerSchema = z.object({ running: z.boolean(), plate: z.string().nullable(), cloud: z.boolean() });
