import type { ValueType, WordOrder } from './map-schema.js';

export interface Decodable {
  type: ValueType;
  wordOrder: WordOrder;
  scale: number;
}

const scratch = new DataView(new ArrayBuffer(4));

function join32(words: ArrayLike<number>, offset: number, order: WordOrder): number {
  const a = words[offset]!;
  const b = words[offset + 1]!;
  return order === 'big' ? ((a << 16) | b) >>> 0 : ((b << 16) | a) >>> 0;
}

function split32(u32: number, order: WordOrder): [number, number] {
  const hi = (u32 >>> 16) & 0xffff;
  const lo = u32 & 0xffff;
  return order === 'big' ? [hi, lo] : [lo, hi];
}

/** Decodes the raw register value (before scaling); NaN and ±Infinity pass through. */
export function decodeRaw(p: Pick<Decodable, 'type' | 'wordOrder'>, words: ArrayLike<number>, offset: number): number {
  switch (p.type) {
    case 'uint16':
      return words[offset]!;
    case 'int16':
      return (words[offset]! << 16) >> 16;
    case 'uint32':
      return join32(words, offset, p.wordOrder);
    case 'int32':
      return join32(words, offset, p.wordOrder) | 0;
    case 'float32':
      scratch.setUint32(0, join32(words, offset, p.wordOrder));
      return scratch.getFloat32(0);
    case 'bool':
      return words[offset]! ? 1 : 0;
  }
}

/**
 * Decodes and scales. Scaling 2301 by 0.1 gives 230.10000000000002 in binary
 * floating point; 12 significant digits keep every meter's resolution and drop that noise.
 */
export function decodeValue(p: Decodable, words: ArrayLike<number>, offset: number): number {
  const raw = decodeRaw(p, words, offset);
  if (p.scale === 1 || !Number.isFinite(raw)) return raw;
  return Number((raw * p.scale).toPrecision(12));
}

/** The inverse, for simulators: the register words a device would send for `value`. */
export function encodeValue(p: Decodable, value: number): number[] {
  const raw = Number.isFinite(value) ? value / p.scale : value;
  switch (p.type) {
    case 'uint16':
      return [Math.max(0, Math.min(0xffff, Math.round(raw)))];
    case 'int16':
      return [Math.max(-0x8000, Math.min(0x7fff, Math.round(raw))) & 0xffff];
    case 'uint32':
      return split32(Math.max(0, Math.min(0xffffffff, Math.round(raw))) >>> 0, p.wordOrder);
    case 'int32':
      return split32(Math.max(-0x80000000, Math.min(0x7fffffff, Math.round(raw))) >>> 0, p.wordOrder);
    case 'float32':
      scratch.setFloat32(0, raw);
      return split32(scratch.getUint32(0), p.wordOrder);
    case 'bool':
      return [raw ? 1 : 0];
  }
}
