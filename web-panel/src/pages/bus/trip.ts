import type { BusRouteView, BusTrip } from '../../api/bus';
import type { PanelEvent } from '../../api/types';

type Stop = BusRouteView['stops'][number];

/** The stops in the order the bus runs them (the afternoon runs the morning order backwards). */
export function stopsInOrder(route: BusRouteView, direction: BusTrip['direction']): Stop[] {
  return direction === 'morning' ? route.stops : [...route.stops].reverse();
}

/**
 * The stop the attendant works at now: the one the bus is at (geofence), else the first
 * stop after the last one reached, else the first stop of the trip. Null after the last.
 */
export function currentOrNextStop(route: BusRouteView, trip: BusTrip, atStop: string | null): { stop: Stop; at: boolean } | null {
  const stops = stopsInOrder(route, trip.direction);
  if (atStop) {
    const s = stops.find((x) => x.id === atStop);
    if (s) return { stop: s, at: true };
  }
  const visited = new Set((trip.visits ?? []).map((v) => v.stopId));
  let last = -1;
  stops.forEach((s, i) => {
    if (visited.has(s.id)) last = i;
  });
  const next = stops[last + 1];
  return next ? { stop: next, at: false } : null;
}

/** Who is expected at a stop: to get on (morning) or to get off (afternoon). */
export function expectedAt(trip: BusTrip, stopId: string): Array<{ personId: string; name: string; handover: boolean }> {
  const list = trip.expected ?? [];
  return list
    .filter((e) => e.stopId === stopId && (trip.direction === 'morning' ? !e.onBoard && !e.alighted : e.onBoard))
    .map((e) => ({ personId: e.personId, name: e.name, handover: e.handover === true }));
}

/** A bus event the attendant must see in red: a refused scan, pass or code, or a child waiting for pickup. */
export function isRedScan(e: PanelEvent): boolean {
  if (e.type !== 'bus.boarding' && e.type !== 'bus.alighting' && e.type !== 'bus.handover' && e.type !== 'bus.check') return false;
  return e.data['refused'] === true || e.reason === 'bus.handover.waiting' || e.reason === 'bus.handover.failed' || e.reason === 'bus.check.wrong_code' || e.reason === 'bus.trip.close_refused';
}

/** Events that change the trip on screen (reload it). */
export function changesTrip(e: PanelEvent): boolean {
  return e.type.startsWith('bus.') && e.type !== 'bus.gps' && e.type !== 'bus.overspeed';
}
