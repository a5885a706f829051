import type { ReadingQuality } from '@campus/protocol/energy/index';

export interface Judged {
  quality: ReadingQuality;
  /** null unless quality is good. */
  value: number | null;
  /** What arrived, when it is not good data. */
  raw?: string;
}

export interface JudgeablePoint {
  range: [number, number] | null;
  counter: boolean;
}

/**
 * Decides whether a decoded number is data. NaN and ±Infinity are what meters and
 * gateways send for "no value"; a float like 3.4e38 V is a garbled register.
 * `previous` is the last good value of a counter point.
 */
export function judgeReading(p: JudgeablePoint, value: number, previous?: number): Judged {
  if (Number.isNaN(value)) return { quality: 'nan', value: null, raw: 'NaN' };
  if (!Number.isFinite(value)) return { quality: 'infinite', value: null, raw: String(value) };
  if (p.range && (value < p.range[0] || value > p.range[1])) return { quality: 'out_of_range', value: null, raw: String(value) };
  if (p.counter && previous !== undefined && value < previous) return { quality: 'regressed', value: null, raw: String(value) };
  return { quality: 'good', value };
}
