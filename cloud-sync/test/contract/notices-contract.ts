import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import type { Backend } from '../helpers/backends.js';
import { seedSchool, startTestCloud, waitFor, type TestCloud } from '../helpers/cloud.js';
import { gatePass, makeEvent } from '@campus/testkit';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { parentApi, signInGuardian } from '../helpers/parent-client.js';
import { startPushReceiver, type PushReceiver } from '@campus/testkit';
import { signedSend } from '../helpers/signed-request.js';

/**
 * Guardian notices end to end, on PGlite and PostgreSQL: an edge event → the job queue →
 * one notice per event per guardian → Web Push decrypted by a local push service, plus
 * the HTTP channels; late events, quiet hours, dead subscriptions, retries.
 */
export function noticesContract(backend: Backend): void {
  describe(`guardian notices on ${backend.name}`, () => {
    let cloud: TestCloud;
    let push: PushReceiver;
    let sms: HttpSink;
    let hook: HttpSink;
    let wechat: HttpSink;
    let school: Awaited<ReturnType<typeof seedSchool>>;
    const MOTHER = '13800000001';
    const FATHER = '13800000002';
    const subs: Record<string, ReturnType<PushReceiver['subscribe']>> = {};

    beforeAll(async () => {
      push = await startPushReceiver();
      sms = await startHttpSink();
      hook = await startHttpSink();
      wechat = await startHttpSink();
      wechat.fallback = { status: 200, body: { errcode: 0, errmsg: 'ok' } };
      cloud = await startTestCloud(backend, {
        pushCa: push.ca,
        channels: { sms: { url: sms.url, token: 'sms-token' }, webhook: { url: hook.url, secret: 'hook-secret-1' }, wechat: { url: wechat.url, templateId: 'tpl-1' } },
      });
      school = await seedSchool(cloud, 'notice-site', { mother: MOTHER, father: FATHER });
      await cloud.records.write(school.schoolId, [{ kind: 'person', key: 'stu-1-mother', data: { name: '李芳', roles: ['guardian'], phone: MOTHER, wechatOpenId: 'openid-mother' } }]);
      for (const phone of [MOTHER, FATHER]) {
        const token = await signInGuardian(cloud.url, sms, phone);
        const sub = push.subscribe();
        subs[phone] = sub;
        expect((await parentApi(cloud.url, token, 'POST', '/push/subscriptions', { endpoint: sub.endpoint, keys: sub.keys })).status).toBe(201);
      }
    });
    afterAll(async () => {
      await cloud?.dispose();
      await Promise.all([push?.close(), sms?.close(), hook?.close(), wechat?.close()]);
    });

    const ingest = async (events: unknown[]) => {
      const r = await signedSend(cloud.url, school.credentials, 'POST', INGEST_PATH, JSON.stringify({ events }));
      expect(r.status).toBe(200);
      return r.json as { accepted: number; duplicates: number };
    };
    const pushesFor = (eventId: string) => push.received.filter((p) => (JSON.parse(p.payload) as { eventId: string }).eventId === eventId);
    const notices = async (eventId: string) =>
      (await cloud.db.query<{ phone: string; status: string; late: boolean; text_zh: string; text_en: string; id: number }>('SELECT id, phone, status, late, text_zh, text_en FROM notices WHERE event_id = $1 ORDER BY phone', [eventId])).rows;
    const deliveries = async (noticeId: number) =>
      (await cloud.db.query<{ channel: string; status: string; attempts: number }>('SELECT channel, status, attempts FROM notice_deliveries WHERE notice_id = $1 ORDER BY channel', [noticeId])).rows;

    it('sends one decrypted Web Push per guardian for a gate entry, and records every delivery', async () => {
      const e = gatePass('notice-site', 'stu-1', 'in');
      await ingest([e]);
      const pushes = await waitFor(() => (pushesFor(e.id).length >= 2 ? pushesFor(e.id) : null), 'two pushes');
      expect(pushes.map((p) => p.subscriptionId).sort()).toEqual([subs[MOTHER]!.id, subs[FATHER]!.id].sort());
      const payload = JSON.parse(pushes[0]!.payload) as { title: string; body: string; late: boolean; studentKey: string };
      expect(payload.title).toBe('校园通知');
      expect(payload.body).toMatch(/^\d{2}:\d{2} 张小明 入校（东门）$/);
      expect(payload.late).toBe(false);
      expect(pushes[0]!.vapidSubject).toMatch(/^mailto:/);
      const n = await waitFor(async () => {
        const rows = await notices(e.id);
        return rows.length === 2 && rows.every((r) => r.status === 'sent') ? rows : null;
      }, 'notices sent');
      expect(n.map((x) => x.phone)).toEqual([MOTHER, FATHER]);
      const mother = await waitFor(async () => {
        const d = await deliveries(n[0]!.id);
        return d.every((x) => x.status !== 'pending') ? d : null;
      }, 'mother deliveries settled');
      // Mother: push + WeChat (she has an openid) + webhook; SMS is opt-in.
      expect(mother.map((d) => `${d.channel}:${d.status}`)).toEqual(['webhook:sent', 'webpush:sent', 'wechat:sent']);
      const wx = wechat.received.find((r) => r.body.touser === 'openid-mother');
      expect(wx?.body).toMatchObject({ template_id: 'tpl-1', data: { thing1: { value: '张小明' } } });
      const h = hook.received.find((r) => r.body.notice?.eventId === e.id);
      expect(h?.headers['x-campus-signature']).toBe('sha256=' + createHmac('sha256', 'hook-secret-1').update(h!.raw).digest('hex'));
    });

    it('never notifies twice for a resent event', async () => {
      const e = gatePass('notice-site', 'stu-1', 'out');
      await ingest([e]);
      await waitFor(() => pushesFor(e.id).length >= 2, 'first pushes');
      expect(await ingest([e])).toEqual({ accepted: 0, duplicates: 1 });
      // A later event proves the queue ran past the duplicate.
      const marker = gatePass('notice-site', 'stu-1', 'in');
      await ingest([marker]);
      await waitFor(() => pushesFor(marker.id).length >= 2, 'marker pushes');
      expect(pushesFor(e.id)).toHaveLength(2);
      expect(await notices(e.id)).toHaveLength(2);
      expect((JSON.parse(pushesFor(e.id)[0]!.payload) as { body: string }).body).toContain('离校');
    });

    it('says when it happened for an event that reached the cloud late', async () => {
      const dayAgo = Date.now() - 24 * 3600_000;
      const e = gatePass('notice-site', 'stu-1', 'in', { occurredAt: dayAgo });
      await ingest([e]);
      const p = await waitFor(() => pushesFor(e.id)[0], 'late push');
      const body = (JSON.parse(p.payload) as { body: string; late: boolean }).body;
      expect(body).toMatch(/^\d{1,2}月\d{1,2}日 \d{2}:\d{2} 张小明 入校（东门）（延迟送达）$/);
      const n = await notices(e.id);
      expect(n.every((x) => x.late)).toBe(true);
      expect(n[0]!.text_en).toContain('(delivered late)');
    });

    it('does not notify for refused passes, telemetry, or guardians who opted out of notices', async () => {
      await cloud.records.write(school.schoolId, [
        { kind: 'person', key: 'stu-2', data: { name: '王小红', roles: ['student'] } },
        { kind: 'guardianship', key: 'stu-2-g', data: { studentId: 'stu-2', guardianId: 'stu-1-mother', relation: '母亲', mayPickUp: true, receivesNotices: false } },
      ]);
      const refused = gatePass('notice-site', 'stu-1', 'in', { data: { direction: 'in', granted: false } });
      const optedOut = gatePass('notice-site', 'stu-2', 'in');
      const telemetry = makeEvent('notice-site', { subject: 'stu-1' });
      await ingest([refused, optedOut, telemetry]);
      const marker = gatePass('notice-site', 'stu-1', 'out');
      await ingest([marker]);
      await waitFor(() => pushesFor(marker.id).length >= 2, 'marker pushes');
      for (const e of [refused, optedOut, telemetry]) {
        expect(pushesFor(e.id)).toHaveLength(0);
        expect(await notices(e.id)).toHaveLength(0);
      }
    });

    it('holds notices in quiet hours and for switched-off kinds, but never holds safety notices', async () => {
      const token = await signInGuardian(cloud.url, sms, FATHER);
      const prefs = { kinds: { entry: true, exit: false, late: true, absence: true }, quietHours: { start: '00:00', end: '23:59' }, channels: { webpush: true, wechat: true, sms: false } };
      expect((await parentApi(cloud.url, token, 'PUT', '/preferences', prefs)).status).toBe(200);
      try {
        const entry = gatePass('notice-site', 'stu-1', 'in');
        const exit = gatePass('notice-site', 'stu-1', 'out');
        const safety = makeEvent('notice-site', { type: 'safety.alarm', reason: 'safety.child_left_on_bus', priority: 0, severity: 'critical', subject: 'stu-1' });
        await ingest([entry, exit, safety]);
        const sp = await waitFor(() => (pushesFor(safety.id).length >= 2 ? pushesFor(safety.id) : null), 'safety pushes to both');
        expect(sp.map((p) => p.subscriptionId).sort()).toEqual([subs[MOTHER]!.id, subs[FATHER]!.id].sort());
        expect(sp[0]!.urgency).toBe('high');
        await waitFor(() => pushesFor(entry.id).length >= 1 && pushesFor(exit.id).length >= 1, 'mother pushes');
        const byPhone = async (id: string) => Object.fromEntries((await notices(id)).map((n) => [n.phone, n.status]));
        // The push arrives before the sender records its outcome: wait for the record.
        const settled = async (id: string) => {
          const s = await byPhone(id);
          return Object.values(s).includes('pending') ? null : s;
        };
        expect(await waitFor(() => settled(entry.id), 'entry outcomes')).toEqual({ [MOTHER]: 'sent', [FATHER]: 'quiet' });
        expect(await waitFor(() => settled(exit.id), 'exit outcomes')).toEqual({ [MOTHER]: 'sent', [FATHER]: 'muted' });
        expect(pushesFor(entry.id).map((p) => p.subscriptionId)).toEqual([subs[MOTHER]!.id]);
        // Safety notices also go by SMS, even though SMS is opt-in for everything else.
        await waitFor(() => sms.received.find((m) => m.body.kind === 'notice' && m.body.to === FATHER), 'safety SMS');
      } finally {
        await parentApi(cloud.url, token, 'PUT', '/preferences', {});
      }
    });

    it('retries a failing channel and records each attempt', async () => {
      hook.answers.push({ status: 503 }, { status: 502 });
      const e = gatePass('notice-site', 'stu-1', 'in');
      await ingest([e]);
      const hooks = await waitFor(async () => {
        const rows = await notices(e.id);
        if (rows.length !== 2) return null;
        const d = (await Promise.all(rows.map((n) => deliveries(n.id)))).flat().filter((x) => x.channel === 'webhook');
        return d.length === 2 && d.every((x) => x.status === 'sent') ? d : null;
      }, 'both webhook deliveries sent after retries', 40_000);
      // Two failed attempts (one per guardian) and then one success each.
      expect(hooks.map((d) => d.attempts).reduce((a, b) => a + b, 0)).toBe(4);
      expect(hook.received.filter((r) => r.body.notice?.eventId === e.id)).toHaveLength(4);
    }, 60_000);

    it('removes a subscription the push service reports gone (410)', async () => {
      const token = await signInGuardian(cloud.url, sms, FATHER);
      const dead = push.subscribe();
      await parentApi(cloud.url, token, 'POST', '/push/subscriptions', { endpoint: dead.endpoint, keys: dead.keys });
      push.respondWith(dead.id, 410);
      const e = gatePass('notice-site', 'stu-1', 'in');
      await ingest([e]);
      await waitFor(async () => (await cloud.db.query('SELECT 1 FROM push_subscriptions WHERE endpoint = $1', [dead.endpoint])).rows.length === 0, 'dead subscription removed');
      const father = (await notices(e.id)).find((n) => n.phone === FATHER)!;
      const d = await cloud.db.query<{ status: string }>(`SELECT status FROM notice_deliveries WHERE notice_id = $1 AND target = $2`, [father.id, dead.endpoint]);
      expect(d.rows[0]?.status).toBe('gone');
      expect(pushesFor(e.id).some((p) => p.subscriptionId === subs[FATHER]!.id)).toBe(true);
    });
  });
}
