import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PlanError, planRequests, type AddressRange, type PlanPoint } from '../../src/modbus/plan.js';

const pt = (key: string, address: number, length = 2, extra: Partial<PlanPoint> = {}): PlanPoint => ({ key, unit: 1, table: 'input', address, length, ...extra });

describe('planRequests', () => {
  it('merges neighbouring registers of one table and unit into one request', () => {
    const plan = planRequests([pt('v1', 0), pt('v2', 2), pt('v3', 4), pt('f', 0x46)], { maxGap: 10 });
    expect(plan).toEqual([
      { unit: 1, table: 'input', address: 0, count: 6, points: ['v1', 'v2', 'v3'] },
      { unit: 1, table: 'input', address: 0x46, count: 2, points: ['f'] },
    ]);
  });

  it('keeps tables and units apart', () => {
    const plan = planRequests([pt('a', 0), pt('b', 2, 2, { table: 'holding' }), pt('c', 4, 2, { unit: 2 })]);
    expect(plan.map((r) => [r.unit, r.table, r.points])).toEqual([
      [1, 'holding', ['b']],
      [1, 'input', ['a']],
      [2, 'input', ['c']],
    ]);
  });

  it('bridges gaps up to maxGap only', () => {
    expect(planRequests([pt('a', 0), pt('b', 12)], { maxGap: 10 })).toHaveLength(1);
    expect(planRequests([pt('a', 0), pt('b', 13)], { maxGap: 10 })).toHaveLength(2);
    expect(planRequests([pt('a', 0), pt('b', 3)], { maxGap: 0 })).toHaveLength(2);
  });

  it('never bridges registers marked unreadable', () => {
    const unreadable: AddressRange[] = [{ table: 'input', from: 3, to: 3 }];
    const plan = planRequests([pt('a', 0), pt('b', 4)], { maxGap: 10, unreadable });
    expect(plan.map((r) => r.points)).toEqual([['a'], ['b']]);
    // The same range in another table does not matter.
    expect(planRequests([pt('a', 0), pt('b', 4)], { maxGap: 10, unreadable: [{ table: 'holding', from: 3, to: 3 }] })).toHaveLength(1);
  });

  it('respects the per-device register limit (Eastron: 80)', () => {
    const points = Array.from({ length: 60 }, (_, i) => pt(`p${i}`, i * 2));
    const plan = planRequests(points, { maxRegisters: 80 });
    expect(plan).toHaveLength(2);
    expect(Math.max(...plan.map((r) => r.count))).toBeLessThanOrEqual(80);
    expect(planRequests(points).map((r) => r.count)).toEqual([120]);
  });

  it('takes per-unit limits from limitsFor', () => {
    const points = [...Array.from({ length: 50 }, (_, i) => pt(`a${i}`, i * 2)), ...Array.from({ length: 50 }, (_, i) => pt(`b${i}`, i * 2, 2, { unit: 2 }))];
    const plan = planRequests(points, { limitsFor: (unit) => (unit === 1 ? { maxRegisters: 40 } : {}) });
    expect(plan.filter((r) => r.unit === 1).map((r) => r.count).sort()).toEqual([20, 40, 40]);
    expect(plan.filter((r) => r.unit === 2).map((r) => r.count)).toEqual([100]);
  });

  it('plans coils up to 2000 bits with their own gap limit', () => {
    const coils = Array.from({ length: 8 }, (_, i) => pt(`r${i}`, i, 1, { table: 'coil' }));
    expect(planRequests(coils)).toEqual([{ unit: 1, table: 'coil', address: 0, count: 8, points: coils.map((c) => c.key) }]);
    const far = [pt('a', 0, 1, { table: 'coil' }), pt('b', 1999, 1, { table: 'coil' })];
    expect(planRequests(far, { maxGapBits: 2000 })).toHaveLength(1);
    expect(planRequests([...far, pt('c', 2000, 1, { table: 'coil' })], { maxGapBits: 2000 })).toHaveLength(2);
  });

  it('reads a point marked solo on its own', () => {
    const plan = planRequests([pt('a', 0), pt('b', 2, 2, { solo: true }), pt('c', 4)]);
    expect(plan.map((r) => r.points)).toEqual([['a'], ['b'], ['c']]);
  });

  it('handles overlapping points (two views of one register) in one request', () => {
    const plan = planRequests([pt('word', 10, 1), pt('dword', 10, 2)]);
    expect(plan).toEqual([{ unit: 1, table: 'input', address: 10, count: 2, points: ['dword', 'word'] }]);
  });

  it('prefers fewer registers among plans with the fewest requests', () => {
    // 0..1, 4..5, 8..9 with max 8: [0..5][8..9] and [0..1][4..9] both take 2 requests;
    // both read 8 registers; the gap-free choice is no worse.
    const plan = planRequests([pt('a', 0), pt('b', 4), pt('c', 8)], { maxRegisters: 8, maxGap: 10 });
    expect(plan).toHaveLength(2);
    expect(plan.reduce((s, r) => s + r.count, 0)).toBe(8);
  });

  it('rejects points no request can read', () => {
    expect(() => planRequests([pt('big', 0, 126)])).toThrow(PlanError);
    expect(() => planRequests([pt('a', 0)], { unreadable: [{ table: 'input', from: 1, to: 1 }] })).toThrow(/unreadable/);
    expect(() => planRequests([pt('end', 0xffff, 2)])).toThrow(PlanError);
  });

  describe('properties', () => {
    const pointsArb = fc
      .array(fc.record({ address: fc.integer({ min: 0, max: 120 }), length: fc.constantFrom(1, 2) }), { minLength: 1, maxLength: 9 })
      .map((xs) => xs.map((x, i) => pt(`p${i}`, x.address, x.length)));
    const limitsArb = fc.record({
      maxRegisters: fc.integer({ min: 2, max: 40 }),
      maxGap: fc.integer({ min: 0, max: 12 }),
      hole: fc.option(fc.integer({ min: 0, max: 125 }), { nil: undefined }),
    });

    const valid = (points: PlanPoint[], hole: number | undefined) => (hole === undefined ? points : points.filter((p) => p.address > hole || p.address + p.length <= hole));

    it('covers every point once, within limits, never touching a hole', () => {
      fc.assert(
        fc.property(pointsArb, limitsArb, (raw, { maxRegisters, maxGap, hole }) => {
          const points = valid(raw, hole);
          const unreadable = hole === undefined ? [] : [{ table: 'input' as const, from: hole, to: hole }];
          const plan = planRequests(points, { maxRegisters, maxGap, unreadable });
          const seen = plan.flatMap((r) => r.points).sort();
          expect(seen).toEqual(points.map((p) => p.key).sort());
          for (const r of plan) {
            expect(r.count).toBeLessThanOrEqual(maxRegisters);
            if (hole !== undefined) expect(hole >= r.address && hole < r.address + r.count).toBe(false);
            const inside = r.points.map((k) => points.find((p) => p.key === k)!).sort((a, b) => a.address - b.address);
            let end = inside[0]!.address;
            for (const p of inside) {
              expect(p.address >= r.address && p.address + p.length <= r.address + r.count).toBe(true);
              expect(p.address - end).toBeLessThanOrEqual(maxGap);
              end = Math.max(end, p.address + p.length);
            }
          }
        }),
        { numRuns: 400 },
      );
    });

    it('is optimal: no split of the points into runs needs fewer requests, or as few with fewer registers', () => {
      fc.assert(
        fc.property(pointsArb, limitsArb, (raw, { maxRegisters, maxGap, hole }) => {
          const points = valid(raw, hole);
          const unreadable = hole === undefined ? [] : [{ table: 'input' as const, from: hole, to: hole }];
          const plan = planRequests(points, { maxRegisters, maxGap, unreadable });
          const got = [plan.length, plan.reduce((s, r) => s + r.count, 0)];
          const best = bruteForce(points, maxRegisters, maxGap, hole);
          expect(got).toEqual(best);
        }),
        { numRuns: 400 },
      );
    });
  });
});

/** Every way to cut the address-sorted points into consecutive runs; the best feasible one. */
function bruteForce(points: PlanPoint[], max: number, maxGap: number, hole: number | undefined): [number, number] {
  const seg = [...points].sort((a, b) => a.address - b.address || b.length - a.length);
  const n = seg.length;
  let best: [number, number] = [Infinity, Infinity];
  for (let mask = 0; mask < 1 << Math.max(0, n - 1); mask++) {
    let ok = true;
    let count = 0;
    let regs = 0;
    let start = 0;
    for (let i = 0; i < n && ok; i++) {
      const cut = i === n - 1 || (mask >> i) & 1;
      if (!cut) continue;
      const run = seg.slice(start, i + 1);
      const from = run[0]!.address;
      let end = from;
      for (const p of run) {
        if (p.address - end > maxGap) ok = false;
        end = Math.max(end, p.address + p.length);
      }
      if (end - from > max) ok = false;
      if (hole !== undefined && hole >= from && hole < end) ok = false;
      count++;
      regs += end - from;
      start = i + 1;
    }
    if (ok && (count < best[0] || (count === best[0] && regs < best[1]))) best = [count, regs];
  }
  return best;
}
