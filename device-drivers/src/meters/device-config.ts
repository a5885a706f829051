import { z } from 'zod';
import { ID_RE } from '@campus/protocol';
import type { PlanLimits } from '../modbus/plan.js';
import { EnergyConfigError, issue, type ConfigIssue } from './errors.js';
import { MapPointSchema } from './map-schema.js';
import type { MeterMapRegistry } from './registry.js';
import { checkPointPlacement, lengthOf, type ResolvedMeterMap, type ResolvedPoint } from './resolved-map.js';
import { WELL_KNOWN_POINTS } from '@campus/protocol/energy/index';

export const DEFAULT_POLL_INTERVALS = { fastMs: 5_000, slowMs: 60_000 } as const;

/**
 * One metered device on a bus, as the edge configuration names it. `points`
 * picks points of the map by name (default: all of them) or adds a point by
 * register address — which must lie inside the map's documented address space.
 */
export const MeterDeviceConfigSchema = z.strictObject({
  id: z.string().regex(ID_RE, 'letters, digits, - _ . (max 64)'),
  unit: z.number().int().min(1).max(255),
  model: z.string().min(1),
  points: z.array(z.union([z.string(), MapPointSchema])).min(1).optional(),
  intervals: z
    .strictObject({
      fastMs: z.number().int().min(100).max(86_400_000),
      slowMs: z.number().int().min(100).max(86_400_000),
    })
    .partial()
    .optional(),
  /** Per-point interval overrides, by point name. */
  pointIntervalsMs: z.record(z.string(), z.number().int().min(100).max(86_400_000)).optional(),
});
export type MeterDeviceConfigInput = z.input<typeof MeterDeviceConfigSchema>;

export interface PolledPoint extends ResolvedPoint {
  intervalMs: number;
}

export interface ResolvedMeterDevice {
  id: string;
  unit: number;
  model: string;
  map: ResolvedMeterMap;
  points: PolledPoint[];
  limits: Omit<PlanLimits, 'unreadable'> & { unreadable: PlanLimits['unreadable'] };
}

function idOf(input: unknown): string {
  const id = (input as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? id : '?';
}

/** Validates one device against the registry. Throws EnergyConfigError listing every problem. */
export function resolveMeterDevice(input: unknown, registry: MeterMapRegistry): ResolvedMeterDevice {
  const parsed = MeterDeviceConfigSchema.safeParse(input);
  if (!parsed.success) {
    const deviceId = idOf(input);
    throw new EnergyConfigError(parsed.error.issues.map((i) => issue('energy.invalid_device', { deviceId, detail: `${i.path.join('.') || '(root)'}: ${i.message}` })));
  }
  const cfg = parsed.data;
  const map = registry.require(cfg.model, cfg.id);
  const issues: ConfigIssue[] = [];
  const intervals = { ...DEFAULT_POLL_INTERVALS, ...cfg.intervals };
  const chosen: ResolvedPoint[] = [];
  const names = new Set<string>();
  const known = () => map.points.map((p) => p.name).join(', ');

  for (const entry of cfg.points ?? map.points.map((p) => p.name)) {
    if (typeof entry === 'string') {
      const p = map.pointByName.get(entry);
      if (!p) issues.push(issue('energy.unknown_point', { deviceId: cfg.id, model: map.model, point: entry, known: known() }));
      else if (!names.has(p.name)) {
        names.add(p.name);
        chosen.push(p);
      }
      continue;
    }
    const defaultTable = map.points[0]?.table ?? 'holding';
    const table = entry.table ?? defaultTable;
    const type = entry.type ?? map.pointByName.get(entry.name)?.type ?? (table === 'coil' || table === 'discrete' ? 'bool' : 'uint16');
    const point: ResolvedPoint = {
      name: entry.name,
      table,
      address: entry.address,
      length: lengthOf(type),
      type,
      wordOrder: entry.wordOrder ?? 'big',
      scale: entry.scale ?? 1,
      unit: entry.unit,
      range: entry.range ?? null,
      interval: entry.interval ?? 'fast',
      counter: entry.counter ?? false,
      label: entry.label ?? WELL_KNOWN_POINTS[entry.name]?.label ?? { 'zh-CN': entry.name, en: entry.name },
    };
    const bad = checkPointPlacement(map, point, cfg.id);
    if (bad) issues.push(bad);
    else if (names.has(point.name)) issues.push(issue('energy.invalid_device', { deviceId: cfg.id, detail: `point "${point.name}" listed twice` }));
    else {
      names.add(point.name);
      chosen.push(point);
    }
  }
  for (const name of Object.keys(cfg.pointIntervalsMs ?? {})) {
    if (!names.has(name)) issues.push(issue('energy.unknown_point', { deviceId: cfg.id, model: map.model, point: name, known: [...names].join(', ') }));
  }
  if (issues.length) throw new EnergyConfigError(issues);

  const points: PolledPoint[] = chosen.map((p) => ({
    ...p,
    intervalMs: cfg.pointIntervalsMs?.[p.name] ?? (p.interval === 'slow' ? intervals.slowMs : intervals.fastMs),
  }));
  return { id: cfg.id, unit: cfg.unit, model: map.model, map, points, limits: { ...map.limits, unreadable: map.unreadable } };
}

export interface RejectedDevice {
  deviceId: string;
  error: EnergyConfigError;
}

/**
 * Validates a bus's devices. A wrong device is rejected with its errors and the
 * others still run: one typo must not switch off a building's metering.
 */
export function resolveMeterDevices(inputs: readonly unknown[], registry: MeterMapRegistry): { devices: ResolvedMeterDevice[]; rejected: RejectedDevice[] } {
  const devices: ResolvedMeterDevice[] = [];
  const rejected: RejectedDevice[] = [];
  const byId = new Map<string, ResolvedMeterDevice>();
  const byUnit = new Map<number, ResolvedMeterDevice>();
  for (const input of inputs) {
    try {
      const d = resolveMeterDevice(input, registry);
      if (byId.has(d.id)) throw new EnergyConfigError([issue('energy.duplicate_device', { deviceId: d.id })]);
      const other = byUnit.get(d.unit);
      if (other) throw new EnergyConfigError([issue('energy.duplicate_unit', { deviceId: d.id, otherId: other.id, unit: d.unit })]);
      byId.set(d.id, d);
      byUnit.set(d.unit, d);
      devices.push(d);
    } catch (e) {
      if (!(e instanceof EnergyConfigError)) throw e;
      rejected.push({ deviceId: idOf(input), error: e });
    }
  }
  return { devices, rejected };
}
