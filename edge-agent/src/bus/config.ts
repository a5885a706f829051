import { z } from 'zod';
import { BusAssignmentSchema, BusRouteSchema } from '@campus/protocol/bus/index';
import { QrReaderConfigSchema } from '@campus/device-drivers/qr/index';
import { GpsReaderConfigSchema } from '@campus/device-drivers/gps/index';

const DoorReaderSchema = QrReaderConfigSchema.extend({
  role: z.enum(['door']).default('door').describe('Where the reader is: at the door (boarding and alighting)'),
});

export const BusConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe('Run the school bus domain (bus box profile).'),
    vehicle: z
      .strictObject({
        plate: z.string().min(1).max(16).optional().describe('Plate of this bus, e.g. 沪A12345'),
        seats: z.number().int().min(1).max(56).default(45).describe('Seats (GB 24407: at most 45 on kindergarten buses, 56 on school buses)'),
      })
      .prefault({})
      .describe('The bus this box rides in.'),
    keysDir: z.string().min(1).default('keys').describe('Folder (relative to dataDir) of card issuer public keys issuer-<kid>.pub: the same folder as access.keysDir.'),
    readers: z.array(DoorReaderSchema).max(4).default([]).describe('QR readers at the bus door (serial path or TCP serial server; feedback bytes for green/red).'),
    gps: GpsReaderConfigSchema.optional().describe('NMEA 0183 GPS/BeiDou receiver (serial).'),
    overspeedKmh: z.number().positive().max(200).default(60).describe('Overspeed alarm limit (km/h).'),
    overspeedSeconds: z.number().int().min(1).max(60).default(3).describe('Seconds over the limit before the alarm (and under it before it ends).'),
    positions: z
      .strictObject({
        minIntervalS: z.number().int().min(1).max(600).default(5).describe('A position is stored at most this often while moving…'),
        minDistanceM: z.number().int().min(1).max(1000).default(20).describe('…and only after the bus moved this far'),
        cornerDeg: z.number().min(5).max(180).default(30).describe('A heading change this large is stored at once (corners kept)'),
        maxIntervalS: z.number().int().min(5).max(3600).default(60).describe('At standstill, one position per this many seconds'),
        keepDays: z.number().int().min(1).max(400).default(30).describe('Positions older than this are deleted'),
      })
      .prefault({})
      .describe('Position thinning so a bus box’s flash lasts.'),
    pickupPassKey: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The card issuer’s private key (issuer-<kid>.key, relative to dataDir) to print signed pickup passes (接送证) from this box. Only on the school office’s edge, never on a bus box in a vehicle; unset = printing refused.',
      ),
    checkpointCode: z.string().min(6).max(128).default('CAMPUS-BUS-REAR-CHECK').describe('Text of the checkpoint QR fixed at the back of the bus.'),
    checkMinutes: z.number().int().min(1).max(120).default(10).describe('Alarm when the end-of-trip check is not done this many minutes after reaching the last stop.'),
    repeatWindowS: z.number().int().min(5).max(3600).default(120).describe('A second scan within this time of boarding (or at the boarding stop) is a repeat, not an alighting.'),
    refuseAbsent: z.boolean().default(false).describe('Refuse an afternoon boarding of a child the gates recorded absent today (only where gate attendance reaches this box).'),
    routes: z.array(BusRouteSchema).default([]).describe('Routes with ordered stops (seeds until the cloud sends them).'),
    assignments: z.array(BusAssignmentSchema).default([]).describe('Students’ route and stop per direction (seeds until the cloud sends them).'),
  })
  .superRefine((c, ctx) => {
    const routes = new Map(c.routes.map((r) => [r.id, r]));
    if (routes.size !== c.routes.length) ctx.addIssue({ code: 'custom', path: ['routes'], message: 'duplicate route id' });
    c.assignments.forEach((a, i) => {
      const r = routes.get(a.routeId);
      if (!r) ctx.addIssue({ code: 'custom', path: ['assignments', i, 'routeId'], message: `unknown route ${a.routeId}` });
      else if (!r.stops.some((s) => s.id === a.stopId)) ctx.addIssue({ code: 'custom', path: ['assignments', i, 'stopId'], message: `route ${a.routeId} has no stop ${a.stopId}` });
    });
  })
  .prefault({})
  .describe('School bus (校车): door readers, GPS, routes and stops, trips, the end-of-trip check.');
export type BusConfig = z.output<typeof BusConfigSchema>;
export type BusConfigInput = z.input<typeof BusConfigSchema>;
