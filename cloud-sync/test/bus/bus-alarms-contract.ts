import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../helpers/backends.js';
import { startTestCloud, waitFor, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { staffSignIn, type StaffClient } from '../helpers/staff-client.js';
import { BusBox, ROUTE, today } from './bus-fixtures.js';

const PW = 'alarm-password-1';
const ATTENDANT = '13700000101';
const MANAGER = '13700000102';
const PRINCIPAL = '13700000103';
const STEP_MS = 1500;

/**
 * Bus safety alarms escalate attendant → transport manager → principal (school admin),
 * one queued job per step (pg-boss on PostgreSQL, the job table on PGlite), by SMS on
 * the safety lane; acknowledging stops the chain; a resent alarm event raises nothing new.
 */
export function busAlarmsContract(backend: Backend): void {
  describe(`bus alarm escalation on ${backend.name}`, () => {
    let cloud: TestCloud;
    let sms: HttpSink;
    let box: BusBox;
    let school: string;
    let manager: StaffClient;
    let teacher: StaffClient;
    const smsTo = (phone: string, alarm: RegExp) => sms.received.filter((m) => m.body?.to === phone && m.body?.kind === 'alarm' && alarm.test(String(m.body.text)));

    beforeAll(async () => {
      sms = await startHttpSink();
      cloud = await startTestCloud(backend, { channels: { sms: { url: sms.url } }, busAlarms: { stepMs: STEP_MS } });
      const edge = await cloud.provisionEdge({ schoolName: '警报学校', site: `alarm-box-${backend.name}` });
      school = edge.schoolId;
      box = new BusBox(cloud, `alarm-box-${backend.name}`, edge.credentials);
      await cloud.records.write(school, [
        { kind: 'person', key: 't-att', data: { name: '周老师', roles: ['teacher'], phone: ATTENDANT } },
        { kind: 'bus_vehicle', key: 'v1', data: { plate: '沪A12345', seats: 45 } },
        { kind: 'bus_route', key: 'r1', data: ROUTE },
        { kind: 'bus_trip', key: 'plan', data: { routeId: 'r1', date: today(), direction: 'morning', vehicleId: 'v1', driverId: 'd1', attendantId: 't-att' } },
      ]);
      expect((await cloud.admin('POST', `/schools/${school}/accounts`, { username: 'alarm-admin', displayName: '王校长', password: PW, phone: PRINCIPAL })).status).toBe(201);
      const admin = await staffSignIn(cloud.url, 'alarm-admin', PW);
      expect((await admin.call('POST', '/accounts', { username: 'alarm-tm', displayName: '校车管理员', password: PW, roles: ['transport_manager'], phone: MANAGER })).status).toBe(201);
      expect((await admin.call('POST', '/accounts', { username: 'alarm-teacher', displayName: '周老师', password: PW, roles: ['teacher'] })).status).toBe(201);
      manager = await staffSignIn(cloud.url, 'alarm-tm', PW);
      teacher = await staffSignIn(cloud.url, 'alarm-teacher', PW);
      await box.open('trip-9', 'r1', 'morning');
    }, 180_000);
    afterAll(async () => {
      await cloud?.dispose();
      await sms?.close();
    });

    it('escalates a missed end-of-trip check step by step until the principal is told', async () => {
      const missed = box.event('bus.check', 'bus.check.missed', { tripId: 'trip-9', routeId: 'r1', routeName: '1号线', minutes: 10, lastStopAt: Date.now() - 600_000, aboard: [] }, { priority: 0, severity: 'critical' });
      const t0 = Date.now();
      await box.send([missed]);
      const first = await waitFor(() => smsTo(ATTENDANT, /到达终点 10 分钟后仍未完成车内清点检查（1号线）/)[0], 'attendant told', 20_000);
      expect(String(first.body.text)).toMatch(/^【校车安全警报·第1级·随车照管人员】/);
      await waitFor(() => smsTo(MANAGER, /第2级·校车管理员/).length === 1, 'transport manager told', 20_000);
      await waitFor(() => smsTo(PRINCIPAL, /第3级·校长\/学校管理员/).length === 1, 'principal told', 20_000);
      // Each step waited for the one before (the step time), none came early.
      expect(Date.now() - t0).toBeGreaterThanOrEqual(2 * STEP_MS);
      // A resent batch (lost acknowledgement at the edge) raises nothing new.
      await box.send([missed]);
      await new Promise((r) => setTimeout(r, STEP_MS * 2));
      expect(smsTo(ATTENDANT, /仍未完成车内清点检查/)).toHaveLength(1);
      expect(smsTo(PRINCIPAL, /仍未完成车内清点检查/)).toHaveLength(1);
      const list = (await manager.call('GET', `/schools/${school}/bus-alarms`)).json.alarms;
      const a = list.find((x: { id: string }) => x.id === missed.id);
      expect(a).toMatchObject({ kind: 'check_missed', level: 2, levelRole: 'school_admin', acknowledgedAt: null });
      expect(a.steps.map((s: { level: number; role: string; target: string; status: string }) => [s.level, s.role, s.target, s.status])).toEqual([
        [0, 'attendant', ATTENDANT, 'sent'],
        [1, 'transport_manager', MANAGER, 'sent'],
        [2, 'school_admin', PRINCIPAL, 'sent'],
      ]);
    }, 90_000);

    it('stops escalating once someone acknowledges', async () => {
      const failed = box.event('bus.handover', 'bus.handover.failed', { tripId: 'trip-9', routeId: 'r1', routeName: '1号线', personName: '张小明', stopName: '人民公园' }, { priority: 0, severity: 'critical', subject: 'stu-1' });
      await box.send([failed]);
      await waitFor(() => smsTo(ATTENDANT, /张小明 在 人民公园 无人接（1号线）/).length === 1, 'attendant told', 20_000);
      // The attendant (a teacher account) acknowledges before the step time is up.
      const ack = await teacher.call('POST', `/schools/${school}/bus-alarms/${failed.id}/ack`);
      expect(ack.status, JSON.stringify(ack.json)).toBe(200);
      expect(ack.json.alarm).toMatchObject({ acknowledgedBy: 'alarm-teacher', level: 0 });
      await new Promise((r) => setTimeout(r, STEP_MS * 3));
      expect(smsTo(MANAGER, /无人接/)).toEqual([]);
      expect(smsTo(PRINCIPAL, /无人接/)).toEqual([]);
      // Acknowledging twice changes nothing; an unknown alarm is 404 in both languages.
      expect((await manager.call('POST', `/schools/${school}/bus-alarms/${failed.id}/ack`)).json.alarm.acknowledgedBy).toBe('alarm-teacher');
      const unknown = await manager.call('POST', `/schools/${school}/bus-alarms/01890000-0000-7000-8000-000000000000/ack`);
      expect(unknown.status).toBe(404);
      expect(unknown.json.error.message['zh-CN']).toBe('没有这条校车警报');
    }, 60_000);
  });
}
