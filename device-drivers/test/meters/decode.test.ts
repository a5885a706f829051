import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRaw, decodeValue, encodeValue, type Decodable } from '../../src/meters/decode.js';

const d = (type: Decodable['type'], wordOrder: Decodable['wordOrder'] = 'big', scale = 1): Decodable => ({ type, wordOrder, scale });

describe('register decoding', () => {
  it('decodes float32 in both word orders', () => {
    // 230.2 V as Tasmota's DDSU666 driver documents the reply: 43 66 33 34.
    expect(decodeRaw(d('float32'), [0x4366, 0x3334], 0)).toBeCloseTo(230.2, 4);
    expect(decodeRaw(d('float32', 'little'), [0x3334, 0x4366], 0)).toBeCloseTo(230.2, 4);
  });

  it('decodes signed and unsigned integers', () => {
    expect(decodeRaw(d('int16'), [0xffff], 0)).toBe(-1);
    expect(decodeRaw(d('uint16'), [0xffff], 0)).toBe(65535);
    expect(decodeRaw(d('int32'), [0xffff, 0xfffe], 0)).toBe(-2);
    expect(decodeRaw(d('uint32'), [0x0001, 0x0000], 0)).toBe(65536);
    expect(decodeRaw(d('uint32', 'little'), [0x0000, 0x0001], 0)).toBe(65536);
    expect(decodeRaw(d('int32', 'little'), [0xfffe, 0xffff], 0)).toBe(-2);
  });

  it('applies the scale without binary noise', () => {
    expect(decodeValue(d('uint16', 'big', 0.1), [2301], 0)).toBe(230.1);
    expect(decodeValue(d('int32', 'big', 0.01), [0xffff, 0xff38], 0)).toBe(-2);
    expect(decodeValue(d('float32', 'big', 1000), [0x3e4c, 0xcccd], 0)).toBe(200.000002980);
  });

  it('passes NaN and infinities through for the quality check', () => {
    expect(decodeValue(d('float32', 'big', 0.1), [0x7fc0, 0x0000], 0)).toBeNaN();
    expect(decodeValue(d('float32'), [0x7f80, 0x0000], 0)).toBe(Infinity);
    expect(decodeValue(d('float32'), [0xff80, 0x0000], 0)).toBe(-Infinity);
  });

  it('reads at an offset inside a block', () => {
    expect(decodeRaw(d('uint16'), [1, 2, 3], 2)).toBe(3);
  });

  it('round-trips through encodeValue for every type and word order', () => {
    const types: Array<[Decodable['type'], fc.Arbitrary<number>]> = [
      ['int16', fc.integer({ min: -32768, max: 32767 })],
      ['uint16', fc.integer({ min: 0, max: 65535 })],
      ['int32', fc.integer({ min: -2147483648, max: 2147483647 })],
      ['uint32', fc.integer({ min: 0, max: 4294967295 })],
      ['float32', fc.float({ noNaN: true, noDefaultInfinity: true }).map(Math.fround)],
    ];
    for (const [type, arb] of types) {
      for (const order of ['big', 'little'] as const) {
        fc.assert(
          fc.property(arb, (v) => {
            const p = d(type, order);
            expect(decodeRaw(p, encodeValue(p, v), 0)).toBe(Object.is(v, -0) ? (type === 'float32' ? -0 : 0) : v);
          }),
          { numRuns: 200 },
        );
      }
    }
  });
});
