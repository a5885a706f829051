import {
  BusAssignmentsAnswerSchema,
  BusCountAnswerSchema,
  BusCurrentTripAnswerSchema,
  BusPositionAnswerSchema,
  BusPlansAnswerSchema,
  BusPositionsAnswerSchema,
  BusRouteAnswerSchema,
  BusRoutesAnswerSchema,
  BusScanAnswerSchema,
  BusStatusAnswerSchema,
  BusStopChangeAnswerSchema,
  BusTripAnswerSchema,
} from '@campus/protocol/bus/api';
import { z } from 'zod';
import {
  BusAssignmentSchema,
  BusCheckSchema,
  BusHandoverFailedSchema,
  BusHandoverSchema,
  BusManualSchema,
  BusRouteSchema,
  BusScanSchema,
  BusStopChangeSchema,
  BusTripOpenSchema,
} from '@campus/protocol/bus/index';
import { ApiError } from '../http/errors.js';
import { rawBody, type ApiRouter } from '../http/router.js';
import { BusError, type BusService } from './service.js';
import './messages.js';

/**
 * Least privilege on the bus box: the attendant (transport) runs the trip — scans, manual
 * records, the pickup step, the rear check, the close — and reads routes; only the
 * transport manager (and admin) changes routes, assignments and stop changes, and only
 * where the box owns them (with a cloud they are the cloud's). Gate security has no bus role.
 */
const CREW = ['transport', 'transport_manager'] as const;
const MANAGER = ['transport_manager'] as const;

function running(bus: { service: BusService | null }): BusService {
  const s = bus.service;
  if (!s?.ready) throw new ApiError(503, 'bus.not_running');
  return s;
}

function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof BusError) throw new ApiError(err.status, err.code, err.params);
    throw err;
  }
}

async function callAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof BusError) throw new ApiError(err.status, err.code, err.params);
    throw err;
  }
}

/** A scan result as the attendant's screen shows it; a refusal is 200 with ok=false (the reader already showed red). */
export function busRoutes(api: ApiRouter, bus: { service: BusService | null }): void {
  api.add({
    method: 'get',
    path: '/api/bus/status',
    summary: 'Whether the school bus runs on this box (200 either way)',
    tag: 'bus',
    access: [...CREW],
    response: BusStatusAnswerSchema,
    handler: () => {
      const s = bus.service;
      const running = s?.ready === true;
      return { running, plate: running ? (s.config.vehicle.plate ?? null) : null, cloud: running ? s.projection !== null : false };
    },
  });

  api.add({
    method: 'get',
    path: '/api/bus/routes',
    summary: 'School bus routes with their stops',
    tag: 'bus',
    access: [...CREW],
    response: BusRoutesAnswerSchema,
    handler: () => ({ routes: running(bus).db.routes() }),
  });

  api.add({
    method: 'put',
    owner: { cloud: 'bus_routes' },
    path: '/api/bus/routes/:id',
    summary: 'Create or replace a route (standalone; the cloud will own routes)',
    tag: 'bus',
    access: [...MANAGER],
    params: z.strictObject({ id: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/) }),
    body: BusRouteSchema,
    audit: 'bus.route.put',
    response: BusRouteAnswerSchema,
    handler: ({ params, body }) => {
      if (body.id !== params.id) throw new ApiError(400, 'request.invalid', { detail: 'id in the path and the body differ' });
      const s = running(bus);
      s.db.upsertRoute(body, 'api', s.now());
      return { route: s.db.route(body.id) };
    },
  });

  api.add({
    method: 'get',
    path: '/api/bus/assignments',
    summary: 'Students’ route and stop per direction',
    tag: 'bus',
    access: [...CREW],
    response: BusAssignmentsAnswerSchema,
    handler: () => ({ assignments: running(bus).db.assignments() }),
  });

  api.add({
    method: 'put',
    owner: { cloud: 'bus_routes' },
    path: '/api/bus/assignments',
    summary: 'Add or change assignments (standalone; the cloud will own them)',
    tag: 'bus',
    access: [...MANAGER],
    body: z.strictObject({ assignments: z.array(BusAssignmentSchema).min(1).max(5000) }),
    audit: 'bus.assignments.put',
    response: BusCountAnswerSchema,
    handler: ({ body }) => {
      const s = running(bus);
      for (const a of body.assignments) {
        const r = s.db.route(a.routeId);
        if (!r) throw new ApiError(404, 'bus.unknown_route', { routeId: a.routeId });
        if (!r.stops.some((x) => x.id === a.stopId)) throw new ApiError(404, 'bus.unknown_stop', { routeId: a.routeId, stopId: a.stopId });
      }
      s.db.transaction(() => body.assignments.forEach((a) => s.db.upsertAssignment(a, 'api')));
      return { count: body.assignments.length };
    },
  });

  api.add({
    method: 'post',
    owner: { cloud: 'bus_routes' },
    path: '/api/bus/stop-changes',
    summary: 'A child rides from or to another stop on one day (a parent’s request accepted)',
    tag: 'bus',
    access: [...MANAGER],
    body: BusStopChangeSchema,
    audit: 'bus.stop_change',
    response: BusStopChangeAnswerSchema,
    handler: ({ body }) => {
      const s = running(bus);
      const r = s.db.route(body.routeId);
      if (!r) throw new ApiError(404, 'bus.unknown_route', { routeId: body.routeId });
      if (!r.stops.some((x) => x.id === body.stopId)) throw new ApiError(404, 'bus.unknown_stop', { routeId: body.routeId, stopId: body.stopId });
      s.db.upsertStopChange(body);
      return { stopChange: body };
    },
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/bus/trips',
    summary: 'Open a trip (a route, a direction, today)',
    tag: 'bus',
    access: [...CREW],
    body: BusTripOpenSchema,
    audit: 'bus.trip.open',
    status: 201,
    response: BusTripAnswerSchema,
    handler: ({ body, user }) => {
      const s = running(bus);
      const t = call(() => s.openTrip(body.routeId, body.direction, body.date, user!.username));
      return { trip: s.view(t) };
    },
  });

  api.add({
    method: 'get',
    path: '/api/bus/trips/current',
    summary: 'The running trip: on board, expected, stops reached',
    tag: 'bus',
    access: [...CREW],
    response: BusCurrentTripAnswerSchema,
    handler: () => {
      const s = running(bus);
      const t = s.db.currentTrip();
      return { trip: t ? s.view(t) : null, atStop: s.atStop };
    },
  });

  api.add({
    method: 'get',
    path: '/api/bus/trips/:id',
    summary: 'A trip and its report',
    tag: 'bus',
    access: [...CREW],
    params: z.strictObject({ id: z.string().regex(/^[0-9a-f-]{36}$/) }),
    response: BusTripAnswerSchema,
    handler: ({ params }) => {
      const s = running(bus);
      const t = s.db.trip(params.id);
      if (!t) throw new ApiError(404, 'not_found', { what: params.id });
      return { trip: s.view(t) };
    },
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/bus/trips/current/scan',
    summary: 'A card scanned on the attendant’s phone (same decision as the door reader)',
    tag: 'bus',
    access: [...CREW],
    body: BusScanSchema,
    audit: 'bus.scan',
    response: BusScanAnswerSchema,
    handler: ({ body, user }) => ({ result: running(bus).scan(body.text, body.kind ?? null, `user:${user!.username}`) }),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/bus/trips/current/manual',
    summary: 'Record a child boarding or alighting without a card (reason logged)',
    tag: 'bus',
    access: [...CREW],
    body: BusManualSchema,
    audit: 'bus.manual',
    response: BusScanAnswerSchema,
    handler: ({ body, user }) => ({ result: call(() => running(bus).manual(body.personId, body.kind, body.why, `user:${user!.username}`)) }),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/bus/trips/current/handover',
    summary: 'The pickup step: a waiting child handed over on a pickup pass or the guardian’s one-time code',
    tag: 'bus',
    access: [...CREW],
    body: BusHandoverSchema,
    audit: 'bus.handover',
    response: BusScanAnswerSchema,
    handler: ({ body, user }) => ({
      result: call(() => running(bus).handover(body.personId, body.pass !== undefined ? { pass: body.pass } : { code: body.code ?? '' }, `user:${user!.username}`)),
    }),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/bus/trips/current/handover/failed',
    summary: 'Nobody authorized came: the child stays on board and returns to school (guardians and school told)',
    tag: 'bus',
    access: [...CREW],
    body: BusHandoverFailedSchema,
    audit: 'bus.handover.failed',
    response: BusScanAnswerSchema,
    handler: ({ body, user }) => ({ result: call(() => running(bus).handoverFailed(body.personId, body.why ?? null, `user:${user!.username}`)) }),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/bus/pickup-passes/sheet',
    summary: 'Print signed pickup passes (接送证, PDF on the card sheets’ grid) for the chosen children or pickup person records, signed offline on this box',
    tag: 'bus',
    access: [...MANAGER, 'transport'],
    body: z.strictObject({
      studentIds: z.array(z.string().min(1).max(64)).max(2000).optional().describe('Children whose pickup persons to print; all when left out.'),
      keys: z.array(z.string().min(1).max(128)).max(2000).optional().describe('pickup_person record keys to print.'),
    }),
    audit: 'bus.passes.print',
    response: rawBody('application/pdf'),
    handler: async ({ body, res }) => {
      const sheet = await callAsync(() => running(bus).pickupPassSheet(body));
      res.type('application/pdf').setHeader('Content-Disposition', 'attachment; filename="pickup-passes.pdf"').setHeader('X-Pickup-Passes', String(sheet.passes)).send(sheet.pdf);
      return undefined;
    },
  });

  api.add({
    method: 'get',
    path: '/api/bus/plans',
    summary: 'Planned trips of a day (the cloud’s plan: vehicle, driver, attendant)',
    tag: 'bus',
    access: [...CREW],
    query: z.strictObject({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional() }),
    response: BusPlansAnswerSchema,
    handler: ({ query }) => {
      const s = running(bus);
      const date = query.date ?? s.today();
      return { date, plans: s.db.tripPlans(date).map((p) => s.planView(p)) };
    },
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/bus/trips/current/last-stop',
    summary: 'Mark the last stop reached by hand (no GPS fix at the depot)',
    tag: 'bus',
    access: [...CREW],
    body: z.strictObject({}),
    audit: 'bus.last_stop',
    response: BusTripAnswerSchema,
    handler: ({ user }) => {
      const s = running(bus);
      return { trip: s.view(call(() => s.reachedLastStop(`user:${user!.username}`))) };
    },
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/bus/trips/current/check',
    summary: 'The rear checkpoint QR scanned: the bus is checked empty',
    tag: 'bus',
    access: [...CREW],
    body: BusCheckSchema,
    audit: 'bus.check',
    response: BusScanAnswerSchema,
    handler: ({ body, user }) => ({ result: running(bus).check(body.text, `user:${user!.username}`) }),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/bus/trips/current/close',
    summary: 'Close the trip (refused while a child is aboard or before the rear check)',
    tag: 'bus',
    access: [...CREW],
    body: z.strictObject({}),
    audit: 'bus.trip.close',
    response: BusTripAnswerSchema,
    handler: ({ user }) => {
      const s = running(bus);
      return { trip: s.view(call(() => s.closeTrip(`user:${user!.username}`))) };
    },
  });

  api.add({
    method: 'get',
    path: '/api/bus/position',
    summary: 'The bus’s last GPS fix, the stop it is at, and the receiver’s counters',
    tag: 'bus',
    access: [...CREW],
    response: BusPositionAnswerSchema,
    handler: () => {
      const s = running(bus);
      const gps = s.gps?.status();
      return { fix: s.lastFix ? { ...s.lastFix } : null, atStop: s.atStop, gps: gps ? { ...gps } : null, readers: s.readers.map((r) => ({ ...r.status() })) };
    },
  });

  api.add({
    method: 'get',
    path: '/api/bus/positions',
    summary: 'Stored (thinned) positions in a time range',
    tag: 'bus',
    access: [...CREW],
    query: z.strictObject({
      from: z.coerce.number().int().nonnegative(),
      to: z.coerce.number().int().positive(),
      limit: z.coerce.number().int().min(1).max(20_000).default(5000),
    }),
    response: BusPositionsAnswerSchema,
    handler: ({ query }) => ({ positions: running(bus).db.positions(query.from, query.to, query.limit) }),
  });
}
