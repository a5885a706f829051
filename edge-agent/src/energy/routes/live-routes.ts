import { z } from 'zod';
import type { ApiRouter } from '../../http/router.js';
import { ApiError } from '../../http/errors.js';
import type { EnergyModule } from '../energy-module.js';
import { decodeRawChunk } from '../telemetry/raw-codec.js';
import { STALE_MS } from '../live.js';
import { FACILITY, IdParam, running } from './common.js';
import { EnergyDevicesSchema, EnergyLiveSchema, EnergyOverviewSchema, MeterRawSchema, type LiveValueView } from '@campus/protocol/energy/api';

const LIVE_POINTS = ['power_active_total', 'voltage', 'voltage_l1', 'voltage_l2', 'voltage_l3', 'current', 'current_l1', 'current_l2', 'current_l3', 'energy_active_import_total', 'power_factor_total', 'frequency'];

export function liveRoutes(api: ApiRouter, energy: EnergyModule): void {
  api.add({
    method: 'get',
    path: '/api/energy/overview',
    summary: 'Campus topology (buildings, rooms), bus status and configuration problems',
    tag: 'energy',
    access: [...FACILITY],
    response: EnergyOverviewSchema,
    handler: () => {
      const s = running(energy);
      const t = s.topology;
      return {
        timezone: s.zone.timeZone,
        buildings: [...t.buildings.values()].map((b) => ({ id: b.id, name: b.name, alwaysOpen: b.hours === 'always' })),
        rooms: [...t.rooms.values()],
        circuits: t.circuits.size,
        meters: t.meters.size,
        buses: s.field.busStatus(),
        issues: s.issues,
        homeAssistant: s.config.homeAssistant.enabled,
        overrideDefaultMinutes: s.config.control.overrideDefaultMinutes,
        tariff: { currency: s.tariff.config.currency, prices: { sharp: s.tariff.price('sharp'), peak: s.tariff.price('peak'), flat: s.tariff.price('flat'), valley: s.tariff.price('valley') }, periods: s.tariff.config.periods },
      };
    },
  });

  api.add({
    method: 'get',
    path: '/api/energy/live',
    summary: 'Live power by building and the latest values of each meter',
    tag: 'energy',
    access: [...FACILITY],
    response: EnergyLiveSchema,
    handler: () => {
      const s = running(energy);
      const now = s.timers.now();
      const byBuilding = s.live.buildingPower(now);
      const devices = new Map(s.field.devices().map((d) => [d.deviceId, d]));
      const buildings = [...s.topology.buildings.values()].map((b) => {
        const p = byBuilding.get(b.id)!;
        return { id: b.id, name: b.name, powerW: p.w === null ? null : Math.round(p.w), meters: p.meters, fresh: p.fresh, inHours: s.hours.buildingInHours(b.id, now) };
      });
      const meters = [...s.topology.meters.values()].map((m) => {
        const values = s.live.values(m.id);
        const latest: Record<string, LiveValueView> = {};
        for (const p of LIVE_POINTS) {
          const v = values?.get(p);
          if (v) latest[p] = v;
        }
        for (const [p, v] of values ?? []) if (v.unit === 'mA' || v.unit === '°C') latest[p] = v;
        const d = devices.get(m.id);
        const at = Math.max(0, ...Object.values(latest).map((v) => v.at));
        return {
          id: m.id,
          name: m.name,
          building: m.building,
          room: m.room,
          model: m.model,
          detector: m.detector,
          reachable: d?.reachable ?? null,
          stale: at === 0 || now - at > STALE_MS,
          values: latest,
        };
      });
      return { at: now, buildings, campusPowerW: buildings.reduce((a, b) => a + (b.powerW ?? 0), 0), meters };
    },
  });

  api.add({
    method: 'get',
    path: '/api/energy/devices',
    summary: 'Modbus buses and devices with their counters (requests, timeouts, CRC errors, exceptions, last good read) and last error',
    tag: 'energy',
    access: [...FACILITY],
    response: EnergyDevicesSchema,
    handler: () => {
      const s = running(energy);
      return { buses: s.field.busStatus(), devices: s.field.devices(), issues: s.issues, recorder: s.recorder.stats };
    },
  });

  api.add({
    method: 'get',
    path: '/api/energy/meters/:id/raw',
    summary: 'Raw readings of one meter point (stored on change beyond the deadband, kept 48 h)',
    tag: 'energy',
    access: [...FACILITY],
    params: IdParam,
    query: z.strictObject({
      point: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/),
      from: z.coerce.number().int().nonnegative(),
      to: z.coerce.number().int().nonnegative(),
    }),
    response: MeterRawSchema,
    handler: ({ params, query }) => {
      const s = running(energy);
      if (!s.topology.meters.has(params.id)) throw new ApiError(404, 'not_found', { what: params.id });
      const idx = (s.telemetry.db.prepare('SELECT idx FROM energy_meters WHERE id = ?').get(params.id) as { idx: number } | undefined)?.idx;
      const points = [...s.telemetry.points().values()].filter((p) => p.point === query.point);
      if (idx === undefined || points.length === 0) return { meter: params.id, point: query.point, unit: null, values: [] };
      const byIdx = new Map(points.map((p) => [p.idx, p]));
      const rows = s.telemetry.rawChunks(idx, query.from, query.to);
      const values: Array<[number, number]> = [];
      for (const r of rows) {
        for (const v of decodeRawChunk(r.t0, r.data)) {
          const p = byIdx.get(v.point);
          if (p && v.at >= query.from && v.at <= query.to) values.push([v.at, Math.round(v.q * p.res * 1e6) / 1e6]);
        }
      }
      return { meter: params.id, point: query.point, unit: points[0]!.unit, values };
    },
  });
}
