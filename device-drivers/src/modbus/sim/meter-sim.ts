import { encodeValue } from '../../meters/decode.js';
import { MeterMapRegistry } from '../../meters/registry.js';
import type { ResolvedMeterMap, ResolvedPoint } from '../../meters/resolved-map.js';
import { EXCEPTION, servePdu, type RegisterSpace, type SimulatedDevice } from './slave-device.js';
import { MeterPhysics, pointValue } from './meter-physics.js';

export interface SimulatedMeterOptions {
  unit: number;
  /** A built-in model id (e.g. "eastron-sdm630") or a resolved map. */
  model: string | ResolvedMeterMap;
  seed?: number;
  baseLoadW?: number;
  startKwh?: number;
  /**
   * Refuse (exception 2) any register that is not part of a point, as some
   * firmware does, instead of answering 0 like most meters.
   */
  strictAddresses?: boolean;
  registry?: MeterMapRegistry;
}

/**
 * A meter answering from its register map: the same map the poller decodes
 * with drives the encoding here (types, word order, scale), so a DTSU666 sends
 * its voltage in tenths just like the real one.
 */
export class SimulatedMeter implements SimulatedDevice, RegisterSpace {
  readonly unit: number;
  readonly map: ResolvedMeterMap;
  readonly physics: MeterPhysics;
  /** Float registers hold NaN, ±Infinity and 3.4e38 instead of data. */
  garbageFloats = false;
  private readonly strict: boolean;
  private readonly singlePhase: boolean;
  private readonly byTable = new Map<string, Map<number, { point: ResolvedPoint; word: number }>>();

  constructor(options: SimulatedMeterOptions) {
    this.unit = options.unit;
    this.map = typeof options.model === 'string' ? (options.registry ?? MeterMapRegistry.withBuiltIns()).require(options.model, `sim-${options.unit}`) : options.model;
    this.physics = new MeterPhysics({ seed: options.seed ?? options.unit, baseLoadW: options.baseLoadW, startKwh: options.startKwh });
    this.strict = options.strictAddresses ?? false;
    this.singlePhase = !this.map.points.some((p) => p.name.endsWith('_l2'));
    for (const p of this.map.points) {
      let t = this.byTable.get(p.table);
      if (!t) this.byTable.set(p.table, (t = new Map()));
      for (let w = 0; w < p.length; w++) t.set(p.address + w, { point: p, word: w });
    }
  }

  handle(pdu: Buffer, now: number): Buffer {
    return servePdu(this, pdu, now);
  }

  readRegisters(table: 'holding' | 'input', address: number, count: number, now: number): number[] | number {
    const cells = this.byTable.get(table);
    if (!this.addressable(table, address, count)) return EXCEPTION.illegalAddress;
    const snapshot = this.physics.at(now);
    const out: number[] = [];
    const cache = new Map<string, number[]>();
    for (let a = address; a < address + count; a++) {
      const cell = cells?.get(a);
      if (!cell) {
        if (this.strict) return EXCEPTION.illegalAddress;
        out.push(0);
        continue;
      }
      let words = cache.get(cell.point.name);
      if (!words) {
        words = encodeValue(cell.point, this.valueOf(cell.point, snapshot));
        cache.set(cell.point.name, words);
      }
      out.push(words[cell.word]!);
    }
    return out;
  }

  readBits(table: 'coil' | 'discrete', address: number, count: number): boolean[] | number {
    if (!this.addressable(table, address, count)) return EXCEPTION.illegalAddress;
    return new Array<boolean>(count).fill(false);
  }

  writeCoil(): number {
    return EXCEPTION.illegalFunction;
  }
  writeRegister(): number {
    return EXCEPTION.illegalAddress;
  }
  writeCoils(): number {
    return EXCEPTION.illegalFunction;
  }
  writeRegisters(): number {
    return EXCEPTION.illegalAddress;
  }

  private valueOf(p: ResolvedPoint, snapshot: ReturnType<MeterPhysics['at']>): number {
    if (this.garbageFloats && p.type === 'float32') {
      const i = this.map.points.indexOf(p) % 3;
      return i === 0 ? NaN : i === 1 ? Infinity : 3.4e38;
    }
    return pointValue(p.name, snapshot, this.singlePhase);
  }

  private addressable(table: string, address: number, count: number): boolean {
    const last = address + count - 1;
    if (this.map.unreadable.some((r) => r.table === table && r.from <= last && r.to >= address)) return false;
    if (this.map.readable.length === 0) return true;
    return this.map.readable.some((r) => r.table === table && r.from <= address && r.to >= last);
  }
}
