import { FireAlarmAnswerSchema, FireAlarmSchema, GateOverrideAnswerSchema, GatesOverviewSchema, OpenGateSchema } from '@campus/protocol/access/index';
import type { ApiRouter } from '../../http/router.js';
import { ApiError } from '../../http/errors.js';
import { panelEvent } from '../../http/routes/events.js';
import { gatesOverview } from '../views.js';
import { GUARD, GateParam, ready, type AccessRouteDeps } from './shared.js';

export function gateRoutes(api: ApiRouter, deps: AccessRouteDeps): void {
  api.add({
    method: 'get',
    path: '/api/access/gates',
    summary: 'Zones, gates with their readers and turnstiles, relay boards and the fire alarm, with live link states',
    tag: 'access',
    access: ['security', 'it'],
    response: GatesOverviewSchema,
    handler: () => gatesOverview(ready(deps)),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/access/gates/:id/open',
    summary: 'Guard override: open the gate once, with who and why recorded as a decision event',
    tag: 'access',
    access: GUARD,
    params: GateParam,
    body: OpenGateSchema,
    audit: 'access.gate.override',
    status: 201,
    response: GateOverrideAnswerSchema,
    handler: async ({ params, body, user }) => {
      const s = ready(deps);
      const gate = s.gates.get(params.id);
      if (!gate) throw new ApiError(404, 'access.unknown_gate', { gate: params.id });
      if (body.personId && !s.people.get(body.personId)) throw new ApiError(404, 'access.unknown_person', { personId: body.personId });
      const event = await s.runtime!.override(gate, body.direction, user!.username, body.why, body.personId ?? null, body.decisionId ?? null);
      return { decision: panelEvent(event) };
    },
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/access/fire-alarm',
    summary: 'Raise or clear fire-alarm mode: every gate held open, recorded',
    tag: 'access',
    access: GUARD,
    body: FireAlarmSchema,
    audit: 'access.fire_alarm',
    response: FireAlarmAnswerSchema,
    handler: async ({ body, user }) => {
      const s = ready(deps);
      return { fireAlarm: await s.runtime!.setFireAlarm(body.active, `guard:${user!.username}`, body.why) };
    },
  });
}
