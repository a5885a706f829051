import ExcelJS from 'exceljs';
import { haversineM } from '@campus/protocol/bus/eta';
import { wgs84ToGcj02 } from '@campus/protocol/bus/gcj02';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../helpers/backends.js';
import { startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { staffSignIn, type StaffClient } from '../helpers/staff-client.js';
import { BusBox, KM, ROUTE, today } from './bus-fixtures.js';

const PW = 'bus-fleet-pw-1';
const SITE = 'bus-fleet-box';
/** School time (Asia/Shanghai) on a date → ms. */
const at = (date: string, hhmm: string) => Date.parse(`${date}T${hhmm}:00+08:00`);

/**
 * The transport manager's live view of all buses (route schematic data) and the trip
 * reports built from what a bus box uploaded: scheduled vs actual at each stop, boarded
 * vs expected, overspeed, the end-of-trip check; list, detail and the Excel workbook.
 */
export function busFleetReportsContract(backend: Backend): void {
  describe(`bus live view and trip reports on ${backend.name}`, () => {
    let cloud: TestCloud;
    let school: string;
    let box: BusBox;
    let tm: StaffClient;
    let teacher: StaffClient;
    // A morning trip of a past day at 07:00–07:50 school time: at least four hours ago, whenever this runs.
    const D = today(Date.now() - 12 * 3600_000);

    beforeAll(async () => {
      cloud = await startTestCloud(backend, { busMap: { url: 'https://tiles.example.cn/{z}/{x}/{y}.png', coords: 'gcj02' } });
      const edge = await cloud.provisionEdge({ schoolName: '车队学校', site: SITE });
      school = edge.schoolId;
      box = new BusBox(cloud, SITE, edge.credentials);
      await cloud.records.write(school, [
        { kind: 'bus_vehicle', key: 'v1', data: { plate: '沪A12345', seats: 45 } },
        { kind: 'bus_vehicle', key: 'v2', data: { plate: '沪B22222', seats: 45 } },
        { kind: 'bus_route', key: 'r1', data: ROUTE },
      ]);
      expect((await cloud.admin('POST', `/schools/${school}/accounts`, { username: 'bf-admin', displayName: '管理员', password: PW })).status).toBe(201);
      const admin = await staffSignIn(cloud.url, 'bf-admin', PW);
      expect((await admin.call('POST', '/accounts', { username: 'bf-tm', displayName: '校车管理员', password: PW, roles: ['transport_manager'] })).status).toBe(201);
      expect((await admin.call('POST', '/accounts', { username: 'bf-t', displayName: '老师', password: PW, roles: ['teacher'] })).status).toBe(201);
      tm = await staffSignIn(cloud.url, 'bf-tm', PW);
      teacher = await staffSignIn(cloud.url, 'bf-t', PW);

      // The past trip, as the bus box uploads it.
      const ev = (type: string, reason: string, hhmm: string, data: Record<string, unknown>, subject?: string) =>
        box.event(type, reason, { tripId: 'past-1', routeId: 'r1', ...data }, { occurredAt: at(D, hhmm), ...(subject ? { subject } : {}) });
      await box.send([
        ev('bus.trip', 'bus.trip.opened', '07:00', { routeName: '1号线', direction: 'morning', date: D, expected: 3 }),
        ev('bus.stop', 'bus.stop.arrived', '07:13', { stopId: 'a', stopName: '幸福小区北门', scheduledAt: '07:10', last: false }),
        ev('bus.boarding', 'bus.boarded', '07:14', { stopId: 'a', stopName: '幸福小区北门', personName: '张小明' }, 'stu-1'),
        ev('bus.boarding', 'bus.refused.wrong_bus', '07:14', { stopId: 'a', personName: '李小红', expectedRoute: '2号线', refused: true }, 'stu-2'),
        ev('bus.boarding', 'bus.boarded.manual', '07:15', { stopId: 'a', stopName: '幸福小区北门', personName: '王小三', by: '李老师', why: '卡丢了' }, 'stu-3'),
        ev('bus.stop', 'bus.stop.departed', '07:16', { stopId: 'a', stopName: '幸福小区北门' }),
        ev('bus.overspeed', 'bus.overspeed.started', '07:18', { speedKmh: 67, limitKmh: 60, lat: 31.21, lon: 121.4 }),
        ev('bus.overspeed', 'bus.overspeed.ended', '07:19', { maxKmh: 72, limitKmh: 60, seconds: 50 }),
        ev('bus.stop', 'bus.stop.arrived', '07:19', { stopId: 'b', stopName: '人民公园', scheduledAt: '07:20', last: false }),
        ev('bus.stop', 'bus.stop.departed', '07:21', { stopId: 'b', stopName: '人民公园' }),
        ev('bus.stop', 'bus.stop.arrived', '07:42', { stopId: 'school', stopName: '学校', scheduledAt: '07:40', last: true }),
        ev('bus.alighting', 'bus.alighted', '07:43', { stopId: 'school', stopName: '学校', personName: '张小明' }, 'stu-1'),
        ev('bus.alighting', 'bus.alighted', '07:43', { stopId: 'school', stopName: '学校', personName: '王小三' }, 'stu-3'),
        ev('bus.check', 'bus.check.done', '07:47', { lastStopAt: at(D, '07:42'), minutesAfterLastStop: 5 }),
        ev('bus.trip', 'bus.trip.closed', '07:48', { routeName: '1号线', direction: 'morning', date: D, boarded: 2, checkedAt: at(D, '07:47') }),
      ]);
    }, 120_000);
    afterAll(async () => {
      await cloud?.dispose();
    });

    it('reports a trip: scheduled vs actual at each stop, boarded vs expected, overspeed, check time', async () => {
      const list = await tm.call('GET', `/schools/${school}/bus-reports?from=${D}&until=${D}`);
      expect(list.status, JSON.stringify(list.json)).toBe(200);
      expect(list.json.trips).toHaveLength(1);
      expect(list.json.trips[0]).toMatchObject({
        tripId: 'past-1', routeName: '1号线', direction: 'morning', date: D, expected: 3, boarded: 2, alighted: 2, refusals: 1,
        overspeeds: 1, maxSpeedKmh: 72, stopsLate: 0, lastStopAt: at(D, '07:42'), checkedAt: at(D, '07:47'), checkMinutes: 5, checkMissed: false, closedAt: at(D, '07:48'),
      });
      const one = await tm.call('GET', `/schools/${school}/bus-reports/past-1`);
      expect(one.json.trip.stops).toEqual([
        { stopId: 'a', stopName: '幸福小区北门', scheduled: '07:10', arrivedAt: at(D, '07:13'), departedAt: at(D, '07:16'), delayMin: 3, boarded: 2, alighted: 0 },
        { stopId: 'b', stopName: '人民公园', scheduled: '07:20', arrivedAt: at(D, '07:19'), departedAt: at(D, '07:21'), delayMin: -1, boarded: 0, alighted: 0 },
        { stopId: 'school', stopName: '学校', scheduled: '07:40', arrivedAt: at(D, '07:42'), departedAt: null, delayMin: 2, boarded: 0, alighted: 2 },
      ]);
      expect(one.json.trip.overspeed).toEqual([{ at: at(D, '07:18'), speedKmh: 67, limitKmh: 60, maxKmh: 72, seconds: 50 }]);
      expect(one.json.trip.refused).toEqual([{ at: at(D, '07:14'), reason: 'bus.refused.wrong_bus', personName: '李小红', text: { 'zh-CN': '坐错车：李小红 应乘坐 2号线', en: 'Wrong bus: 李小红 rides 2号线' } }]);
      expect(one.json.trip.rides.filter((r: { manual: boolean }) => r.manual).map((r: { personName: string }) => r.personName)).toEqual(['王小三']);
      // Other days: nothing; bad ranges: clear refusals.
      const before = today(at(D, '12:00') - 86_400_000);
      expect((await tm.call('GET', `/schools/${school}/bus-reports?from=${before}&until=${before}`)).json.trips).toEqual([]);
      const back = await tm.call('GET', `/schools/${school}/bus-reports?from=${D}&until=${before}`);
      expect(back.status).toBe(400);
      expect(back.json.error.message['zh-CN']).toBe('结束日期不能早于开始日期');
      expect((await tm.call('GET', `/schools/${school}/bus-reports?from=2026-01-01&until=2026-12-31`)).json.error.message['zh-CN']).toBe('报表最多覆盖 92 天');
      expect((await tm.call('GET', `/schools/${school}/bus-reports?from=yesterday&until=${D}`)).status).toBe(400);
      expect((await tm.call('GET', `/schools/${school}/bus-reports/nope`)).status).toBe(404);
      expect((await teacher.call('GET', `/schools/${school}/bus-reports?from=${D}&until=${D}`)).status).toBe(403);
    });

    it('exports the reports as an Excel workbook (trips and stops)', async () => {
      const cookie = tm.cookie ?? '';
      const res = await fetch(`${cloud.url}/api/staff/schools/${school}/bus-report-export?from=${D}&until=${D}`, { headers: { cookie } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('spreadsheetml');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
      const trips = wb.getWorksheet('行程')!;
      expect(trips.getRow(1).getCell(1).value).toBe('日期');
      expect(trips.getRow(2).values).toEqual(expect.arrayContaining([D, '1号线', '早', 'past-1', 3, 2, 2, 1, 1, 72, 0, 5, '否']));
      const stops = wb.getWorksheet('站点')!;
      expect(stops.rowCount).toBe(4);
      expect(stops.getRow(2).values).toEqual(expect.arrayContaining(['幸福小区北门', '07:10', 3, 2, 0]));
    });

    it('shows every running bus along its route for the schematic, idle vehicles apart, and the map tiles', async () => {
      const d = today();
      const now = Date.now();
      expect((await tm.call('GET', `/schools/${school}/bus-fleet`)).json.routes[0].buses).toEqual([]);
      await box.send([box.event('bus.trip', 'bus.trip.opened', { tripId: 'live-1', routeId: 'r1', routeName: '1号线', direction: 'morning', date: d, expected: 2 }, { occurredAt: now - 600_000 })]);
      await box.send([box.event('bus.stop', 'bus.stop.arrived', { tripId: 'live-1', routeId: 'r1', stopId: 'a', stopName: '幸福小区北门', last: false }, { occurredAt: now - 300_000 })]);
      await box.ride('board', 'live-1', 'stu-1', 'a', '幸福小区北门', now - 290_000);
      await box.ride('board', 'live-1', 'stu-3', 'a', '幸福小区北门', now - 280_000);
      await box.ride('alight', 'live-1', 'stu-3', 'a', '幸福小区北门', now - 270_000);
      // A quarter of the way from a to b (b is 2 km north of a).
      await box.positions('沪A12345', [{ at: now - 5_000, lat: 31.2 + 0.5 * KM, lon: 121.4, speedKmh: 30 }], 'live-1');
      const f = await tm.call('GET', `/schools/${school}/bus-fleet`);
      expect(f.status, JSON.stringify(f.json)).toBe(200);
      expect(f.json.map).toEqual({ url: 'https://tiles.example.cn/{z}/{x}/{y}.png', coords: 'gcj02' });
      expect(f.json.date).toBe(d);
      const r = f.json.routes[0];
      expect(r.stops.map((s: { id: string }) => s.id)).toEqual(['a', 'b', 'school']);
      expect(r.buses).toHaveLength(1);
      const bus = r.buses[0];
      expect(bus).toMatchObject({ vehicleId: 'v1', plate: '沪A12345', tripId: 'live-1', direction: 'morning', reached: 0, onBoard: 1, boarded: 2, stale: false });
      expect(bus.between).toBeCloseTo(0.25, 2);
      expect(bus.position).toMatchObject({ lat: 31.2 + 0.5 * KM, lon: 121.4, speedKmh: 30 });
      // The map (GCJ-02 tiles) draws the bus and the stops shifted by the national offset; the position itself stays WGS-84.
      expect(bus.position.draw).toEqual(wgs84ToGcj02(bus.position.lat, bus.position.lon));
      const shift = haversineM(bus.position.lat, bus.position.lon, bus.position.draw.lat, bus.position.draw.lon);
      expect(shift).toBeGreaterThan(100);
      expect(shift).toBeLessThan(1000);
      expect(r.stops[0].draw).toEqual(wgs84ToGcj02(31.2, 121.4));
      expect(f.json.idle.map((b: { plate: string }) => b.plate)).toEqual(['沪B22222']);
      expect((await teacher.call('GET', `/schools/${school}/bus-fleet`)).status).toBe(403);
      // Closed: off the live view.
      await box.close('live-1', 'r1');
      expect((await tm.call('GET', `/schools/${school}/bus-fleet`)).json.routes[0].buses).toEqual([]);
    });
  });
}
