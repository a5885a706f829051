import { describe, expect, it } from 'vitest';
import { judgeReading } from '../../src/meters/quality.js';

const voltage = { range: [0, 1000] as [number, number], counter: false };
const energy = { range: [0, 1e9] as [number, number], counter: true };

describe('reading quality', () => {
  it('passes plausible values', () => {
    expect(judgeReading(voltage, 229.8)).toEqual({ quality: 'good', value: 229.8 });
  });

  it('flags NaN, infinities and absurd values instead of returning them as data', () => {
    expect(judgeReading(voltage, NaN)).toEqual({ quality: 'nan', value: null, raw: 'NaN' });
    expect(judgeReading(voltage, Infinity)).toEqual({ quality: 'infinite', value: null, raw: 'Infinity' });
    expect(judgeReading(voltage, -Infinity)).toMatchObject({ quality: 'infinite', value: null });
    expect(judgeReading(voltage, 3.4e38)).toEqual({ quality: 'out_of_range', value: null, raw: '3.4e+38' });
    expect(judgeReading(voltage, -5)).toMatchObject({ quality: 'out_of_range' });
  });

  it('flags an energy counter that runs backwards', () => {
    expect(judgeReading(energy, 100.5, 100.4)).toMatchObject({ quality: 'good' });
    expect(judgeReading(energy, 100.4, 100.4)).toMatchObject({ quality: 'good' });
    expect(judgeReading(energy, 99, 100.4)).toEqual({ quality: 'regressed', value: null, raw: '99' });
  });

  it('checks only NaN and infinity when a point has no range', () => {
    expect(judgeReading({ range: null, counter: false }, 1e30)).toMatchObject({ quality: 'good' });
    expect(judgeReading({ range: null, counter: false }, NaN)).toMatchObject({ quality: 'nan' });
  });
});
