import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteBackend } from '../helpers/backends.js';
import { seedSchool, startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { parentApi, signInGuardian } from '../helpers/parent-client.js';
import { BusBox, KM, ROUTE, today } from './bus-fixtures.js';

const SITE = 'parent-bus-box';
const MOTHER = '13600000011';
const OTHER_PARENT = '13600000019';

/**
 * The parent's live bus view: position and ETA for the child's stop only while the
 * child's trip runs; a guardian never sees a bus the child is not on (another route, the
 * other direction, after getting off, after the trip closed), and another family's child is 404.
 */
describe('parent live bus view', () => {
  let cloud: TestCloud;
  let sms: HttpSink;
  let school: string;
  let box: BusBox;
  let mother: string;
  let other: string;
  const view = (token: string, student: string) => parentApi(cloud.url, token, 'GET', `/children/${school}/${student}/bus`);

  beforeAll(async () => {
    sms = await startHttpSink();
    cloud = await startTestCloud(pgliteBackend, { channels: { sms: { url: sms.url } } });
    const edge = await seedSchool(cloud, SITE, { mother: MOTHER, father: '13600000012' });
    school = edge.schoolId;
    box = new BusBox(cloud, SITE, edge.credentials);
    const d = today();
    await cloud.records.write(school, [
      { kind: 'person', key: 'stu-2', data: { name: '李小红', roles: ['student'], classId: '三年级2班' } },
      { kind: 'person', key: 'stu-2-mother', data: { name: '王丽', roles: ['guardian'], phone: OTHER_PARENT } },
      { kind: 'guardianship', key: 'stu-2-g1', data: { studentId: 'stu-2', guardianId: 'stu-2-mother', relation: '母亲', mayPickUp: true, receivesNotices: true } },
      { kind: 'bus_vehicle', key: 'v1', data: { plate: '沪A12345', seats: 45 } },
      { kind: 'bus_vehicle', key: 'v2', data: { plate: '沪B22222', seats: 45 } },
      { kind: 'bus_route', key: 'r1', data: ROUTE },
      { kind: 'bus_route', key: 'r2', data: { ...ROUTE, name: '2号线', vehicleId: 'v2' } },
      { kind: 'bus_assignment', key: 'a1', data: { personId: 'stu-1', routeId: 'r1', stopId: 'b', direction: 'morning', from: '2026-01-01' } },
      { kind: 'bus_assignment', key: 'a2', data: { personId: 'stu-2', routeId: 'r2', stopId: 'b', direction: 'morning', from: '2026-01-01' } },
      { kind: 'bus_assignment', key: 'a3', data: { personId: 'stu-2', routeId: 'r1', stopId: 'a', direction: 'afternoon', from: '2026-01-01' } },
      { kind: 'bus_trip', key: 'plan-1', data: { routeId: 'r1', date: d, direction: 'morning', vehicleId: 'v1', driverId: 'd1', attendantId: 't1' } },
    ]);
    mother = await signInGuardian(cloud.url, sms, MOTHER);
    other = await signInGuardian(cloud.url, sms, OTHER_PARENT);
  }, 120_000);
  afterAll(async () => {
    await cloud?.dispose();
    await sms?.close();
  });

  it('shows nothing before the trip opens, then the bus and the ETA at the child’s stop', async () => {
    expect((await view(mother, 'stu-1')).json).toEqual({ running: false });
    // Fixes before the trip are not part of it.
    const now = Date.now();
    await box.positions('沪A12345', [{ at: now - 3_600_000, lat: 31.1, lon: 121.3, speedKmh: 0 }]);
    await box.open('trip-1', 'r1', 'morning');
    const waiting = (await view(mother, 'stu-1')).json;
    expect(waiting).toMatchObject({ running: true, trip: { tripId: 'trip-1', routeName: '1号线', direction: 'morning' }, vehicle: { plate: '沪A12345' }, child: { stopId: 'b', stopName: '人民公园', onBoard: false }, position: null, target: { stopId: 'b', etaAt: null } });
    // The bus 1 km before stop b at 36 km/h: about 1.3 km by road at 10 m/s.
    await box.positions('沪A12345', [
      { at: now - 2000, lat: 31.2 + 0.98 * KM, lon: 121.4, speedKmh: 36 },
      { at: now - 1000, lat: 31.2 + 1.0 * KM, lon: 121.4, speedKmh: 36 },
    ], 'trip-1');
    const live = (await view(mother, 'stu-1')).json;
    expect(live.position).toMatchObject({ lat: 31.2 + 1.0 * KM, source: 'edge', speedKmh: 36 });
    expect(live.stale).toBe(false);
    expect(live.target.stopName).toBe('人民公园');
    expect(live.target.seconds).toBeGreaterThanOrEqual(125);
    expect(live.target.seconds).toBeLessThanOrEqual(132);
    expect(live.stops.map((s: { id: string; reached: boolean }) => [s.id, s.reached])).toEqual([
      ['a', true], // behind the bus, though no arrival was reported
      ['b', false],
      ['school', false],
    ]);
  });

  it('never shows the bus to a guardian whose child is not on it, and 404 for another family’s child', async () => {
    // stu-2 rides route r2 in the morning (not running) and r1 only in the afternoon.
    expect(await view(other, 'stu-2')).toEqual({ status: 200, json: { running: false } });
    expect((await view(other, 'stu-1')).status).toBe(404);
    expect((await view(mother, 'stu-2')).status).toBe(404);
    // A stop change moves stu-1 to route r2 for today: r1's bus is no longer theirs.
    await cloud.records.write(school, [{ kind: 'bus_stop_change', key: 'sc1', data: { personId: 'stu-1', date: today(), direction: 'morning', routeId: 'r2', stopId: 'b' } }]);
    expect((await view(mother, 'stu-1')).json).toEqual({ running: false });
    await cloud.records.write(school, [{ kind: 'bus_stop_change', key: 'sc1', delete: true }]);
    expect((await view(mother, 'stu-1')).json.running).toBe(true);
  });

  it('follows the child on board to school, and stops showing the bus once the child got off or the trip closed', async () => {
    await box.arrived('trip-1', 'b', '人民公园');
    await box.ride('board', 'trip-1', 'stu-1', 'b', '人民公园');
    const onBoard = (await view(mother, 'stu-1')).json;
    expect(onBoard.child.onBoard).toBe(true);
    expect(onBoard.target.stopId).toBe('school');
    expect(onBoard.stops.map((s: { reached: boolean }) => s.reached)).toEqual([true, true, false]);
    // A card refused at the door is not a ride.
    await box.send([box.event('bus.alighting', 'bus.refused.not_on_board', { tripId: 'trip-1', refused: true, personName: '张小明' }, { subject: 'stu-1' })]);
    expect((await view(mother, 'stu-1')).json.running).toBe(true);
    await box.ride('alight', 'trip-1', 'stu-1', 'school', '学校');
    expect((await view(mother, 'stu-1')).json).toEqual({ running: false });
    // stu-2's afternoon trip on r1 later: not while the morning one runs, and after it closes only its own.
    await box.close('trip-1', 'r1');
    expect((await view(other, 'stu-2')).json).toEqual({ running: false });
    await box.open('trip-2', 'r1', 'afternoon');
    const pm = (await view(other, 'stu-2')).json;
    expect(pm).toMatchObject({ running: true, trip: { tripId: 'trip-2', direction: 'afternoon' }, child: { stopId: 'a' } });
    expect(pm.stops.map((s: { id: string }) => s.id)).toEqual(['school', 'b', 'a']);
    expect((await view(mother, 'stu-1')).json).toEqual({ running: false });
  });
});
