import { z } from 'zod';
import { PhoneSchema } from '../phone.js';
import { BUS_DIRECTIONS, BusAssignmentSchema, BusStopChangeSchema, BusStopSchema } from './api.js';

/**
 * The school bus model as the cloud owns it and sends it down the change feed (the
 * transport manager edits it in the console; a bus box applies it). Record keys are the
 * cloud's stable ids: a route's key is its route id, a vehicle's key its vehicle id.
 * Bus boxes seeded from their config (BusConfig.routes/assignments) use the same shapes.
 */

const id = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'letters, digits, . _ : - (max 64)');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date YYYY-MM-DD');

/** GB 24407: at most 45 seats on a kindergarten bus, 56 on other school buses. */
export const BUS_VEHICLE_KINDS = ['kindergarten', 'primary', 'school'] as const;
export const MAX_SEATS = { kindergarten: 45, primary: 56, school: 56 } as const satisfies Record<(typeof BUS_VEHICLE_KINDS)[number], number>;

export const BusVehicleRecordSchema = z
  .strictObject({
    plate: z.string().min(2).max(16).describe('Plate, e.g. 沪A12345'),
    kind: z.enum(BUS_VEHICLE_KINDS).default('school').describe('专用校车 type: kindergarten, primary school or (middle) school bus'),
    seats: z.number().int().min(1).max(56),
    /** JT/T 808 terminal phone number (BCD[6] in 2013, BCD[10] in 2019 headers): 11–20 digits. */
    terminalPhone: z.string().regex(/^\d{11,20}$/, '11–20 digits').optional(),
    active: z.boolean().default(true),
  })
  .superRefine((v, ctx) => {
    if (v.seats > MAX_SEATS[v.kind]) ctx.addIssue({ code: 'custom', path: ['seats'], message: `at most ${MAX_SEATS[v.kind]} seats on a ${v.kind} bus (GB 24407)` });
  });

/** A route: the record key is the route id the bus box and assignments use. */
export const BusRouteRecordSchema = z
  .strictObject({
    name: z.string().min(1).max(64),
    vehicleId: id.optional().describe('The bus_vehicle usually on this route'),
    vehiclePlate: z.string().min(1).max(16).optional(),
    overspeedKmh: z.number().positive().max(200).optional(),
    stops: z.array(BusStopSchema.extend({ handover: z.boolean().default(false).describe('Children alight here only into an authorized pickup person’s hands') })).min(1).max(100),
  })
  .superRefine((r, ctx) => {
    const seen = new Set<string>();
    r.stops.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['stops', i, 'id'], message: `duplicate stop id ${s.id}` });
      seen.add(s.id);
    });
  });

/** A student's route and stop per direction from a date; `handover` forces the pickup step for this child at any stop. */
export const BusAssignmentRecordSchema = BusAssignmentSchema.extend({ handover: z.boolean().default(false) });

/** A stop changed for one day (a parent's request the transport manager accepted). */
export const BusStopChangeRecordSchema = BusStopChangeSchema;

/**
 * A person authorized to collect a child from the bus (and at the gate): a guardian or
 * someone a guardian named. `passVersion` signs their pickup pass; raising it revokes old
 * passes. Photo: an id of the cloud's photo store, shown to the attendant at the handover.
 */
export const PickupPersonRecordSchema = z.strictObject({
  studentId: z.string().min(1).max(128),
  personId: z.string().min(1).max(128).optional().describe('When the pickup person is also a person record (a guardian)'),
  name: z.string().min(1).max(64),
  relation: z.string().min(1).max(32),
  phone: PhoneSchema.optional(),
  photoId: z.string().max(128).optional(),
  passVersion: z.number().int().nonnegative().default(0),
  validFrom: z.number().int().nonnegative().optional(),
  validUntil: z.number().int().nonnegative().nullable().optional(),
  authorizedBy: z.string().max(128).optional().describe('The guardian who named them'),
  /** The person's one-time-code key, derived by the cloud from the school's secret (bus/pickup.ts); absent = no codes, pass only. */
  codeKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, '32 bytes base64url').optional(),
});

/** A planned trip: a route on a date in one direction, with vehicle, driver and attendant. */
export const BusTripPlanRecordSchema = z.strictObject({
  routeId: id,
  date,
  direction: z.enum(BUS_DIRECTIONS),
  vehicleId: id,
  driverId: z.string().min(1).max(128),
  attendantId: z.string().min(1).max(128),
});

export const BUS_RECORD_SCHEMAS = {
  bus_vehicle: BusVehicleRecordSchema,
  bus_route: BusRouteRecordSchema,
  bus_assignment: BusAssignmentRecordSchema,
  bus_stop_change: BusStopChangeRecordSchema,
  pickup_person: PickupPersonRecordSchema,
  bus_trip: BusTripPlanRecordSchema,
} as const;
export const BUS_RECORD_KINDS = Object.keys(BUS_RECORD_SCHEMAS) as (keyof typeof BUS_RECORD_SCHEMAS)[];
