import { z } from 'zod';
import { BUS_EVENTS } from './events.js';

/**
 * The part of a bus box's boarding/alighting event that a guardian notice reads (上车/下车
 * with stop and time). The bus box writes more; the cloud reads only this, through this
 * one schema, and never notifies a refused scan.
 */
export const BusRideNoticeDataSchema = z
  .object({
    tripId: z.string().min(1).max(128),
    stopId: z.string().max(64).nullable().optional(),
    stopName: z.string().max(64).optional(),
    routeName: z.string().max(64).optional(),
    refused: z.literal(false).optional(),
  })
  .loose();

export interface BusRide {
  kind: 'board' | 'alight';
  tripId: string;
  stopName: string | null;
  routeName: string | null;
}

/**
 * A real ride (not a refused card) of a person, or null. A child handed over to an
 * authorized pickup person (`bus.handed_over`) got off the bus: that is their 下车.
 */
export function busRideOf(e: { type: string; reason?: string; subject: string | null; data: unknown }): BusRide | null {
  if (!e.subject) return null;
  const handedOver = e.type === BUS_EVENTS.handover && e.reason === 'bus.handed_over';
  if (e.type !== BUS_EVENTS.boarding && e.type !== BUS_EVENTS.alighting && !handedOver) return null;
  const d = BusRideNoticeDataSchema.safeParse(e.data);
  if (!d.success) return null;
  return { kind: e.type === BUS_EVENTS.boarding ? 'board' : 'alight', tripId: d.data.tripId, stopName: d.data.stopName && d.data.stopName !== '-' ? d.data.stopName : null, routeName: d.data.routeName ?? null };
}
