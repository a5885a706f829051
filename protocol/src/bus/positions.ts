import { z } from 'zod';

/**
 * Positions a bus box uploads through its outbox (one event carries the thinned fixes of
 * a stretch, so a 1 Hz receiver does not cost an event a second). The cloud stores them
 * with the JT/T 808 terminals' positions, under the vehicle with this plate.
 */
export const BUS_POSITION_EVENT = 'bus.position';

export const BusPositionFixSchema = z.object({
  /** ms since epoch (the fix's own time, not the upload's) */
  at: z.number().int().positive(),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  speedKmh: z.number().min(0).max(250),
  heading: z.number().min(0).max(360).nullable().optional(),
});

export const BusPositionEventDataSchema = z.object({
  /** The bus box's vehicle: its plate (the cloud's bus_vehicle.plate) or the record key. */
  plate: z.string().min(2).max(16).optional(),
  vehicleId: z.string().min(1).max(64).optional(),
  tripId: z.string().max(128).nullable().optional(),
  fixes: z.array(BusPositionFixSchema).min(1).max(3600),
});
export type BusPositionEventData = z.infer<typeof BusPositionEventDataSchema>;
