import { isBitTable, type RegisterTable } from '../modbus/pdu.js';
import type { AddressRange, PlanLimits } from '../modbus/plan.js';
import type { EnergyUnit } from '@campus/protocol/energy/index';
import { WELL_KNOWN_POINTS } from '@campus/protocol/energy/index';
import { EnergyConfigError, issue, type ConfigIssue } from './errors.js';
import type { MeterMapParsed, PollClass, ValueType, WordOrder } from './map-schema.js';

/** A point with every default applied: what the poller and the decoder work with. */
export interface ResolvedPoint {
  name: string;
  table: RegisterTable;
  address: number;
  /** Registers (or bits) it occupies. */
  length: number;
  type: ValueType;
  wordOrder: WordOrder;
  scale: number;
  unit: EnergyUnit;
  range: [number, number] | null;
  interval: PollClass;
  counter: boolean;
  label: { 'zh-CN': string; en: string };
}

export interface ResolvedMeterMap {
  model: string;
  kind: 'meter' | 'relay' | 'io';
  vendor: string;
  title: { 'zh-CN': string; en: string };
  sources: string[];
  notes: string[];
  serial: { baudRate?: number; parity?: 'none' | 'even' | 'odd'; stopBits?: 1 | 2; defaultUnit?: number };
  limits: Omit<PlanLimits, 'unreadable'>;
  readable: AddressRange[];
  unreadable: AddressRange[];
  points: ResolvedPoint[];
  pointByName: ReadonlyMap<string, ResolvedPoint>;
}

export function lengthOf(type: ValueType): number {
  return type === 'int32' || type === 'uint32' || type === 'float32' ? 2 : 1;
}

function overlaps(ranges: readonly AddressRange[], table: RegisterTable, from: number, to: number): AddressRange | undefined {
  return ranges.find((r) => r.table === table && r.from <= to && r.to >= from);
}

function inside(ranges: readonly AddressRange[], table: RegisterTable, from: number, to: number): boolean {
  return ranges.some((r) => r.table === table && r.from <= from && r.to >= to);
}

/** Where a point may live in this map; null when it may, else the problem. */
export function checkPointPlacement(
  map: Pick<ResolvedMeterMap, 'model' | 'readable' | 'unreadable'>,
  p: Pick<ResolvedPoint, 'name' | 'table' | 'address' | 'length'>,
  deviceId: string,
): ConfigIssue | null {
  const last = p.address + p.length - 1;
  const params = { deviceId, point: p.name, table: p.table, address: `0x${p.address.toString(16).padStart(4, '0')}`, model: map.model };
  if (overlaps(map.unreadable, p.table, p.address, last)) return issue('energy.register_unreadable', params);
  if (map.readable.length > 0 && !inside(map.readable, p.table, p.address, last)) return issue('energy.register_outside_map', params);
  return null;
}

/** Applies defaults and `extends`, checks consistency. Throws EnergyConfigError(energy.invalid_map). */
export function resolveMap(parsed: MeterMapParsed, parent: ResolvedMeterMap | null): ResolvedMeterMap {
  const problems: string[] = [];
  const defaults = parsed.defaults ?? {};
  const removed = new Set(parsed.removePoints ?? []);
  const points = new Map<string, ResolvedPoint>();
  // A variant's defaults.table / defaults.wordOrder also move the inherited register
  // points: the usual firmware difference is "same registers, served through FC04"
  // or "same floats, words swapped".
  const moveTo = parent && defaults.table && !isBitTable(defaults.table) ? defaults.table : null;
  const retable = <T extends { table: RegisterTable }>(x: T): T => (moveTo && !isBitTable(x.table) ? { ...x, table: moveTo } : { ...x });
  if (parent) {
    for (const p of parent.points) {
      if (removed.has(p.name)) continue;
      const moved = retable(p);
      if (defaults.wordOrder && !isBitTable(moved.table)) moved.wordOrder = defaults.wordOrder;
      points.set(p.name, moved);
    }
  }
  for (const name of removed) if (!parent?.pointByName.has(name)) problems.push(`removePoints names unknown point "${name}"`);

  const seen = new Set<string>();
  for (const raw of parsed.points) {
    if (seen.has(raw.name)) problems.push(`point "${raw.name}" defined twice`);
    seen.add(raw.name);
    const inherited = points.get(raw.name);
    const table = raw.table ?? defaults.table ?? inherited?.table ?? parent?.points[0]?.table ?? 'holding';
    const type = raw.type ?? defaults.type ?? inherited?.type ?? (isBitTable(table) ? 'bool' : 'uint16');
    if (isBitTable(table) !== (type === 'bool')) problems.push(`point "${raw.name}": type ${type} does not fit table ${table}`);
    const known = WELL_KNOWN_POINTS[raw.name];
    points.set(raw.name, {
      name: raw.name,
      table,
      address: raw.address,
      length: lengthOf(type),
      type,
      wordOrder: raw.wordOrder ?? defaults.wordOrder ?? inherited?.wordOrder ?? 'big',
      scale: raw.scale ?? 1,
      unit: raw.unit,
      range: raw.range ?? null,
      interval: raw.interval ?? defaults.interval ?? inherited?.interval ?? 'fast',
      counter: raw.counter ?? false,
      label: raw.label ?? known?.label ?? inherited?.label ?? { 'zh-CN': raw.name, en: raw.name },
    });
  }
  const all = [...points.values()];
  if (all.length === 0) problems.push('a map needs at least one point');
  for (const p of all) {
    if (p.address + p.length > 0x10000) problems.push(`point "${p.name}" runs past address 0xFFFF`);
  }

  const limits = {
    maxRegisters: parsed.limits?.maxRegisters ?? parent?.limits.maxRegisters ?? 125,
    maxBits: parsed.limits?.maxBits ?? parent?.limits.maxBits ?? 2000,
    maxGap: parsed.limits?.maxGap ?? parent?.limits.maxGap ?? 10,
    maxGapBits: parsed.limits?.maxGapBits ?? parent?.limits.maxGapBits ?? 64,
  };
  const map: ResolvedMeterMap = {
    model: parsed.model,
    kind: parsed.kind ?? parent?.kind ?? 'meter',
    vendor: parsed.vendor ?? parent?.vendor ?? '',
    title: parsed.title ?? parent?.title ?? { 'zh-CN': parsed.model, en: parsed.model },
    sources: [...(parent?.sources ?? []), ...(parsed.sources ?? [])],
    notes: [...(parent?.notes ?? []), ...(parsed.notes ?? [])],
    serial: { ...(parent?.serial ?? {}), ...(parsed.serial ?? {}) },
    limits,
    readable: parsed.readable ?? (parent?.readable ?? []).map(retable),
    unreadable: [...(parent?.unreadable ?? []).map(retable), ...(parsed.unreadable ?? [])],
    points: all.sort((a, b) => a.table.localeCompare(b.table) || a.address - b.address),
    pointByName: points,
  };
  for (const p of map.points) {
    const bad = checkPointPlacement(map, p, '-');
    if (bad) problems.push(`point "${p.name}" at ${p.table} ${p.address}: ${bad.code === 'energy.register_unreadable' ? 'in an unreadable range' : 'outside the readable ranges'}`);
    if (p.length > (p.table === 'coil' || p.table === 'discrete' ? limits.maxBits : limits.maxRegisters)) problems.push(`point "${p.name}" is longer than one request`);
  }
  if (problems.length) throw new EnergyConfigError(problems.map((detail) => issue('energy.invalid_map', { model: parsed.model, detail })));
  return map;
}
