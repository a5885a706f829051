import { z } from 'zod';
import type { ApiRouter } from '../../http/router.js';
import { ApiError } from '../../http/errors.js';
import type { EnergyModule } from '../energy-module.js';
import { afterHoursReport } from '../reports/after-hours.js';
import { scopeKey } from '../reports/energy-query.js';
import type { Scope } from '../topology.js';
import { DateParam, FACILITY, dateRange, running } from './common.js';
import { AfterHoursReportViewSchema, BuildingSeriesSchema, EnergySeriesSchema } from '@campus/protocol/energy/api';

const MAX_DAYS = { hour: 31, day: 400, month: 5 * 366 } as const;

export function reportRoutes(api: ApiRouter, energy: EnergyModule): void {
  api.add({
    method: 'get',
    path: '/api/energy/series',
    summary: 'Energy (kWh, and the after-hours part) of the campus, a building or a room per hour, day or month',
    tag: 'energy',
    access: [...FACILITY],
    query: z.strictObject({
      scope: z.enum(['campus', 'building', 'room']).default('campus'),
      id: z.string().max(64).optional(),
      granularity: z.enum(['hour', 'day', 'month']).default('day'),
      from: DateParam,
      to: DateParam,
    }),
    response: EnergySeriesSchema,
    handler: ({ query }) => {
      const s = running(energy);
      dateRange(query.from, query.to, MAX_DAYS[query.granularity]);
      let scope: Scope;
      if (query.scope === 'campus') scope = { kind: 'campus' };
      else {
        const known = query.scope === 'building' ? s.topology.buildings : s.topology.rooms;
        if (!query.id || !known.has(query.id)) throw new ApiError(404, 'energy.unknown_scope', { kind: query.scope === 'building' ? '楼栋/building' : '房间/room', id: query.id ?? '' });
        scope = { kind: query.scope, id: query.id };
      }
      const series = s.query.series([scope], query.granularity, query.from, query.to).get(scopeKey(scope)) ?? [];
      return { scope: query.scope, id: query.id ?? null, granularity: query.granularity, unit: 'kWh' as const, points: series };
    },
  });

  api.add({
    method: 'get',
    path: '/api/energy/buildings/series',
    summary: 'Energy of every building per hour, day or month (for charts by building)',
    tag: 'energy',
    access: [...FACILITY],
    query: z.strictObject({ granularity: z.enum(['hour', 'day', 'month']).default('day'), from: DateParam, to: DateParam }),
    response: BuildingSeriesSchema,
    handler: ({ query }) => {
      const s = running(energy);
      dateRange(query.from, query.to, MAX_DAYS[query.granularity]);
      const scopes: Scope[] = [...s.topology.buildings.keys()].map((id) => ({ kind: 'building', id }));
      const series = s.query.series(scopes, query.granularity, query.from, query.to);
      return {
        granularity: query.granularity,
        unit: 'kWh' as const,
        buildings: [...s.topology.buildings.values()].map((b) => ({ id: b.id, name: b.name, points: series.get(`building:${b.id}`) ?? [] })),
      };
    },
  });

  api.add({
    method: 'get',
    path: '/api/energy/after-hours',
    summary: 'After-hours (waste) report per building and day, costed with the time-of-use tariff',
    tag: 'energy',
    access: [...FACILITY],
    query: z.strictObject({ from: DateParam, to: DateParam }),
    response: AfterHoursReportViewSchema,
    handler: ({ query }) => {
      const s = running(energy);
      dateRange(query.from, query.to, 92);
      return afterHoursReport(s.telemetry.db, s.topology, s.zone, s.tariff, query.from, query.to);
    },
  });
}
