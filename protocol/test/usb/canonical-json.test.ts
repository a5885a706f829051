import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalJson, CanonicalJsonError } from '@campus/protocol/usb/canonical-json';

describe('canonicalJson', () => {
  it('sorts keys by UTF-16 code units and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x'], A: { z: 1, é: 2, '10': 3, '9': 4 } })).toBe(
      '{"A":{"10":3,"9":4,"z":1,"é":2},"a":[true,null,"x"],"b":1}',
    );
  });

  it('orders astral-plane keys by code unit, as RFC 8785 requires', () => {
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FFFD in UTF-16.
    expect(canonicalJson({ '\uFFFD': 1, '\u{1F600}': 2 })).toBe('{"\u{1F600}":2,"\uFFFD":1}');
  });

  it('drops undefined object members like JSON.stringify', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });

  it.each([
    ['NaN', { a: NaN }],
    ['Infinity', [Infinity]],
    ['a Date', { d: new Date(0) }],
    ['a Map', new Map()],
    ['undefined in an array', [undefined]],
    ['a function', { f: () => 1 }],
    ['a bigint', { n: 1n }],
  ])('refuses %s', (_name, value) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
  });

  it('refuses cycles and absurd nesting instead of overflowing the stack', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => canonicalJson(a)).toThrow(/cycle/);
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(/deeper/);
  });

  it('allows the same object twice when it is not a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  it('is stable across a JSON round trip and key reordering (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => {
        const once = canonicalJson(v);
        const reparsed = JSON.parse(once) as unknown;
        expect(canonicalJson(reparsed)).toBe(once);
        expect(JSON.parse(once)).toEqual(JSON.parse(JSON.stringify(v)));
        expect(canonicalJson(shuffleKeys(reparsed))).toBe(once);
      }),
    );
  });
});

function shuffleKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shuffleKeys);
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).reverse();
    return Object.fromEntries(entries.map(([k, x]) => [k, shuffleKeys(x)]));
  }
  return v;
}
