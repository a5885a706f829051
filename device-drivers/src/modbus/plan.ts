import { MAX_READ_BITS, MAX_READ_REGISTERS, isBitTable, type RegisterTable } from './pdu.js';

/** One value to read: `length` registers (or bits) from `address` of `table` on `unit`. */
export interface PlanPoint {
  key: string;
  unit: number;
  table: RegisterTable;
  address: number;
  length: number;
  /** Must be read on its own (learned: the device refuses it in a block). */
  solo?: boolean;
}

/** Inclusive address range. */
export interface AddressRange {
  table: RegisterTable;
  from: number;
  to: number;
}

export interface PlanLimits {
  /** Registers per request; the spec allows 125, some meters less (Eastron: 80). */
  maxRegisters: number;
  /** Bits (coils, discrete inputs) per request; the spec allows 2000. */
  maxBits: number;
  /**
   * Unwanted registers a request may read between two wanted ones. At 9600 baud
   * a register costs ~2 ms on the wire and a separate request ~15 ms plus the
   * device's turnaround, so bridging small gaps is cheaper.
   */
  maxGap: number;
  /** The same for bits. */
  maxGapBits: number;
  /** Registers a request must never touch (a map says reading them fails). */
  unreadable: readonly AddressRange[];
}

export const DEFAULT_PLAN_LIMITS: PlanLimits = {
  maxRegisters: MAX_READ_REGISTERS,
  maxBits: MAX_READ_BITS,
  maxGap: 10,
  maxGapBits: 64,
  unreadable: [],
};

export interface PlanOptions extends Partial<PlanLimits> {
  /** Per-device limits (each meter model has its own), merged over the defaults. */
  limitsFor?: (unit: number) => Partial<PlanLimits>;
}

export interface PlannedRead {
  unit: number;
  table: RegisterTable;
  address: number;
  count: number;
  /** Keys of the points this request carries, by address. */
  points: string[];
}

export class PlanError extends Error {
  constructor(
    readonly pointKey: string,
    detail: string,
  ) {
    super(`point ${pointKey}: ${detail}`);
    this.name = 'PlanError';
  }
}

interface Best {
  count: number;
  registers: number;
  from: number;
}

/**
 * Merges points into the fewest read requests, then the fewest registers read,
 * per (unit, table). Pure and exact: a request is a contiguous run of points in
 * address order (anything else reads a point twice), every run's feasibility is
 * monotone, so a dynamic program over run ends finds the optimum in O(n²).
 */
export function planRequests(points: readonly PlanPoint[], options: PlanOptions = {}): PlannedRead[] {
  const groups = new Map<string, PlanPoint[]>();
  for (const p of points) {
    const k = `${p.unit}\u0000${p.table}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(p);
  }
  const out: PlannedRead[] = [];
  for (const g of groups.values()) {
    const unit = g[0]!.unit;
    const table = g[0]!.table;
    const limits = { ...DEFAULT_PLAN_LIMITS, ...stripUndefined(options), ...stripUndefined(options.limitsFor?.(unit) ?? {}) };
    out.push(...planOneTable(unit, table, g, limits));
  }
  const tableOrder = { coil: 0, discrete: 1, holding: 2, input: 3 } as const;
  return out.sort((a, b) => a.unit - b.unit || tableOrder[a.table] - tableOrder[b.table] || a.address - b.address);
}

function planOneTable(unit: number, table: RegisterTable, points: PlanPoint[], limits: PlanLimits): PlannedRead[] {
  const bits = isBitTable(table);
  const max = bits ? Math.min(limits.maxBits, MAX_READ_BITS) : Math.min(limits.maxRegisters, MAX_READ_REGISTERS);
  const maxGap = bits ? limits.maxGapBits : limits.maxGap;
  const forbidden = limits.unreadable.filter((r) => r.table === table);
  const overlapsForbidden = (start: number, end: number) => forbidden.some((r) => r.from < end && r.to >= start);

  for (const p of points) {
    if (!Number.isInteger(p.address) || !Number.isInteger(p.length) || p.length < 1 || p.address < 0 || p.address + p.length > 0x10000) {
      throw new PlanError(p.key, `address ${p.address} length ${p.length} is not a valid ${table} range`);
    }
    if (p.length > max) throw new PlanError(p.key, `is ${p.length} long, more than one request may read (${max})`);
    if (overlapsForbidden(p.address, p.address + p.length)) throw new PlanError(p.key, `lies in a range marked unreadable`);
  }
  const seg = [...points].sort((a, b) => a.address - b.address || b.length - a.length || (a.key < b.key ? -1 : 1));
  const n = seg.length;
  const best: (Best | null)[] = new Array<Best | null>(n + 1).fill(null);
  best[0] = { count: 0, registers: 0, from: -1 };
  for (let j = 0; j < n; j++) {
    const base = best[j];
    if (!base) continue;
    const start = seg[j]!.address;
    let end = start;
    for (let i = j; i < n; i++) {
      const p = seg[i]!;
      if (i > j && (p.solo || seg[j]!.solo)) break;
      if (i > j && p.address - end > maxGap) break;
      const newEnd = Math.max(end, p.address + p.length);
      if (newEnd - start > max) break;
      if (overlapsForbidden(start, newEnd)) break;
      end = newEnd;
      const cand: Best = { count: base.count + 1, registers: base.registers + (end - start), from: j };
      const cur = best[i + 1];
      if (!cur || cand.count < cur.count || (cand.count === cur.count && cand.registers < cur.registers)) best[i + 1] = cand;
    }
  }
  const plan: PlannedRead[] = [];
  for (let k = n; k > 0; ) {
    const b = best[k]!;
    const run = seg.slice(b.from, k);
    const address = run[0]!.address;
    const end = Math.max(...run.map((p) => p.address + p.length));
    plan.push({ unit, table, address, count: end - address, points: run.map((p) => p.key) });
    k = b.from;
  }
  return plan.reverse();
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && k !== 'limitsFor') (out as Record<string, unknown>)[k] = v;
  return out;
}
