import { describe, expect, it } from 'vitest';
import type { BusRouteView, BusTrip } from '../../src/api/bus';
import type { PanelEvent } from '../../src/api/types';
import { currentOrNextStop, expectedAt, isRedScan } from '../../src/pages/bus/trip';

const route: BusRouteView = {
  id: 'R1',
  name: '1号线',
  stops: [
    { id: 'S1', name: '幸福小区', handover: true },
    { id: 'S2', name: '阳光花园' },
    { id: 'SCH', name: '学校', depot: true },
  ],
};
const trip = (over: Partial<BusTrip>): BusTrip => ({
  id: 't',
  routeId: 'R1',
  routeName: '1号线',
  direction: 'afternoon',
  date: '2026-09-07',
  status: 'open',
  openedAt: 0,
  closedAt: null,
  checkedAt: null,
  lastStopAt: null,
  onBoard: [],
  boarded: 0,
  alighted: 0,
  ...over,
});

describe('the attendant’s screen: stops and who is expected', () => {
  it('the afternoon runs the stops backwards: next after the school is 阳光花园, then 幸福小区, then none', () => {
    expect(currentOrNextStop(route, trip({ visits: [] }), null)?.stop.id).toBe('SCH');
    expect(currentOrNextStop(route, trip({ visits: [{ stopId: 'SCH', arrivedAt: 1, departedAt: 2 }] }), null)).toMatchObject({ stop: { id: 'S2' }, at: false });
    expect(currentOrNextStop(route, trip({ visits: [{ stopId: 'SCH', arrivedAt: 1, departedAt: 2 }] }), 'S1')).toMatchObject({ stop: { id: 'S1' }, at: true });
    expect(currentOrNextStop(route, trip({ visits: [{ stopId: 'S1', arrivedAt: 1, departedAt: null }] }), null)).toBeNull();
    expect(currentOrNextStop(route, trip({ direction: 'morning', visits: [{ stopId: 'S1', arrivedAt: 1, departedAt: 2 }] }), null)?.stop.id).toBe('S2');
  });

  it('expected: to get on in the morning (not yet aboard), to get off in the afternoon (aboard)', () => {
    const expected = [
      { personId: 'A', name: '甲', stopId: 'S1', onBoard: true, alighted: false, handover: true },
      { personId: 'B', name: '乙', stopId: 'S1', onBoard: false, alighted: false },
      { personId: 'C', name: '丙', stopId: 'S1', onBoard: false, alighted: true },
    ];
    expect(expectedAt(trip({ expected }), 'S1')).toEqual([{ personId: 'A', name: '甲', handover: true }]);
    expect(expectedAt(trip({ direction: 'morning', expected }), 'S1')).toEqual([{ personId: 'B', name: '乙', handover: false }]);
    expect(expectedAt(trip({ expected }), 'S2')).toEqual([]);
  });

  it('red scans: refusals, a child waiting for pickup, nobody came; not a boarding', () => {
    const ev = (type: string, reason: string, data: Record<string, unknown> = {}) => ({ type, reason, data }) as unknown as PanelEvent;
    expect(isRedScan(ev('bus.boarding', 'bus.refused.wrong_bus', { refused: true }))).toBe(true);
    expect(isRedScan(ev('bus.handover', 'bus.handover.waiting'))).toBe(true);
    expect(isRedScan(ev('bus.handover', 'bus.handover.failed'))).toBe(true);
    expect(isRedScan(ev('bus.boarding', 'bus.boarded'))).toBe(false);
    expect(isRedScan(ev('access.decision', 'access.denied', { refused: true }))).toBe(false);
  });
});
