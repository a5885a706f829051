import * as z from 'zod/mini';
import type { BusDirection } from '@campus/protocol/bus/index';
import type { EdgeApi } from './client';

/** The /api/bus routes the attendant's screen uses (edge-agent/src/bus/routes.ts), checked with small panel-side schemas. */

const text = z.object({ 'zh-CN': z.string(), en: z.string() });
const direction = z.enum(['morning', 'afternoon']);

export const busStatusSchema = z.object({ running: z.boolean(), plate: z.nullable(z.string()), cloud: z.boolean() });
export type BusStatus = z.infer<typeof busStatusSchema>;

const stopSchema = z.object({
  id: z.string(),
  name: z.string(),
  morningAt: z.optional(z.string()),
  afternoonAt: z.optional(z.string()),
  depot: z.optional(z.boolean()),
  handover: z.optional(z.boolean()),
});
const routeSchema = z.object({ id: z.string(), name: z.string(), vehiclePlate: z.optional(z.string()), stops: z.array(stopSchema) });
export type BusRouteView = z.infer<typeof routeSchema>;
export const busRoutesSchema = z.object({ routes: z.array(routeSchema) });

const planSchema = z.object({
  key: z.string(),
  routeId: z.string(),
  routeName: z.string(),
  date: z.string(),
  direction,
  plate: z.nullable(z.string()),
  driverName: z.string(),
  attendantName: z.string(),
});
export type BusPlanView = z.infer<typeof planSchema>;
export const busPlansSchema = z.object({ date: z.string(), plans: z.array(planSchema) });

const pickupPersonSchema = z.object({ key: z.string(), name: z.string(), relation: z.string(), photoId: z.nullable(z.string()), codes: z.boolean() });
const tripSchema = z.object({
  id: z.string(),
  routeId: z.string(),
  routeName: z.string(),
  direction,
  date: z.string(),
  status: z.enum(['open', 'closed']),
  openedAt: z.number(),
  closedAt: z.nullable(z.number()),
  checkedAt: z.nullable(z.number()),
  lastStopAt: z.nullable(z.number()),
  onBoard: z.array(z.object({ personId: z.string(), name: z.string(), stopId: z.nullable(z.string()), boardedAt: z.number() })),
  boarded: z.number(),
  alighted: z.number(),
  plan: z.optional(z.nullable(planSchema)),
  waiting: z.optional(z.array(z.object({ personId: z.string(), name: z.string(), stopId: z.nullable(z.string()), since: z.number(), pickupPersons: z.array(pickupPersonSchema) }))),
  handovers: z.optional(
    z.array(z.object({ personId: z.string(), name: z.string(), stopId: z.nullable(z.string()), at: z.number(), pickupName: z.string(), relation: z.string(), method: z.enum(['pass', 'code']) })),
  ),
  returned: z.optional(z.array(z.object({ personId: z.string(), name: z.string(), stopId: z.nullable(z.string()), at: z.number(), onBoard: z.boolean() }))),
  expected: z.optional(z.array(z.object({ personId: z.string(), name: z.string(), stopId: z.string(), onBoard: z.boolean(), alighted: z.boolean(), handover: z.optional(z.boolean()) }))),
  visits: z.optional(z.array(z.object({ stopId: z.string(), arrivedAt: z.number(), departedAt: z.nullable(z.number()) }))),
});
export type BusTrip = z.infer<typeof tripSchema>;
export const busCurrentSchema = z.object({ trip: z.nullable(tripSchema), atStop: z.nullable(z.string()) });
export type BusCurrent = z.infer<typeof busCurrentSchema>;
const tripAnswerSchema = z.object({ trip: tripSchema });

export const scanResultSchema = z.object({
  ok: z.boolean(),
  kind: z.nullable(z.enum(['board', 'alight', 'check', 'handover'])),
  reason: z.string(),
  personId: z.nullable(z.string()),
  text,
});
export type BusScanResult = z.infer<typeof scanResultSchema>;
const scanAnswerSchema = z.object({ result: scanResultSchema });

export const fetchBusStatus = (api: EdgeApi) => api.get('/api/bus/status', busStatusSchema);
export const fetchBusRoutes = async (api: EdgeApi) => (await api.get('/api/bus/routes', busRoutesSchema)).routes;
export const fetchBusPlans = (api: EdgeApi) => api.get('/api/bus/plans', busPlansSchema);
export const fetchCurrentTrip = (api: EdgeApi) => api.get('/api/bus/trips/current', busCurrentSchema);

export const openTrip = async (api: EdgeApi, routeId: string, dir: BusDirection) => (await api.post('/api/bus/trips', tripAnswerSchema, { routeId, direction: dir })).trip;
export const scanAtDoor = async (api: EdgeApi, textScanned: string, kind?: 'board' | 'alight') =>
  (await api.post('/api/bus/trips/current/scan', scanAnswerSchema, { text: textScanned, ...(kind ? { kind } : {}) })).result;
export const recordManual = async (api: EdgeApi, personId: string, kind: 'board' | 'alight', why: string) =>
  (await api.post('/api/bus/trips/current/manual', scanAnswerSchema, { personId, kind, why })).result;
/** The pickup step: a pass (text starting SP1:) or the guardian's 6-digit code. */
export const confirmHandover = async (api: EdgeApi, personId: string, proof: string) => {
  const p = proof.trim();
  return (await api.post('/api/bus/trips/current/handover', scanAnswerSchema, p.startsWith('SP1:') ? { personId, pass: p } : { personId, code: p })).result;
};
export const handoverFailed = async (api: EdgeApi, personId: string, why: string) => (await api.post('/api/bus/trips/current/handover/failed', scanAnswerSchema, { personId, why })).result;
export const rearCheck = async (api: EdgeApi, textScanned: string) => (await api.post('/api/bus/trips/current/check', scanAnswerSchema, { text: textScanned })).result;
export const lastStop = async (api: EdgeApi) => (await api.post('/api/bus/trips/current/last-stop', tripAnswerSchema, {})).trip;
export const closeTrip = async (api: EdgeApi) => (await api.post('/api/bus/trips/current/close', tripAnswerSchema, {})).trip;
