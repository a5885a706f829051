import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../helpers/backends.js';
import { startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { staffSignIn, type StaffClient } from '../helpers/staff-client.js';

const PW = 'bus-password-1';

export const ROUTE_1 = {
  name: '1号线',
  vehicleId: 'v1',
  stops: [
    { id: 'a', name: '幸福小区北门', lat: 31.2, lon: 121.4, morningAt: '07:10' },
    { id: 'b', name: '人民公园', lat: 31.21, lon: 121.41, morningAt: '07:20', handover: true },
    { id: 'school', name: '学校', lat: 31.22, lon: 121.42, morningAt: '07:40', depot: true },
  ],
};

/**
 * The bus model in the console: the transport manager creates and edits vehicles, routes,
 * assignments, stop changes, pickup persons and trips with versions; bad data and dangling
 * references are refused in zh-CN and English and change nothing.
 */
export function busRecordsContract(backend: Backend): void {
  describe(`bus records in the console on ${backend.name}`, () => {
    let cloud: TestCloud;
    let school: string;
    let other: string;
    let tm: StaffClient;
    const path = (kind: string, key: string) => `/schools/${school}/bus/${kind}/${key}`;

    beforeAll(async () => {
      cloud = await startTestCloud(backend);
      school = (await cloud.provisionEdge({ schoolName: '校车学校', site: 'bus-rec-a' })).schoolId;
      other = (await cloud.provisionEdge({ schoolName: '别的学校', site: 'bus-rec-b' })).schoolId;
      await cloud.records.write(school, [
        { kind: 'person', key: 's1', data: { name: '王小一', roles: ['student'], classId: '一年级1班' } },
        { kind: 'person', key: 't1', data: { name: '李老师', roles: ['teacher'] } },
      ]);
      await cloud.records.write(other, [{ kind: 'bus_vehicle', key: 'ov', data: { plate: '苏B99999', seats: 30, terminalPhone: '13900000077' } }]);
      expect((await cloud.admin('POST', `/schools/${school}/accounts`, { username: 'bus-admin', displayName: '管理员', password: PW })).status).toBe(201);
      const admin = await staffSignIn(cloud.url, 'bus-admin', PW);
      expect((await admin.call('POST', '/accounts', { username: 'bus-tm', displayName: '校车管理员', password: PW, roles: ['transport_manager'] })).status).toBe(201);
      tm = await staffSignIn(cloud.url, 'bus-tm', PW);
    }, 120_000);
    afterAll(async () => {
      await cloud?.dispose();
    });

    it('creates and edits the whole model with versions, and the change feed carries it', async () => {
      const before = (await cloud.records.changesAfter(school, 0, 1000)).cursor;
      const v = await tm.call('PUT', path('bus_vehicle', 'v1'), { data: { plate: '沪A12345', kind: 'primary', seats: 56, terminalPhone: '13912345678' }, version: null });
      expect(v.status, JSON.stringify(v.json)).toBe(200);
      const r = await tm.call('PUT', path('bus_route', 'r1'), { data: ROUTE_1, version: null });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect(r.json.record.data.stops[0].radiusM).toBe(60); // defaults applied
      for (const [kind, key, data] of [
        ['bus_assignment', 'as1', { personId: 's1', routeId: 'r1', stopId: 'a', direction: 'morning', from: '2026-09-01' }],
        ['bus_stop_change', 'sc1', { personId: 's1', routeId: 'r1', stopId: 'b', direction: 'afternoon', date: '2026-09-07' }],
        ['pickup_person', 'pp1', { studentId: 's1', name: '王奶奶', relation: '奶奶', phone: '13800000001' }],
        ['bus_trip', 't1', { routeId: 'r1', date: '2026-09-07', direction: 'morning', vehicleId: 'v1', driverId: 'd1', attendantId: 't1' }],
      ] as const) {
        const a = await tm.call('PUT', path(kind, key), { data, version: null });
        expect(a.status, `${kind}: ${JSON.stringify(a.json)}`).toBe(200);
      }
      const list = await tm.call('GET', `/schools/${school}/bus/bus_vehicle`);
      expect(list.json.records.map((x: { key: string }) => x.key)).toEqual(['v1']);
      // An edit based on the version read; a second edit on the stale version is 409 with the current record.
      const edit = await tm.call('PUT', path('bus_vehicle', 'v1'), { data: { plate: '沪A12345', kind: 'primary', seats: 50, terminalPhone: '13912345678' }, version: v.json.record.version });
      expect(edit.status).toBe(200);
      const stale = await tm.call('PUT', path('bus_vehicle', 'v1'), { data: { plate: '沪A12345', seats: 30 }, version: v.json.record.version });
      expect(stale.status).toBe(409);
      expect(stale.json.error.details.current.data.seats).toBe(50);
      const feed = await cloud.records.changesAfter(school, before, 1000);
      expect(feed.changes.map((c) => c.kind).sort()).toEqual(['bus_assignment', 'bus_route', 'bus_stop_change', 'bus_trip', 'bus_vehicle', 'pickup_person']);
      const audit = await cloud.db.query<{ action: string }>(`SELECT action FROM staff_audit WHERE actor_name = 'bus-tm' AND action LIKE 'bus.record.%'`);
      expect(audit.rows).toHaveLength(7);
    });

    it('refuses bad data in zh-CN and English, storing nothing', async () => {
      const before = (await cloud.records.changesAfter(school, 0, 1000)).cursor;
      const cases: [string, string, unknown, number, RegExp, RegExp][] = [
        ['bus_vehicle', 'k1', { plate: '沪A00045', kind: 'kindergarten', seats: 46 }, 400, /最多 45 座.*GB 24407/, /at most 45 seats on a kindergarten bus/],
        ['bus_vehicle', 'k2', { plate: '沪A00046', seats: 'many', colour: 'yellow' }, 400, /seats 类型错误.*未知字段 colour/, /seats: expected number.*Unknown field\(s\) colour/],
        ['bus_vehicle', 'k3', { plate: '沪A00047', seats: 30, terminalPhone: '12ab' }, 400, /terminalPhone 格式不正确/, /terminalPhone: wrong format/],
        ['bus_vehicle', 'k4', { plate: '沪A00048', seats: 30, terminalPhone: '013912345678' }, 409, /已登记在车辆 v1 上/, /already on vehicle v1/],
        ['bus_vehicle', 'k5', { plate: '沪A00049', seats: 30, terminalPhone: '13900000077' }, 409, /已登记在车辆 \(another school\)/, /another school/],
        ['bus_vehicle', 'k6', { plate: '沪A12345', seats: 30 }, 409, /车牌 沪A12345 已登记/, /Plate 沪A12345 is already on vehicle v1/],
        ['bus_route', 'r9', { ...ROUTE_1, vehicleId: 'nope' }, 400, /没有车辆 nope/, /no vehicle nope/],
        ['bus_route', 'r8', { ...ROUTE_1, stops: [ROUTE_1.stops[0], ROUTE_1.stops[0]] }, 400, /站点编号 a 重复/, /duplicate stop id a/],
        ['bus_route', 'r1', { ...ROUTE_1, stops: ROUTE_1.stops.slice(1) }, 409, /不能删除：stop a 仍被 bus_assignment as1 使用/, /stop a is still used by bus_assignment as1/],
        ['bus_assignment', 'x1', { personId: 's1', routeId: 'r1', stopId: 'zz', direction: 'morning', from: '2026-09-01' }, 400, /路线 r1 没有站点 zz/, /Route r1 has no stop zz/],
        ['bus_assignment', 'x2', { personId: 't1', routeId: 'r1', stopId: 'a', direction: 'morning', from: '2026-09-01' }, 400, /没有学生 t1/, /no student t1/],
        ['bus_assignment', 'x3', { personId: 's1', routeId: 'r1', stopId: 'a', direction: 'evening', from: '2026-09-01' }, 400, /direction 只能是 morning \| afternoon/, /must be one of/],
        ['pickup_person', 'x4', { studentId: 'ghost', name: '某人', relation: '邻居' }, 400, /没有学生 ghost/, /no student ghost/],
        ['bus_trip', 'x5', { routeId: 'r1', date: '2026-09-07', direction: 'morning', vehicleId: 'v404', driverId: 'd', attendantId: 'a' }, 400, /没有车辆 v404/, /no vehicle v404/],
      ];
      for (const [kind, key, data, status, zh, en] of cases) {
        const cur = await tm.call('GET', path(kind, key));
        const r = await tm.call('PUT', path(kind, key), { data, version: cur.status === 200 ? cur.json.version : null });
        expect(r.status, `${kind}/${key}: ${JSON.stringify(r.json)}`).toBe(status);
        expect(r.json.error.message['zh-CN'], `${kind}/${key}`).toMatch(zh);
        expect(r.json.error.message.en, `${kind}/${key}`).toMatch(en);
      }
      const bad = await tm.call('PUT', `/schools/${school}/bus/bus_bicycle/x`, { data: {}, version: null });
      expect(bad.status).toBe(400);
      expect((await cloud.records.changesAfter(school, before, 1000)).changes).toEqual([]);
      expect((await cloud.records.get(school, 'bus_route', 'r1'))!.stops).toHaveLength(3);
    });

    it('refuses to delete what other bus records name, deletes with the current version', async () => {
      const v = await tm.call('GET', path('bus_vehicle', 'v1'));
      const inUse = await tm.call('DELETE', `${path('bus_vehicle', 'v1')}?version=${v.json.version}`);
      expect(inUse.status).toBe(409);
      expect(inUse.json.error.message['zh-CN']).toMatch(/仍被 bus_route r1 使用/);
      const t = await tm.call('GET', path('bus_trip', 't1'));
      expect((await tm.call('DELETE', `${path('bus_trip', 't1')}?version=${t.json.version + 1}`)).status).toBe(409);
      expect((await tm.call('DELETE', `${path('bus_trip', 't1')}?version=${t.json.version}`)).status).toBe(200);
      expect(await cloud.records.get(school, 'bus_trip', 't1')).toBeNull();
      expect((await tm.call('DELETE', `${path('bus_trip', 't1')}?version=1`)).status).toBe(404);
      // Another school's bus is out of reach.
      expect((await tm.call('GET', `/schools/${other}/bus/bus_vehicle/ov`)).status).toBe(404);
    });
  });
}
