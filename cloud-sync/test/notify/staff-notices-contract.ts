import type { EventEnvelope } from '@campus/protocol';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import { startPushReceiver, type PushReceiver } from '@campus/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quietLogger, startCloud, type RunningCloud } from '../../src/server/index.js';
import type { Backend } from '../helpers/backends.js';
import { waitFor, type Json } from '../helpers/cloud.js';
import { makeEvent } from '../helpers/events.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { signedSend } from '../helpers/signed-request.js';
import { staffSignIn, type StaffClient } from '../helpers/staff-client.js';

const PW = 'staff-notice-pw-1';
const ADMIN = '13900000100';
const WORKER = '13900000101';
const BOSS = '13900000102';
const CONTRACTOR = '13900000103';
const REQUESTER = '13900000104';

/**
 * Work-order notices to staff: the edge's facilities events (an order dispatched to a
 * worker or an outside contractor, an order escalated past its SLA) reach the cloud by the
 * ordinary event sync; the cloud tells the assignee by SMS and by Web Push where the staff
 * account subscribed — once per order step, even when the step arrives twice, by two
 * event ids, or through two cloud processes at once (PostgreSQL: two processes sharing the
 * database and pg-boss).
 */
export function staffNoticesContract(backend: Backend): void {
  describe(`staff notices on ${backend.name}`, () => {
    let db: Awaited<ReturnType<Backend['open']>>;
    let cloud: RunningCloud;
    let second: RunningCloud | null = null;
    let sms: HttpSink;
    let push: PushReceiver;
    let credentials: Parameters<typeof signedSend>[1];
    let school: string;
    let site: string;
    let worker: StaffClient;
    let boss: StaffClient;
    let workerSub: ReturnType<PushReceiver['subscribe']>;
    const smsTo = (phone: string, re: RegExp) => sms.received.filter((m) => m.body?.to === phone && re.test(String(m.body?.text)));
    const pushesTo = (id: string, re: RegExp) => push.received.filter((p) => p.subscriptionId === id && re.test(p.payload));

    const send = async (events: EventEnvelope[], via: RunningCloud = cloud) => {
      const r = await signedSend(via.url, credentials, 'POST', INGEST_PATH, JSON.stringify({ events }));
      if (r.status !== 200) throw new Error(`ingest ${r.status} ${JSON.stringify(r.json)}`);
    };
    const order = (id: number, version: number, state: string, assignee: string | null, over: Record<string, unknown> = {}) =>
      makeEvent(site, {
        type: 'facilities.workorder.changed',
        reason: `facilities.workorder.${state}`,
        source: 'facilities.orders',
        priority: 2,
        subject: `WO-${id}`,
        data: { orderId: `WO-${id}`, id, version, state, priority: 'urgent', category: 'plumbing', building: 'teach', place: '教学楼三楼', description: '男厕水管漏水', requester: 'teacher1', assignee, by: 'system', note: '', rating: null, source: 'staff', notify: [assignee, 'teacher1'].filter(Boolean), ...over },
      });

    beforeAll(async () => {
      sms = await startHttpSink();
      push = await startPushReceiver();
      db = await backend.open();
      const options = { ...db.options, logger: quietLogger, channels: { sms: { url: sms.url } }, pushCa: push.ca, notices: { quietHours: null } };
      cloud = await startCloud(options);
      // PostgreSQL: a second cloud process on the same database and job queue.
      if (db.options.databaseUrl) second = await startCloud(options);
      site = `fac-notice-${backend.name}`;
      const edge = await cloud.provisionEdge({ schoolName: '后勤通知学校', site });
      school = edge.schoolId;
      credentials = edge.credentials;
      const admin = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${cloud.url}/api/admin${path}`, { method, headers: { authorization: `Bearer ${cloud.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: res.status, json: (await res.json()) as Json };
      };
      expect((await admin('POST', `/schools/${school}/accounts`, { username: 'fn-admin', displayName: '校长', password: PW, phone: ADMIN })).status).toBe(201);
      const principal = await staffSignIn(cloud.url, 'fn-admin', PW);
      // The worker's cloud account has the edge username; the supervisor too. The outside
      // contractor has no cloud account: the school's person record keyed by its edge username.
      expect((await principal.call('POST', '/accounts', { username: 'wang', displayName: '王师傅', password: PW, roles: ['teacher'], phone: WORKER })).status).toBe(201);
      expect((await principal.call('POST', '/accounts', { username: 'boss', displayName: '后勤主管', password: PW, roles: ['facility_supervisor'], phone: BOSS })).status).toBe(201);
      expect((await principal.call('POST', '/accounts', { username: 'teacher1', displayName: '李老师', password: PW, roles: ['teacher'], phone: REQUESTER })).status).toBe(201);
      await cloud.records.write(school, [{ kind: 'person', key: 'acme-plumbing', data: { name: '顺达水电维修', roles: ['staff'], phone: CONTRACTOR } }]);
      worker = await staffSignIn(cloud.url, 'wang', PW);
      boss = await staffSignIn(cloud.url, 'boss', PW);
      workerSub = push.subscribe();
      const key = await worker.call('GET', '/session/push-subscriptions');
      expect(key.status).toBe(200);
      expect(key.json.vapidPublicKey).toBe(cloud.vapidPublicKey);
      const put = await worker.call('PUT', '/session/push-subscriptions', { endpoint: workerSub.endpoint, keys: workerSub.keys });
      expect(put.status, JSON.stringify(put.json)).toBe(200);
    }, 180_000);

    afterAll(async () => {
      await second?.close();
      await cloud?.close();
      await db?.cleanup();
      await sms?.close();
      await push?.close();
    });

    it('tells the worker an order was dispatched, by SMS and Web Push, once per step', async () => {
      const dispatched = order(7, 2, 'dispatched', 'wang');
      await send([order(7, 1, 'submitted', null), dispatched]);
      const text = await waitFor(() => smsTo(WORKER, /WO-7/)[0], 'worker SMS', 20_000);
      expect(text.body.text).toBe('【后勤工单】WO-7（紧急）派给您：教学楼三楼 男厕水管漏水，请尽快接单');
      expect(text.body.kind).toBe('notice');
      const p = await waitFor(() => pushesTo(workerSub.id, /WO-7/)[0], 'worker push', 20_000);
      expect(JSON.parse(p.payload)).toMatchObject({ title: '后勤工单', url: '/facilities/orders?order=7' });
      // The same batch resent, and the same step under another event id (an edge that
      // recorded it twice), change nothing.
      await send([dispatched]);
      await send([order(7, 2, 'dispatched', 'wang')]);
      await new Promise((r) => setTimeout(r, 1500));
      expect(smsTo(WORKER, /WO-7/)).toHaveLength(1);
      expect(pushesTo(workerSub.id, /WO-7/)).toHaveLength(1);
      // The submitted step tells nobody; the requester is not an assignee.
      expect(sms.received.filter((m) => /WO-7/.test(String(m.body?.text)))).toHaveLength(1);
    }, 60_000);

    it('tells an outside contractor by SMS (its phone from the school’s person record); a reopened order dispatched again is a new step', async () => {
      await send([order(8, 2, 'dispatched', 'acme-plumbing')]);
      await waitFor(() => smsTo(CONTRACTOR, /WO-8/).length === 1, 'contractor SMS', 20_000);
      await send([order(8, 6, 'reopened', 'acme-plumbing'), order(8, 7, 'dispatched', 'acme-plumbing')]);
      await waitFor(() => smsTo(CONTRACTOR, /WO-8/).length === 2, 'contractor SMS again', 20_000);
    }, 60_000);

    it('tells the supervisors and the assignee of an escalation, once per SLA kind', async () => {
      const escalated = (sla: 'respond' | 'fix') =>
        makeEvent(site, {
          type: 'facilities.workorder.escalated',
          reason: sla === 'respond' ? 'facilities.sla.respond_breached' : 'facilities.sla.fix_breached',
          source: 'facilities.orders',
          priority: 2,
          severity: 'warning',
          subject: 'WO-9',
          data: {
            orderId: 'WO-9',
            id: 9,
            sla,
            minutes: 30,
            priority: 'urgent',
            priorityZh: '紧急',
            priorityEn: 'urgent',
            assignee: 'wang',
            state: 'dispatched',
            supervisors: ['boss'],
            notify: ['boss', 'wang'],
            text: { 'zh-CN': '工单 WO-9（紧急）超过 30 分钟未接单，已上报主管', en: 'Work order WO-9 (urgent) not accepted within 30 min; escalated to the supervisor' },
          },
        });
      const first = escalated('respond');
      await send([first]);
      await waitFor(() => smsTo(BOSS, /【后勤工单超时】工单 WO-9（紧急）超过 30 分钟未接单/).length === 1 && smsTo(WORKER, /WO-9/).length === 1, 'escalation SMS', 20_000);
      await waitFor(() => pushesTo(workerSub.id, /WO-9/).length === 1, 'escalation push', 20_000);
      await send([escalated('respond')]);
      await send([escalated('fix')]);
      await waitFor(() => smsTo(BOSS, /WO-9/).length === 2, 'fix escalation SMS', 20_000);
      await new Promise((r) => setTimeout(r, 1000));
      expect(smsTo(BOSS, /WO-9/)).toHaveLength(2);
      const list = (await boss.call('GET', `/schools/${school}/staff-notices`)).json.notices as Json[];
      const n = list.find((x) => x.step === 'WO-9:escalated:respond' && x.username === 'boss');
      expect(n).toMatchObject({ kind: 'workorder.escalated', status: 'sent', deliveries: [{ channel: 'sms', target: '139****0102', status: 'sent', attempts: 1 }] });
    }, 60_000);

    it('tells the requester when the order is done, and the facility supervisors of a red checkpoint and a missed one', async () => {
      await send([order(12, 5, 'done', 'wang'), order(12, 6, 'done', 'wang', { requester: 'system' })]);
      await waitFor(() => smsTo(REQUESTER, /WO-12/)[0], 'requester SMS', 20_000);
      expect(smsTo(REQUESTER, /WO-12/).map((m) => m.body.text)).toEqual(['【后勤工单】您报修的 WO-12（教学楼三楼 男厕水管漏水）已完工，请确认并评分']);
      const inspection = (type: string, reason: string, data: Record<string, unknown>) => makeEvent(site, { type, reason, source: 'facilities.inspections', priority: 2, data });
      await send([
        inspection('facilities.inspection.checkpoint', 'facilities.checkpoint.green', { checkpointName: '东门配电箱', items: '' }),
        inspection('facilities.inspection.checkpoint', 'facilities.checkpoint.red', { checkpointName: '东门配电箱', items: '箱门关闭上锁' }),
        inspection('facilities.inspection.alert', 'facilities.round.missed', { roundName: '晨检', checkpointName: '101教室' }),
      ]);
      await waitFor(() => smsTo(BOSS, /【巡检】/).length === 2, 'supervisor SMS', 20_000);
      expect(smsTo(BOSS, /【巡检】/).map((m) => m.body.text).sort()).toEqual(['【巡检】巡检 晨检 漏检：101教室', '【巡检】巡检点 东门配电箱 异常：箱门关闭上锁'].sort());
      // Only the facility supervisors: not the school admin, not the worker.
      await new Promise((r) => setTimeout(r, 1000));
      expect(smsTo(ADMIN, /【巡检】/)).toEqual([]);
      expect(smsTo(WORKER, /【巡检】/)).toEqual([]);
    }, 60_000);

    it('records an assignee the cloud does not know, and sends nothing', async () => {
      await send([order(10, 2, 'dispatched', 'ghost')]);
      const n = await waitFor(async () => ((await boss.call('GET', `/schools/${school}/staff-notices`)).json.notices as Json[]).find((x) => x.username === 'ghost'), 'notice recorded', 20_000);
      expect(n).toMatchObject({ step: 'WO-10:v2:dispatched', status: 'unknown_recipient', deliveries: [] });
      expect(sms.received.filter((m) => /WO-10/.test(String(m.body?.text)))).toEqual([]);
      // Only the school admin and the facility supervisor read the list.
      expect((await worker.call('GET', `/schools/${school}/staff-notices`)).status).toBe(403);
    }, 60_000);

    it('sends one notice when two cloud processes receive the same step at once', async () => {
      const a = order(11, 2, 'dispatched', 'wang');
      const b = order(11, 2, 'dispatched', 'wang');
      await Promise.all([send([a], cloud), send([b], second ?? cloud)]);
      await waitFor(() => smsTo(WORKER, /WO-11/).length === 1 && pushesTo(workerSub.id, /WO-11/).length === 1, 'one notice', 20_000);
      await new Promise((r) => setTimeout(r, 2000));
      expect(smsTo(WORKER, /WO-11/)).toHaveLength(1);
      expect(pushesTo(workerSub.id, /WO-11/)).toHaveLength(1);
    }, 60_000);

    it('refuses a push subscription that is not https, in both languages, and keeps the stored one', async () => {
      const bad = await worker.call('PUT', '/session/push-subscriptions', { endpoint: 'http://127.0.0.1/push/x', keys: workerSub.keys });
      expect(bad.status).toBe(400);
      expect(bad.json.error.message['zh-CN']).toBeTruthy();
      expect(bad.json.error.message.en).toMatch(/https/);
      const mine = await worker.call('GET', '/session/push-subscriptions');
      expect(mine.json.subscriptions.map((s: Json) => s.endpoint)).toEqual([workerSub.endpoint]);
    });
  });
}
