import { z } from 'zod';
import { NoContent, type ApiRouter } from '../../http/router.js';
import { ApiError } from '../../http/errors.js';
import type { EnergyModule } from '../energy-module.js';
import { ScheduleTargetSchema } from '../config.js';
import { FACILITY, IdParam, running } from './common.js';
import { EnergyBulkSwitchAnswerSchema, EnergyCircuitsAnswerSchema, EnergySwitchAnswerSchema, EnergySwitchLogAnswerSchema } from '@campus/protocol/energy/api';

const SwitchBody = z.strictObject({
  on: z.boolean(),
  holdMinutes: z.number().int().min(0).max(7 * 24 * 60).optional().describe('Keep schedules off for this long; default energy.control.overrideDefaultMinutes'),
  reason: z.string().trim().min(1).max(200).optional(),
});

const BulkSwitchBody = SwitchBody.extend({
  target: ScheduleTargetSchema,
  /** Required: the panel asks before switching many circuits (a whole building). */
  confirm: z.literal(true).optional(),
});

export function circuitRoutes(api: ApiRouter, energy: EnergyModule): void {
  api.add({
    method: 'get',
    path: '/api/energy/circuits',
    summary: 'Circuits with their relay state, last change and manual hold',
    tag: 'energy',
    access: [...FACILITY],
    response: EnergyCircuitsAnswerSchema,
    handler: () => ({ circuits: running(energy).circuits.states() }),
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/energy/circuits/:id/switch',
    summary: 'Switch one circuit on or off (read back, retried, alarmed when the relay disagrees)',
    tag: 'energy',
    access: [...FACILITY],
    params: IdParam,
    body: SwitchBody,
    audit: 'energy.circuit.switch.request',
    response: EnergySwitchAnswerSchema,
    handler: async ({ params, body, user }) => {
      const s = running(energy);
      if (!s.circuits.state(params.id)) throw new ApiError(404, 'energy.unknown_circuit', { id: params.id });
      const result = await s.circuits.switch(params.id, {
        on: body.on,
        actor: { kind: 'user', id: user!.username },
        why: body.reason ?? 'panel',
        holdMinutes: body.holdMinutes ?? s.config.control.overrideDefaultMinutes,
      });
      return { result, circuit: s.circuits.state(params.id) };
    },
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/energy/switch',
    summary: 'Switch every circuit matching a target (a building, room kinds, circuit kinds); needs confirm: true',
    tag: 'energy',
    access: [...FACILITY],
    body: BulkSwitchBody,
    audit: 'energy.circuit.switch.bulk',
    response: EnergyBulkSwitchAnswerSchema,
    handler: async ({ body, user }) => {
      const s = running(energy);
      const circuits = s.topology.circuitsOf(body.target);
      if (circuits.length === 0) throw new ApiError(404, 'energy.no_circuits');
      if (body.confirm !== true) throw new ApiError(409, 'energy.confirm_required', { count: circuits.length }, { count: circuits.length, circuits: circuits.map((c) => c.id) });
      const results = await s.circuits.switchMany(
        circuits.map((c) => c.id),
        { on: body.on, actor: { kind: 'user', id: user!.username }, why: body.reason ?? 'panel', holdMinutes: body.holdMinutes ?? s.config.control.overrideDefaultMinutes },
      );
      return { results };
    },
  });

  api.add({
    method: 'delete',
    owner: 'edge',
    path: '/api/energy/circuits/:id/override',
    summary: 'End a manual hold early (schedules apply again)',
    tag: 'energy',
    access: [...FACILITY],
    params: IdParam,
    audit: 'energy.override.cancel',
    response: NoContent,
    handler: ({ params, user }) => {
      const s = running(energy);
      if (!s.circuits.cancelOverride(params.id, user!.username)) throw new ApiError(404, 'not_found', { what: `override ${params.id}` });
      return undefined;
    },
  });

  api.add({
    method: 'get',
    path: '/api/energy/switch-log',
    summary: 'Every switch decision: who or which schedule, why, outcome (skips included), newest first',
    tag: 'energy',
    access: [...FACILITY],
    query: z.strictObject({
      circuit: z.string().max(64).optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
      before: z.coerce.number().int().positive().optional(),
    }),
    response: EnergySwitchLogAnswerSchema,
    handler: ({ query }) => ({ entries: running(energy).circuits.log.list(query) }),
  });
}
