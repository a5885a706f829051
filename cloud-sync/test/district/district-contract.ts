import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventEnvelope } from '@campus/protocol';
import { DistrictReportSchema } from '@campus/protocol/district/report';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import { attendanceEvent, makeEvent } from '@campus/testkit';
import type { Backend } from '../helpers/backends.js';
import { startTestCloud, waitFor, type Json, type TestCloud } from '../helpers/cloud.js';
import { gatePass } from '../helpers/events.js';
import { signedSend } from '../helpers/signed-request.js';
import { staffSignIn, type StaffClient } from '../helpers/staff-client.js';

const PW = 'district-password-1';
const DAY = '2026-11-02';
/** 09:00 in Shanghai on DAY. */
const AT = Date.UTC(2026, 10, 2, 1, 0);
const RANGE = '?from=2026-11-01&to=2026-11-05';

type Edge = Awaited<ReturnType<TestCloud['provisionEdge']>>;

/** A school day's events, as the edges upload them (entries by the school's roster students `<roster>-<n>`). */
function dayOf(site: string, roster: string, o: { entries: number; refused: number; forced: number; late: number; absent: number; wh: [number, number][]; usb: number }): EventEnvelope[] {
  const ev: EventEnvelope[] = [];
  for (let i = 0; i < o.entries; i++) ev.push(gatePass(site, `${roster}-${i}`, 'in', { occurredAt: AT + i * 1000 }));
  // A second entry of a pupil the same day (out for lunch and back): an entry, not a second pupil present.
  if (o.entries) ev.push(gatePass(site, `${roster}-0`, 'in', { occurredAt: AT + 3 * 3600_000 }));
  for (let i = 0; i < o.refused; i++) ev.push(gatePass(site, `${site}-x-${i}`, 'in', { occurredAt: AT, decision: { granted: false, opened: 'closed' } }));
  for (let i = 0; i < o.forced; i++) ev.push(makeEvent(site, { type: 'access.passage', reason: 'access.passage.unexpected', occurredAt: AT, data: { gate: 'g-east', outcome: 'unexpected', personId: null } }));
  for (let i = 0; i < o.late; i++) ev.push(attendanceEvent(site, `${site}-late-${i}`, 'late', { day: DAY, personName: '迟到的孩子' }, { occurredAt: AT }));
  for (let i = 0; i < o.absent; i++) ev.push(attendanceEvent(site, `${site}-abs-${i}`, 'absent', { day: DAY, personName: '缺勤的孩子' }, { occurredAt: AT }));
  if (o.wh.length) ev.push(makeEvent(site, { type: 'energy.rollup.hour', reason: 'energy.rollup.hour', occurredAt: AT, data: { hour: AT, hourText: `${DAY} 09:00`, meters: o.wh.length, m: o.wh.map(([wh, after], i) => [`m${i}`, wh, after, 100, 200]) } }));
  for (let i = 0; i < o.usb; i++) ev.push(makeEvent(site, { type: 'usb.blocked', reason: 'usb.blocked.mass_storage', occurredAt: AT, subject: `pc-${i}`, data: {} }));
  return ev;
}

/**
 * The district view: a daily roll-up per school kept on ingest (each event once, however
 * often it is resent), rebuilt from the events by a job, read as counts and rates over the
 * caller's schools only, exported to Excel and audited; a district viewer never writes.
 */
export function districtContract(backend: Backend): void {
  describe(`district view on ${backend.name}`, () => {
    let cloud: TestCloud;
    let a: Edge;
    let b: Edge;
    let c: Edge;
    let edu: StaffClient;
    let viewer: StaffClient;
    let adminA: StaffClient;
    let teacherA: StaffClient;
    let districtId: string;
    const ingest = async (edge: Edge, events: EventEnvelope[]) => {
      const r = await signedSend(cloud.url, edge.credentials, 'POST', INGEST_PATH, JSON.stringify({ events }));
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      return r.json as { accepted: number; duplicates: number };
    };
    const students = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ kind: 'person' as const, key: `${prefix}-${i}`, data: { name: `学生${prefix}${i}`, roles: ['student' as const], classId: '一年级1班' } }));
    const figures = (r: Json, id: string) => (r.schools as Json[]).find((s) => s.schoolId === id);
    let batchA: EventEnvelope[];

    beforeAll(async () => {
      cloud = await startTestCloud(backend);
      a = await cloud.provisionEdge({ schoolName: '区甲校', site: 'dist-a' });
      b = await cloud.provisionEdge({ schoolName: '区乙校', site: 'dist-b' });
      c = await cloud.provisionEdge({ schoolName: '外区丙校', site: 'dist-c' });
      await cloud.records.write(a.schoolId, [...students(10, 'a'), { kind: 'person', key: 'a-left', data: { name: '已离校', roles: ['student'], active: false } }, { kind: 'person', key: 't', data: { name: '老师', roles: ['teacher'] } }]);
      await cloud.records.write(b.schoolId, students(5, 'b'));
      await cloud.records.write(c.schoolId, students(7, 'c'));
      const d = await cloud.admin('POST', '/districts', { name: '某区教育局', schoolIds: [a.schoolId, b.schoolId] });
      districtId = d.json.id;
      await cloud.admin('POST', `/districts/${districtId}/accounts`, { username: 'dist-edu', displayName: '教育局', password: PW });
      await cloud.admin('POST', `/schools/${a.schoolId}/accounts`, { username: 'dist-admin-a', displayName: '甲校管理员', password: PW });
      edu = await staffSignIn(cloud.url, 'dist-edu', PW);
      adminA = await staffSignIn(cloud.url, 'dist-admin-a', PW);
      expect((await edu.call('POST', '/accounts', { username: 'dist-viewer', displayName: '查看', password: PW, roles: ['district_viewer'] })).status).toBe(201);
      expect((await adminA.call('POST', '/accounts', { username: 'dist-teacher', displayName: '教师', password: PW, roles: ['teacher'] })).status).toBe(201);
      viewer = await staffSignIn(cloud.url, 'dist-viewer', PW);
      teacherA = await staffSignIn(cloud.url, 'dist-teacher', PW);
      batchA = dayOf('dist-a', 'a', { entries: 8, refused: 2, forced: 1, late: 1, absent: 2, wh: [[5000, 1000], [3000, 0]], usb: 3 });
      await ingest(a, batchA);
      await ingest(b, dayOf('dist-b', 'b', { entries: 4, refused: 0, forced: 0, late: 0, absent: 1, wh: [[2000, 500]], usb: 0 }));
      await ingest(c, dayOf('dist-c', 'c', { entries: 7, refused: 5, forced: 0, late: 3, absent: 0, wh: [], usb: 9 }));
    }, 120_000);
    afterAll(async () => {
      await cloud?.dispose();
    });

    it('reports attendance, late and absence rates, gate incidents, energy per pupil, after-hours and USB per school of the district', async () => {
      const r = await edu.call('GET', `/district/report${RANGE}`);
      expect(r.status, JSON.stringify(r.json)).toBe(200);
      expect(r.json.schools.map((s: Json) => s.name)).toEqual(['区乙校', '区甲校'].sort((x, y) => x.localeCompare(y)));
      expect(figures(r.json, a.schoolId)).toEqual({
        schoolId: a.schoolId,
        name: '区甲校',
        students: 10,
        schoolDays: 1,
        present: 8,
        attendanceRate: 0.8,
        absenceRate: 0.2,
        lateRate: 0.125,
        late: 1,
        absent: 2,
        leftEarly: 0,
        entries: 9,
        gateIncidents: 3,
        gateRefused: 2,
        gateForced: 1,
        fireAlarms: 0,
        energyKwh: 8,
        energyKwhPerPupil: 0.8,
        afterHoursKwh: 1,
        afterHoursShare: 0.125,
        usbBlocked: 3,
        busArrivals: 0,
        busOnTime: 0,
        busPunctuality: null,
        repairsOpened: 0,
        repairsDone: 0,
        repairsConfirmed: 0,
        repairsSlaBreached: 0,
        repairRating: null,
      });
      expect(figures(r.json, b.schoolId)).toMatchObject({ students: 5, attendanceRate: 0.8, energyKwh: 2, energyKwhPerPupil: 0.4, afterHoursShare: 0.25, usbBlocked: 0 });
      expect(r.json.total).toMatchObject({ schools: 2, students: 15, absent: 3, attendanceRate: 0.8, energyKwh: 10, usbBlocked: 3, gateIncidents: 3 });
      expect(r.json.months).toEqual([{ month: '2026-11', attendanceRate: 0.8, lateRate: 0.0833, energyKwh: 10, afterHoursKwh: 1.5, gateIncidents: 3, usbBlocked: 3, busPunctuality: null, repairsOpened: 0 }]);
      // No bus box and no work orders yet: the report says so rather than showing zeros as facts.
      expect(r.json.unavailable.map((u: Json) => u.id)).toEqual(['district.unavailable.bus', 'district.unavailable.repairs']);
      expect(r.json.unavailable[0].text['zh-CN']).toContain('校车');
      expect(DistrictReportSchema.parse(r.json)).toEqual(r.json);
      // Counts only: no child's id or name leaves the school's scope.
      const text = JSON.stringify(r.json);
      for (const personal of ['dist-a-stu-0', 'dist-a-abs-0', '迟到的孩子', '缺勤的孩子', '学生a0']) expect(text).not.toContain(personal);
      expect(text).not.toContain('外区丙校');
    });

    it('counts an event once however often the edge resends it, and a rebuild from the events gives the same figures', async () => {
      const before = (await edu.call('GET', `/district/report${RANGE}`)).json;
      expect((await ingest(a, batchA)).duplicates).toBe(batchA.length);
      expect((await edu.call('GET', `/district/report${RANGE}`)).json).toEqual(before);
      await cloud.db.query('UPDATE district_daily SET late = 99, usb_blocked = 0 WHERE school_id = $1', [a.schoolId]);
      expect(figures((await edu.call('GET', `/district/report${RANGE}`)).json, a.schoolId).late).toBe(99);
      const r = await edu.call('POST', '/district/rollup/rebuild', {});
      expect(r.status).toBe(202);
      expect(r.json).toEqual({ queued: 2 });
      await waitFor(async () => (figures((await edu.call('GET', `/district/report${RANGE}`)).json, a.schoolId).late === 1 ? true : undefined), 'rebuilt', 30_000);
      expect((await edu.call('GET', `/district/report${RANGE}`)).json).toEqual(before);
    });

    it('counts attendance exactly from entries (a teacher, a visitor key or a repeat never adds a pupil), bus punctuality from timed stop arrivals and repair KPIs from work orders', async () => {
      const DAY2 = '2026-11-03';
      const at = (hhmm: string) => Date.parse(`${DAY2}T${hhmm}:00+08:00`);
      const events: EventEnvelope[] = [
        gatePass('dist-b', 'b-0', 'in', { occurredAt: at('07:50') }),
        gatePass('dist-b', 'b-1', 'in', { occurredAt: at('07:51') }),
        gatePass('dist-b', 'b-1', 'in', { occurredAt: at('12:30') }),
        gatePass('dist-b', 't', 'in', { occurredAt: at('07:30') }), // not a student of b
        gatePass('dist-b', 'visitor-9', 'in', { occurredAt: at('09:00') }),
        // Bus stops: on time (early, exact, 5 min late) and late (6 min); one without a timetable time is not judged.
        ...[['07:08', '07:10'], ['07:20', '07:20'], ['07:45', '07:40'], ['07:56', '07:50'], ['08:00', null]].map(([reached, scheduled]) =>
          makeEvent('dist-b', { type: 'bus.stop', reason: 'bus.stop.arrived', source: 'gps', occurredAt: at(reached!), data: { tripId: 't1', stopId: `s-${reached}`, stopName: '站', routeId: 'r1', scheduledAt: scheduled, last: false } }),
        ),
        // Work orders: two submitted, one done and confirmed with rating 4, one SLA breach.
        ...[['submitted', null], ['submitted', null], ['done', null], ['confirmed', 4]].map(([state, rating], i) =>
          makeEvent('dist-b', { type: 'facilities.workorder.changed', reason: `facilities.workorder.${state}`, source: 'facilities.orders', subject: `WO-${i}`, occurredAt: at('10:00'), data: { orderId: `WO-${i}`, state, rating, priority: 'normal', place: '三楼走廊', description: '灯不亮' } }),
        ),
        makeEvent('dist-b', { type: 'facilities.workorder.escalated', reason: 'facilities.sla.fix_breached', source: 'facilities.orders', subject: 'WO-1', occurredAt: at('11:00'), data: { orderId: 'WO-1', sla: 'fix', minutes: 60 } }),
      ];
      await cloud.records.write(b.schoolId, [{ kind: 'person', key: 't', data: { name: '乙校老师', roles: ['teacher'] } }]);
      await ingest(b, events);
      const r = (await edu.call('GET', `/district/report?from=${DAY2}&to=${DAY2}&schoolIds=${b.schoolId}`)).json;
      expect(figures(r, b.schoolId)).toMatchObject({
        students: 5,
        schoolDays: 1,
        entries: 5,
        present: 2,
        attendanceRate: 0.4,
        busArrivals: 4,
        busOnTime: 3,
        busPunctuality: 0.75,
        repairsOpened: 2,
        repairsDone: 1,
        repairsConfirmed: 1,
        repairsSlaBreached: 1,
        repairRating: 4,
      });
      expect(r.unavailable).toEqual([]);
      expect(r.months).toEqual([expect.objectContaining({ month: '2026-11', busPunctuality: 0.75, repairsOpened: 2, attendanceRate: 0.4 })]);
      expect(DistrictReportSchema.parse(r)).toEqual(r);
      // Counts only: the work orders' places, the pupils' keys and names stay in the school.
      for (const personal of ['b-0', 'b-1', '三楼走廊', 'WO-1', 'visitor-9']) expect(JSON.stringify(r)).not.toContain(personal);
      // A rebuild from the stored events gives the same figures.
      await cloud.db.query('DELETE FROM district_presence WHERE school_id = $1', [b.schoolId]);
      await cloud.db.query('UPDATE district_daily_kpi SET present = 0, bus_on_time = 0 WHERE school_id = $1', [b.schoolId]);
      expect(await cloud.openData.rollup.rebuild(b.schoolId)).toBeGreaterThan(0);
      expect((await edu.call('GET', `/district/report?from=${DAY2}&to=${DAY2}&schoolIds=${b.schoolId}`)).json).toEqual(r);
    });

    it("keeps every caller within its reach: a viewer never writes, a school admin sees only their school, another district's school is 404", async () => {
      const v = await viewer.call('GET', `/district/report${RANGE}`);
      expect(v.status).toBe(200);
      expect(v.json.schools).toHaveLength(2);
      const write = await viewer.call('POST', '/district/rollup/rebuild', {});
      expect(write.status).toBe(403);
      expect(write.json.error.code).toBe('staff.error.role');
      expect(write.json.error.message['zh-CN']).toBe('您的角色无权执行此操作');
      for (const who of [viewer, edu]) {
        const r = await who.call('GET', `/district/report${RANGE}&schoolIds=${a.schoolId},${c.schoolId}`);
        expect(r.status).toBe(404);
        expect(JSON.stringify(r.json)).not.toContain('外区丙校');
      }
      const own = await adminA.call('GET', `/district/report${RANGE}`);
      expect(own.json.schools.map((s: Json) => s.schoolId)).toEqual([a.schoolId]);
      expect((await adminA.call('GET', `/district/report${RANGE}&schoolIds=${b.schoolId}`)).status).toBe(404);
      expect((await teacherA.call('GET', `/district/report${RANGE}`)).status).toBe(403);
      expect((await edu.call('GET', '/district/report?from=2026-12-01&to=2026-11-01')).status).toBe(400);
      expect((await edu.call('GET', '/district/report?from=2026-13-01')).status).toBe(400);
    });

    it('exports the report as an Excel workbook, audited for the district', async () => {
      const res = await fetch(`${cloud.url}/api/staff/district/report/export${RANGE}`, { headers: { cookie: viewer.cookie! } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toContain('district-report-2026-11-01-2026-11-05.xlsx');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load((await res.arrayBuffer()) as ArrayBuffer);
      const sheet = wb.getWorksheet('学校 Schools')!;
      const rows = sheet.getSheetValues().filter(Boolean) as unknown[][];
      const rowA = rows.find((r) => r.includes('区甲校'))!;
      expect(rowA.slice(1, 6)).toEqual(['区甲校', 10, 1, 8, 80]);
      const notes = wb.getWorksheet('说明 Notes')!.getSheetValues().flat().map(String).join(' ');
      expect(notes).toContain('出勤率 =');
      expect(notes).toContain('校车准点');
      const audit = await cloud.db.query<{ action: string; actor_name: string }>('SELECT action, actor_name FROM staff_audit WHERE district_id = $1 AND action = $2', [districtId, 'district.export']);
      expect(audit.rows).toEqual([{ action: 'district.export', actor_name: 'dist-viewer' }]);
    });
  });
}
