import { z } from 'zod';
import type { ApiRouter } from '../../http/router.js';
import { ApiError } from '../../http/errors.js';
import type { EnergyModule } from '../energy-module.js';
import { FACILITY, running } from './common.js';
import { EnergyAlarmAnswerSchema, EnergyAlarmsAnswerSchema } from '@campus/protocol/energy/api';

const AlarmId = z.strictObject({ id: z.string().regex(/^[0-9a-f-]{36}$/, 'alarm id (UUID)') });

export function alarmRoutes(api: ApiRouter, energy: EnergyModule): void {
  api.add({
    method: 'get',
    path: '/api/energy/alarms',
    summary: 'Open alarms (active or not yet acknowledged), or the history',
    tag: 'energy',
    access: [...FACILITY, 'security'],
    query: z.strictObject({
      state: z.enum(['open', 'all']).default('open'),
      limit: z.coerce.number().int().min(1).max(500).default(100),
      before: z.coerce.number().int().positive().optional(),
    }),
    response: EnergyAlarmsAnswerSchema,
    handler: ({ query }) => {
      const s = running(energy);
      const list = query.state === 'open' ? s.alarms.open() : s.alarms.history(query.limit, query.before);
      return { alarms: list.slice(0, query.limit).map(({ key: _key, ...a }) => a) };
    },
  });

  api.add({
    method: 'post',
    owner: 'edge',
    path: '/api/energy/alarms/:id/ack',
    summary: 'Acknowledge an alarm (it closes once it has also cleared)',
    tag: 'energy',
    access: [...FACILITY, 'security'],
    params: AlarmId,
    body: z.strictObject({ note: z.string().trim().max(200).optional() }),
    audit: 'energy.alarm.ack',
    response: EnergyAlarmAnswerSchema,
    handler: ({ params, user }) => {
      const r = running(energy).alarms.acknowledge(params.id, user!.username);
      if ('error' in r) throw r.error === 'not_found' ? new ApiError(404, 'not_found', { what: params.id }) : new ApiError(409, 'energy.already_acknowledged');
      const { key: _key, ...alarm } = r.alarm;
      return { alarm };
    },
  });
}
