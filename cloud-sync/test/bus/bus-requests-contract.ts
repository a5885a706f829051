import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../helpers/backends.js';
import { seedSchool, startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { parentApi, signInGuardian } from '../helpers/parent-client.js';
import { staffSignIn, type StaffClient } from '../helpers/staff-client.js';
import { ROUTE, tinyPng, today } from './bus-fixtures.js';

const PW = 'bus-requests-pw-1';
const MOTHER = '13700000021';
const FATHER = '13700000022';
const STRANGER = '13700000029';
const dayAfter = (n: number) => today(Date.now() + n * 86_400_000);

/**
 * Guardians' bus requests: a stop (or stop change) for a direction from a date, and pickup
 * persons with a photo, for their own child only; the transport manager accepts (the record
 * goes to the change feed), changes or rejects with a reason; the guardian sees the result.
 */
export function busRequestsContract(backend: Backend): void {
  describe(`bus requests (parent app → console) on ${backend.name}`, () => {
    let cloud: TestCloud;
    let sms: HttpSink;
    let school: string;
    let mother: string;
    let stranger: string;
    let tm: StaffClient;
    let teacher: StaffClient;
    const ask = (token: string, body: unknown) => parentApi(cloud.url, token, 'POST', '/bus-requests', body);
    const decide = (who: StaffClient, id: string, body: unknown) => who.call('POST', `/schools/${school}/bus-requests/${id}/decision`, body);
    const count = async () => Number((await cloud.db.query<{ n: string }>('SELECT count(*) AS n FROM bus_requests')).rows[0]!.n);

    beforeAll(async () => {
      sms = await startHttpSink();
      cloud = await startTestCloud(backend, { channels: { sms: { url: sms.url } } });
      school = (await seedSchool(cloud, 'bus-req-a', { mother: MOTHER, father: FATHER })).schoolId;
      await cloud.records.write(school, [
        { kind: 'person', key: 'stu-9', data: { name: '陈小九', roles: ['student'], classId: '一年级1班' } },
        { kind: 'person', key: 'stu-9-mother', data: { name: '陈妈妈', roles: ['guardian'], phone: STRANGER } },
        { kind: 'guardianship', key: 'stu-9-g1', data: { studentId: 'stu-9', guardianId: 'stu-9-mother', relation: '母亲', mayPickUp: true, receivesNotices: true } },
        { kind: 'bus_vehicle', key: 'v1', data: { plate: '沪A12345', seats: 45 } },
        { kind: 'bus_route', key: 'r1', data: ROUTE },
        { kind: 'bus_route', key: 'r2', data: { ...ROUTE, name: '2号线', stops: ROUTE.stops.map((s) => ({ ...s, id: `${s.id}2`, name: `${s.name}（2号线）` })) } },
        { kind: 'bus_assignment', key: 'a1', data: { personId: 'stu-1', routeId: 'r1', stopId: 'a', direction: 'morning', from: '2026-01-01', handover: true } },
      ]);
      expect((await cloud.admin('POST', `/schools/${school}/accounts`, { username: 'br-admin', displayName: '管理员', password: PW })).status).toBe(201);
      const admin = await staffSignIn(cloud.url, 'br-admin', PW);
      expect((await admin.call('POST', '/accounts', { username: 'br-tm', displayName: '校车管理员', password: PW, roles: ['transport_manager'] })).status).toBe(201);
      expect((await admin.call('POST', '/accounts', { username: 'br-t', displayName: '李老师', password: PW, roles: ['teacher'] })).status).toBe(201);
      tm = await staffSignIn(cloud.url, 'br-tm', PW);
      teacher = await staffSignIn(cloud.url, 'br-t', PW);
      mother = await signInGuardian(cloud.url, sms, MOTHER);
      stranger = await signInGuardian(cloud.url, sms, STRANGER);
    }, 120_000);
    afterAll(async () => {
      await cloud?.dispose();
      await sms?.close();
    });

    it('shows a guardian the routes and the child’s current stop; another family’s child is 404', async () => {
      const o = await parentApi(cloud.url, mother, 'GET', `/children/${school}/stu-1/bus-options`);
      expect(o.status).toBe(200);
      expect(o.json.routes.map((r: { id: string }) => r.id)).toEqual(['r1', 'r2']);
      // The depot is not a stop to ride from; positions are not shown.
      expect(o.json.routes[0].stops.map((s: { id: string }) => s.id)).toEqual(['a', 'b']);
      expect(o.json.routes[0].stops[0].lat).toBeUndefined();
      expect(o.json.current).toEqual([{ direction: 'morning', routeId: 'r1', stopId: 'a', from: '2026-01-01' }]);
      for (const child of ['stu-1', 'no-such-child']) {
        const r = await parentApi(cloud.url, stranger, 'GET', `/children/${school}/${child}/bus-options`);
        expect(r.status).toBe(404);
        expect(r.json.error.message['zh-CN']).toBe('不是您的孩子');
      }
    });

    it('refuses a guardian of another child (and a child of no one) without storing anything', async () => {
      const before = await count();
      const stop = { kind: 'stop', schoolId: school, studentKey: 'stu-1', direction: 'morning', from: dayAfter(1), routeId: 'r1', stopId: 'b' };
      const r = await ask(stranger, stop);
      expect(r.status).toBe(404);
      expect(r.json.error.message.en).toBe('Not your child');
      expect((await ask(stranger, { kind: 'pickup_person', schoolId: school, studentKey: 'stu-1', name: '陌生人', relation: '朋友' })).status).toBe(404);
      expect((await ask(stranger, { ...stop, studentKey: 'ghost' })).status).toBe(404);
      // No session at all.
      expect((await ask('not-a-token', stop)).status).toBe(401);
      expect(await count()).toBe(before);
      // The stranger's own child works, and the mother does not see it.
      expect((await ask(stranger, { ...stop, studentKey: 'stu-9' })).status).toBe(201);
      const mine = await parentApi(cloud.url, mother, 'GET', '/bus-requests');
      expect(mine.json.requests.some((x: { studentKey: string }) => x.studentKey === 'stu-9')).toBe(false);
      await parentApi(cloud.url, stranger, 'GET', '/bus-requests').then((x) => expect(x.json.requests.map((y: { studentKey: string }) => y.studentKey)).toEqual(['stu-9']));
    });

    it('refuses bad input with zh-CN and English messages, storing nothing', async () => {
      const before = await count();
      const stop = { kind: 'stop', schoolId: school, studentKey: 'stu-1', direction: 'morning', from: dayAfter(1), routeId: 'r1', stopId: 'b' };
      const cases: [unknown, number, string | null][] = [
        [{ ...stop, routeId: 'r9' }, 400, '本校没有校车路线 r9'],
        [{ ...stop, stopId: 'zz' }, 400, '路线 r1 没有站点 zz'],
        [{ ...stop, stopId: 'school' }, 400, '学校 是学校/车场，不是上下车站点'],
        [{ ...stop, from: dayAfter(-2) }, 400, `日期 ${dayAfter(-2)} 已经过去`],
        [{ ...stop, from: '2026/01/01' }, 400, null],
        [{ ...stop, direction: 'noon' }, 400, null],
        [{ ...stop, extra: 1 }, 400, null],
        [{ kind: 'pickup_person', schoolId: school, studentKey: 'stu-1', name: '', relation: '奶奶' }, 400, null],
        [{ kind: 'pickup_person', schoolId: school, studentKey: 'stu-1', name: '王奶奶', relation: '奶奶', phone: 'call me' }, 400, null],
        // Text claiming to be a PNG, and a PNG too big.
        [{ kind: 'pickup_person', schoolId: school, studentKey: 'stu-1', name: '王奶奶', relation: '奶奶', photo: `data:image/png;base64,${Buffer.from('<script>alert(1)</script>').toString('base64')}` }, 400, '照片须为 JPEG、PNG 或 WebP 图片'],
        [{ kind: 'pickup_person', schoolId: school, studentKey: 'stu-1', name: '王奶奶', relation: '奶奶', photo: 'data:image/gif;base64,R0lGODlhAQABAAAAACw=' }, 400, '照片须为 JPEG、PNG 或 WebP 图片'],
        [{ kind: 'pickup_person', schoolId: school, studentKey: 'stu-1', name: '王奶奶', relation: '奶奶', photo: `data:image/png;base64,${Buffer.concat([Buffer.from(tinyPng().split(',')[1]!, 'base64'), Buffer.alloc(45 * 1024)]).toString('base64')}` }, 400, '照片不能超过 40 KB'],
        // Beyond the parent API's body limit: refused before it is read.
        [{ kind: 'pickup_person', schoolId: school, studentKey: 'stu-1', name: '王奶奶', relation: '奶奶', photo: `data:image/png;base64,${Buffer.alloc(300 * 1024).toString('base64')}` }, 413, null],
        [{ kind: 'teleport', schoolId: school, studentKey: 'stu-1' }, 400, null],
      ];
      for (const [body, status, zh] of cases) {
        const r = await ask(mother, body);
        expect(r.status, JSON.stringify(body).slice(0, 120)).toBe(status);
        expect(r.json.error.message['zh-CN']).toBeTruthy();
        expect(r.json.error.message.en).toBeTruthy();
        if (zh) expect(r.json.error.message['zh-CN']).toBe(zh);
      }
      expect(await count()).toBe(before);
      expect((await cloud.db.query('SELECT 1 FROM bus_photos')).rows).toEqual([]);
    });

    it('accepts a stop change: the assignment goes to the change feed, the guardian sees it, the decision is audited', async () => {
      const from = dayAfter(2);
      const r = await ask(mother, { kind: 'stop', schoolId: school, studentKey: 'stu-1', direction: 'morning', from, routeId: 'r1', stopId: 'b', note: '搬家了' });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
      expect(r.json.request).toMatchObject({ status: 'pending', kind: 'stop', applicantName: '李芳', studentName: '张小明', detail: { routeName: '1号线', stopName: '人民公园', from } });
      const id = r.json.request.id as string;
      const list = await tm.call('GET', `/schools/${school}/bus-requests?status=pending`);
      expect(list.json.requests.map((x: { id: string }) => x.id)).toContain(id);
      // A teacher may not decide; nothing changes.
      expect((await decide(teacher, id, { decision: 'accept' })).status).toBe(403);
      const cursor = (await cloud.records.changesAfter(school, 0, 10_000)).cursor;
      const ok = await decide(tm, id, { decision: 'accept' });
      expect(ok.status, JSON.stringify(ok.json)).toBe(200);
      expect(ok.json.request).toMatchObject({ status: 'accepted', decidedByName: '校车管理员', outcome: { kind: 'bus_assignment', key: `stu-1.morning.${from}`, stopName: '人民公园' } });
      const feed = await cloud.records.changesAfter(school, cursor, 100);
      expect(feed.changes).toHaveLength(1);
      // The handover flag of the assignment in force carries over.
      expect(feed.changes[0]).toMatchObject({ kind: 'bus_assignment', key: `stu-1.morning.${from}`, data: { personId: 'stu-1', routeId: 'r1', stopId: 'b', direction: 'morning', from, handover: true } });
      // Decided once.
      const again = await decide(tm, id, { decision: 'reject', note: '改主意' });
      expect(again.status).toBe(409);
      expect(again.json.error.message['zh-CN']).toContain('该申请已处理');
      const mine = (await parentApi(cloud.url, mother, 'GET', '/bus-requests')).json.requests.find((x: { id: string }) => x.id === id);
      expect(mine).toMatchObject({ status: 'accepted', outcome: { stopName: '人民公园', from } });
      // The father (the other guardian) sees the same request.
      const father = await signInGuardian(cloud.url, sms, FATHER);
      expect((await parentApi(cloud.url, father, 'GET', '/bus-requests')).json.requests.map((x: { id: string }) => x.id)).toContain(id);
      const audit = await cloud.db.query<{ action: string; target: string; detail: Record<string, unknown> }>(`SELECT action, target, detail FROM staff_audit WHERE action = 'bus.request.decide' AND actor_name = 'br-tm'`);
      expect(audit.rows).toHaveLength(1);
      expect(audit.rows[0]).toMatchObject({ target: `bus_request/${id}`, detail: { decision: 'accept', status: 'accepted', studentKey: 'stu-1' } });
    });

    it('changes a request to another stop only with a reason; a one-day request becomes a stop change; rejects with a reason', async () => {
      const from = dayAfter(3);
      const one = await ask(mother, { kind: 'stop', schoolId: school, studentKey: 'stu-1', direction: 'afternoon', from, oneDay: true, routeId: 'r1', stopId: 'a' });
      const id = one.json.request.id as string;
      const noReason = await decide(tm, id, { decision: 'change', stopId: 'b' });
      expect(noReason.status).toBe(400);
      expect(noReason.json.error.message['zh-CN']).toBe('调整或拒绝时请填写原因（至少 2 个字）');
      expect((await decide(tm, id, { decision: 'change', note: '没有改什么' })).status).toBe(400);
      expect((await decide(tm, id, { decision: 'change', note: '换线', routeId: 'r2', stopId: 'b' })).json.error.message['zh-CN']).toBe('路线 r2 没有站点 b');
      const changed = await decide(tm, id, { decision: 'change', note: '北门当天施工，改到2号线人民公园', routeId: 'r2', stopId: 'b2' });
      expect(changed.status, JSON.stringify(changed.json)).toBe(200);
      expect(changed.json.request).toMatchObject({ status: 'changed', decisionNote: '北门当天施工，改到2号线人民公园', outcome: { kind: 'bus_stop_change', routeId: 'r2', stopId: 'b2' } });
      expect(await cloud.records.get(school, 'bus_stop_change', `stu-1.afternoon.${from}`)).toEqual({ personId: 'stu-1', date: from, direction: 'afternoon', routeId: 'r2', stopId: 'b2' });

      const before = (await cloud.records.changesAfter(school, 0, 10_000)).cursor;
      const p = await ask(mother, { kind: 'pickup_person', schoolId: school, studentKey: 'stu-1', name: '隔壁王叔叔', relation: '邻居' });
      const pid = p.json.request.id as string;
      expect((await decide(tm, pid, { decision: 'reject' })).status).toBe(400);
      expect((await decide(tm, pid, { decision: 'change', note: '换个人', stopId: 'a' })).json.error.message['zh-CN']).toBe('接送人申请只能同意或拒绝');
      const rej = await decide(tm, pid, { decision: 'reject', note: '需监护人到校当面登记' });
      expect(rej.json.request).toMatchObject({ status: 'rejected', outcome: null, decisionNote: '需监护人到校当面登记' });
      expect((await cloud.records.changesAfter(school, before, 100)).changes).toEqual([]);
      const seen = (await parentApi(cloud.url, mother, 'GET', '/bus-requests')).json.requests.find((x: { id: string }) => x.id === pid);
      expect(seen).toMatchObject({ status: 'rejected', decisionNote: '需监护人到校当面登记' });
    });

    it('names a pickup person with a photo: accepted, the pickup_person record carries the photo and who authorized it', async () => {
      const photo = tinyPng([10, 120, 200]);
      const r = await ask(mother, { kind: 'pickup_person', schoolId: school, studentKey: 'stu-1', name: '王奶奶', relation: '奶奶', phone: '13800000001', photo });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
      const photoId = r.json.request.detail.photoId as string;
      expect(photoId).toMatch(/^bp_/);
      const got = await tm.call('GET', `/schools/${school}/bus-photos/${photoId}`);
      expect(got.json).toEqual({ mime: 'image/png', data: photo.split(',')[1] });
      expect((await teacher.call('GET', `/schools/${school}/bus-photos/${photoId}`)).status).toBe(403);
      expect((await tm.call('GET', `/schools/${school}/bus-photos/bp_nothing`)).status).toBe(404);
      const ok = await decide(tm, r.json.request.id, { decision: 'accept', note: '' });
      expect(ok.status, JSON.stringify(ok.json)).toBe(200);
      const key = ok.json.request.outcome.key as string;
      expect(await cloud.records.get(school, 'pickup_person', key)).toMatchObject({ studentId: 'stu-1', name: '王奶奶', relation: '奶奶', phone: '13800000001', photoId, authorizedBy: 'stu-1-mother', passVersion: 0 });
    });

    it('lets the applicant cancel a pending request, and nobody else', async () => {
      const r = await ask(mother, { kind: 'stop', schoolId: school, studentKey: 'stu-1', direction: 'afternoon', from: dayAfter(5), routeId: 'r1', stopId: 'b' });
      const id = r.json.request.id as string;
      expect((await parentApi(cloud.url, stranger, 'POST', `/bus-requests/${id}/cancel`)).status).toBe(404);
      const c = await parentApi(cloud.url, mother, 'POST', `/bus-requests/${id}/cancel`);
      expect(c.json.request.status).toBe('cancelled');
      expect((await decide(tm, id, { decision: 'accept' })).status).toBe(409);
      expect((await parentApi(cloud.url, mother, 'POST', `/bus-requests/${id}/cancel`)).status).toBe(409);
    });
  });
}
