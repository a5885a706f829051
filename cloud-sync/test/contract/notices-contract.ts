import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import type { Backend } from '../helpers/backends.js';
import { seedSchool, startTestCloud, waitFor, type TestCloud } from '../helpers/cloud.js';
import { gatePass, makeEvent } from '../helpers/events.js';
import { startCloud, quietLogger } from '../../src/server/index.js';
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
    const QUIET_SCHOOL = 'sch-quiet';
    let clockOffset = 0;

    beforeAll(async () => {
      push = await startPushReceiver();
      sms = await startHttpSink();
      hook = await startHttpSink();
      wechat = await startHttpSink();
      wechat.fallback = { status: 200, body: { errcode: 0, errmsg: 'ok' } };
      cloud = await startTestCloud(backend, {
        pushCa: push.ca,
        channels: { sms: { url: sms.url, token: 'sms-token' }, webhook: { url: hook.url, secret: 'hook-secret-1' }, wechat: { url: wechat.url, templateId: 'tpl-1' } },
        // Quiet hours only for the school of the night test, whose clock the test moves.
        notices: { quietHours: null, releaseEverySeconds: 0.1, schools: { [QUIET_SCHOOL]: { quietHours: { start: '22:00', end: '06:00' } } } },
        noticeClock: () => Date.now() + clockOffset,
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
    /** Another child of both guardians, so each test starts from a child with no history. */
    const addStudent = async (key: string, name: string) => {
      await cloud.records.write(school.schoolId, [
        { kind: 'person', key, data: { name, roles: ['student'], classId: '三年级2班' } },
        { kind: 'guardianship', key: `${key}-g1`, data: { studentId: key, guardianId: 'stu-1-mother', relation: '母亲', mayPickUp: true, receivesNotices: true } },
        { kind: 'guardianship', key: `${key}-g2`, data: { studentId: key, guardianId: 'stu-1-father', relation: '父亲', mayPickUp: true, receivesNotices: true } },
      ]);
    };
    /** The cloud's judgement of a gate passage: change (notified), repeat or superseded. */
    const verdict = (eventId: string) =>
      waitFor(async () => (await cloud.db.query<{ verdict: string }>('SELECT verdict FROM notice_verdicts WHERE event_id = $1', [eventId])).rows[0]?.verdict, `verdict of ${eventId}`);
    const notifiedEvents = async (studentKey: string) =>
      (await cloud.db.query<{ event_id: string }>(`SELECT DISTINCT event_id FROM notices WHERE student_key = $1 AND kind IN ('entry', 'exit')`, [studentKey])).rows.map((r) => r.event_id).sort();
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
      await addStudent('stu-late', '张小明');
      const dayAgo = Date.now() - 24 * 3600_000;
      const e = gatePass('notice-site', 'stu-late', 'in', { occurredAt: dayAgo });
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
      const refused = gatePass('notice-site', 'stu-1', 'in', { reason: 'access.card_revoked', decision: { granted: false, opened: 'closed' } });
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
        // Held for the summary at the end of the father's own quiet hours (23:59).
        expect(await waitFor(() => settled(entry.id), 'entry outcomes')).toEqual({ [MOTHER]: 'sent', [FATHER]: 'held' });
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
      await addStudent('stu-retry', '张小明');
      const e = gatePass('notice-site', 'stu-retry', 'in');
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
      await addStudent('stu-gone', '张小明');
      const e = gatePass('notice-site', 'stu-gone', 'in');
      await ingest([e]);
      await waitFor(async () => (await cloud.db.query('SELECT 1 FROM push_subscriptions WHERE endpoint = $1', [dead.endpoint])).rows.length === 0, 'dead subscription removed');
      const father = (await notices(e.id)).find((n) => n.phone === FATHER)!;
      const d = await cloud.db.query<{ status: string }>(`SELECT status FROM notice_deliveries WHERE notice_id = $1 AND target = $2`, [father.id, dead.endpoint]);
      expect(d.rows[0]?.status).toBe('gone');
      expect(pushesFor(e.id).some((p) => p.subscriptionId === subs[FATHER]!.id)).toBe(true);
    });
    it('a student who scans twice gets one entry notice, and the exit after it is notified', async () => {
      await addStudent('stu-twice', '王小明');
      const first = gatePass('notice-site', 'stu-twice', 'in', { occurredAt: Date.now() - 60_000 });
      await ingest([first]);
      expect(await verdict(first.id)).toBe('change');
      // Forty seconds later the same card at the same gate again, as its own upload.
      const again = gatePass('notice-site', 'stu-twice', 'in', { occurredAt: Date.now() - 20_000 });
      await ingest([again]);
      expect(await verdict(again.id)).toBe('repeat');
      const exit = gatePass('notice-site', 'stu-twice', 'out');
      await ingest([exit]);
      expect(await verdict(exit.id)).toBe('change');
      await waitFor(() => pushesFor(exit.id).length >= 2, 'exit pushes');
      expect(pushesFor(first.id)).toHaveLength(2);
      expect(pushesFor(again.id)).toHaveLength(0);
      expect(await notifiedEvents('stu-twice')).toEqual([first.id, exit.id].sort());
    });

    it('a same-direction passage after the fold window is notified again (the exit in between was missed)', async () => {
      await addStudent('stu-side', '李小侧');
      const morning = gatePass('notice-site', 'stu-side', 'in', { occurredAt: Date.now() - 40 * 60_000 });
      await ingest([morning]);
      expect(await verdict(morning.id)).toBe('change');
      // Left through a side gate without a reader; back through 东门 40 minutes later.
      const back = gatePass('notice-site', 'stu-side', 'in');
      await ingest([back]);
      expect(await verdict(back.id)).toBe('change');
      expect(await notifiedEvents('stu-side')).toEqual([morning.id, back.id].sort());
    });

    it('a gate that double-reads, and the repeats it marks as anti-passback warnings, give one notice', async () => {
      await addStudent('stu-double', '王小明');
      const t = Date.now() - 30_000;
      const read1 = gatePass('notice-site', 'stu-double', 'in', { occurredAt: t });
      const read2 = gatePass('notice-site', 'stu-double', 'in', { occurredAt: t + 300 });
      // The demo's father: the same direction every ~25 s, each marked 防潜回 by the gate.
      const warnings = [1, 2, 3, 4, 5].map((i) => gatePass('notice-site', 'stu-double', 'in', { occurredAt: t + i * 4_000, reason: 'access.granted.passback_soft', severity: 'notice' }));
      await ingest([read1, read2, ...warnings]);
      expect(await verdict(read1.id)).toBe('change');
      expect(await verdict(read2.id)).toBe('repeat');
      await waitFor(() => pushesFor(read1.id).length >= 2, 'entry pushes');
      expect(await notifiedEvents('stu-double')).toEqual([read1.id]);
      // Warnings are no candidates at all: never queued, never judged.
      for (const w of warnings) expect((await cloud.db.query('SELECT 1 FROM notice_verdicts WHERE event_id = $1', [w.id])).rows).toHaveLength(0);
      // The parent app folds the repeats: one entry "入校（东门）×7".
      const token = await signInGuardian(cloud.url, sms, MOTHER);
      const tl = await parentApi(cloud.url, token, 'GET', `/children/${school.schoolId}/stu-double/timeline`);
      expect(tl.json.entries).toEqual([expect.objectContaining({ direction: 'in', gate: '东门', count: 7, eventId: read1.id, occurredAt: t, lastAt: t + 20_000 })]);
    });

    it('a granted decision whose relay failed (the gate never opened) gives no 进校 notice', async () => {
      await addStudent('stu-relay', '王小明');
      const failed = gatePass('notice-site', 'stu-relay', 'in', { occurredAt: Date.now() - 40_000, severity: 'warning', decision: { opened: 'relay-failed' } });
      // The guard lets the child in through the gate without turnstile a moment later.
      const real = gatePass('notice-site', 'stu-relay', 'in', { occurredAt: Date.now() - 10_000, decision: { gate: 'g-guard', gateName: '东门岗亭', opened: 'no-turnstile' } });
      await ingest([failed, real]);
      expect(await verdict(real.id)).toBe('change');
      await waitFor(() => pushesFor(real.id).length >= 2, 'entry pushes for the real passage');
      expect((JSON.parse(pushesFor(real.id)[0]!.payload) as { body: string }).body).toContain('入校（东门岗亭）');
      expect(pushesFor(failed.id)).toHaveLength(0);
      expect(await notifiedEvents('stu-relay')).toEqual([real.id]);
      const token = await signInGuardian(cloud.url, sms, MOTHER);
      const tl = await parentApi(cloud.url, token, 'GET', `/children/${school.schoolId}/stu-relay/timeline`);
      expect(tl.json.entries.map((e: { eventId: string }) => e.eventId)).toEqual([real.id]);
    });

    it('a night of dormitory moves: parents hear only campus entry and exit', async () => {
      await addStudent('stu-board', '赵小住');
      const t = Date.now() - 100_000;
      const home = gatePass('notice-site', 'stu-board', 'in', { occurredAt: t });
      const dorm = (i: number, direction: 'in' | 'out') =>
        gatePass('notice-site', 'stu-board', direction, { occurredAt: t + i * 5_000, decision: { gate: 'g-dorm', gateName: '宿舍楼', zone: 'z-dorm', zoneKind: 'dormitory' } });
      const moves = [dorm(1, 'in'), dorm(2, 'out'), dorm(3, 'in'), dorm(4, 'out'), dorm(5, 'in'), dorm(6, 'in')];
      await ingest([home, ...moves]);
      expect(await verdict(home.id)).toBe('change');
      // Later the boarder leaves campus for the weekend.
      const leave = gatePass('notice-site', 'stu-board', 'out');
      await ingest([leave]);
      expect(await verdict(leave.id)).toBe('change');
      await waitFor(() => pushesFor(leave.id).length >= 2, 'exit pushes');
      expect(await notifiedEvents('stu-board')).toEqual([home.id, leave.id].sort());
      for (const m of moves) expect(pushesFor(m.id)).toHaveLength(0);
      const token = await signInGuardian(cloud.url, sms, FATHER);
      const tl = await parentApi(cloud.url, token, 'GET', `/children/${school.schoolId}/stu-board/timeline`);
      expect(tl.json.entries.map((e: { direction: string; gate: string; count: number }) => `${e.direction}:${e.gate}:${e.count}`)).toEqual(['out:东门:1', 'in:东门:1']);
    });

    it('events uploaded late and out of order are judged in the order they happened', async () => {
      await addStudent('stu-outage', '钱小多');
      const h = 3600_000;
      const base = Date.now() - 6 * h;
      // After an outage the day arrives newest first, one upload each.
      const morningIn = gatePass('notice-site', 'stu-outage', 'in', { occurredAt: base });
      const doubleRead = gatePass('notice-site', 'stu-outage', 'in', { occurredAt: base + 1_000 });
      const lunchOut = gatePass('notice-site', 'stu-outage', 'out', { occurredAt: base + 4 * h });
      const afternoonIn = gatePass('notice-site', 'stu-outage', 'in', { occurredAt: base + 5 * h });
      for (const e of [afternoonIn, lunchOut, doubleRead, morningIn]) await ingest([e]);
      // Only the current state is pushed (late, with its time); the history is superseded.
      expect(await verdict(afternoonIn.id)).toBe('change');
      expect(await verdict(lunchOut.id)).toBe('superseded');
      expect(await verdict(doubleRead.id)).toBe('superseded');
      expect(await verdict(morningIn.id)).toBe('superseded');
      const p = await waitFor(() => pushesFor(afternoonIn.id)[0], 'current state push');
      expect((JSON.parse(p.payload) as { body: string }).body).toMatch(/张小明|钱小多/);
      expect((JSON.parse(p.payload) as { body: string }).body).toMatch(/入校（东门）（延迟送达）$/);
      expect(await notifiedEvents('stu-outage')).toEqual([afternoonIn.id]);

      // A prompt double read whose second read is uploaded first: still one notice.
      await addStudent('stu-order', '孙小序');
      const t = Date.now() - 5_000;
      const r1 = gatePass('notice-site', 'stu-order', 'in', { occurredAt: t });
      const r2 = gatePass('notice-site', 'stu-order', 'in', { occurredAt: t + 800 });
      await ingest([r2]);
      expect(await verdict(r2.id)).toBe('change');
      await ingest([r1]);
      expect(await verdict(r1.id)).toBe('repeat');
      expect(await notifiedEvents('stu-order')).toEqual([r2.id]);
    });

    it('one upload with several students\' passages, out of order and with a double read, is judged as if one by one', async () => {
      await addStudent('stu-batch-a', '甲小批');
      await addStudent('stu-batch-b', '乙小批');
      const t = Date.now() - 10_000;
      const a1 = gatePass('notice-site', 'stu-batch-a', 'in', { occurredAt: t });
      const a2 = gatePass('notice-site', 'stu-batch-a', 'in', { occurredAt: t + 500 });
      const b1 = gatePass('notice-site', 'stu-batch-b', 'in', { occurredAt: t + 100 });
      const a3 = gatePass('notice-site', 'stu-batch-a', 'out', { occurredAt: t + 5_000 });
      // The double read's second read first: it repeats the first read, which carries the notice.
      await ingest([a2, b1, a1, a3]);
      expect(await verdict(a2.id)).toBe('repeat');
      expect(await verdict(a1.id)).toBe('change');
      expect(await verdict(a3.id)).toBe('change');
      expect(await verdict(b1.id)).toBe('change');
      expect(await notifiedEvents('stu-batch-a')).toEqual([a1.id, a3.id].sort());
      expect(await notifiedEvents('stu-batch-b')).toEqual([b1.id]);
      for (const e of [a1, a3, b1]) await waitFor(() => (pushesFor(e.id).length === 2 ? true : undefined), `two pushes for ${e.id}`);
      expect(pushesFor(a2.id)).toHaveLength(0);
      // Every notice of the upload is delivered and recorded as sent.
      for (const e of [a1, a3, b1]) {
        const rows = await waitFor(async () => {
          const r = await notices(e.id);
          return r.length === 2 && r.every((n) => n.status === 'sent') ? r : undefined;
        }, `notices of ${e.id} sent`);
        for (const n of rows) expect((await deliveries(n.id)).find((d) => d.channel === 'webpush')).toMatchObject({ status: 'sent', attempts: 1 });
      }
    });

    it('holds non-safety notices in the school\'s quiet hours and sends one summary when they end', async () => {
      const GUARDIAN = '13800000009';
      const edge = await cloud.provisionEdge({ schoolName: '夜校', site: 'quiet-site', schoolId: QUIET_SCHOOL });
      await cloud.records.write(QUIET_SCHOOL, [
        { kind: 'person', key: 'stu-night', data: { name: '周小夜', roles: ['student'], classId: '初二1班' } },
        { kind: 'person', key: 'g-night', data: { name: '周妈妈', roles: ['guardian'], phone: GUARDIAN } },
        { kind: 'guardianship', key: 'stu-night-g', data: { studentId: 'stu-night', guardianId: 'g-night', relation: '母亲', mayPickUp: true, receivesNotices: true } },
      ]);
      const token = await signInGuardian(cloud.url, sms, GUARDIAN);
      const sub = push.subscribe();
      expect((await parentApi(cloud.url, token, 'POST', '/push/subscriptions', { endpoint: sub.endpoint, keys: sub.keys })).status).toBe(201);
      const mine = () => push.received.filter((p) => p.subscriptionId === sub.id).map((p) => JSON.parse(p.payload) as { title: string; body: string; eventId: string; safety: boolean });
      // The school's clock reads 23:00 (Asia/Shanghai).
      const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(Date.now());
      const at = (localTime: string, plusDays = 0) => Date.parse(`${day}T${localTime}:00+08:00`) + plusDays * 24 * 3600_000;
      clockOffset = at('23:00') - Date.now();
      try {
        const send = async (events: unknown[]) => expect((await signedSend(cloud.url, edge.credentials, 'POST', INGEST_PATH, JSON.stringify({ events }))).status).toBe(200);
        const out = gatePass('quiet-site', 'stu-night', 'out', { occurredAt: Date.now() - 90_000 });
        const dormMove = gatePass('quiet-site', 'stu-night', 'in', { occurredAt: Date.now() - 60_000, decision: { zone: 'z-dorm', zoneKind: 'dormitory', gate: 'g-dorm', gateName: '宿舍楼' } });
        const back = gatePass('quiet-site', 'stu-night', 'in', { occurredAt: Date.now() - 30_000 });
        const safety = makeEvent('quiet-site', { type: 'safety.alarm', reason: 'safety.fire', priority: 0, severity: 'critical', subject: 'stu-night' });
        await send([out, dormMove, back, safety]);
        // Safety is never held.
        const s = await waitFor(() => mine().find((p) => p.eventId === safety.id), 'safety push at night');
        expect(s.safety).toBe(true);
        const held = await waitFor(async () => {
          const r = await cloud.db.query<{ event_id: string; status: string; hold_until: number }>(`SELECT event_id, status, hold_until FROM notices WHERE school_id = $1 AND kind IN ('entry', 'exit') ORDER BY occurred_at`, [QUIET_SCHOOL]);
          return r.rows.length === 2 ? r.rows : null;
        }, 'two held notices');
        expect(held.map((n) => [n.event_id, n.status, n.hold_until])).toEqual([
          [out.id, 'held', at('06:00', 1)],
          [back.id, 'held', at('06:00', 1)],
        ]);
        expect(mine().filter((p) => !p.safety)).toHaveLength(0);

        // 05:59: still quiet. 06:00: one summary with both changes, oldest first.
        clockOffset = at('05:59', 1) - Date.now();
        expect((await cloud.db.query(`SELECT 1 FROM notices WHERE school_id = $1 AND status = 'held' AND hold_until <= $2`, [QUIET_SCHOOL, at('05:59', 1)])).rows).toHaveLength(0);
        clockOffset = at('06:00', 1) + 1_000 - Date.now();
        const summary = await waitFor(() => mine().find((p) => p.title === '免打扰时段通知汇总'), 'summary push');
        expect(summary.body).toMatch(/^免打扰时段内共 2 条通知：\d{2}:\d{2} 周小夜 离校（东门）；\d{2}:\d{2} 周小夜 入校（东门）$/);
        const rows = await waitFor(async () => {
          const r = await cloud.db.query<{ kind: string; status: string; summary_id: number | null; id: number }>(`SELECT id, kind, status, summary_id FROM notices WHERE school_id = $1 AND kind <> 'safety' ORDER BY id`, [QUIET_SCHOOL]);
          return r.rows.find((x) => x.kind === 'summary' && x.status === 'sent') ? r.rows : null;
        }, 'summary sent');
        const sumRow = rows.find((x) => x.kind === 'summary')!;
        expect(rows.filter((x) => x.kind === 'summary')).toHaveLength(1);
        expect(rows.filter((x) => x.kind !== 'summary').map((x) => [x.status, x.summary_id])).toEqual([
          ['summarized', sumRow.id],
          ['summarized', sumRow.id],
        ]);
        expect(mine().filter((p) => !p.safety)).toHaveLength(1);

        // A process that made a summary and died before sending it: the next sweep sends it.
        const orphan = await cloud.db.query<{ id: number }>(
          `INSERT INTO notices (school_id, event_id, phone, student_key, kind, text_zh, text_en, occurred_at, received_at, late, status, created_at)
           VALUES ($1, NULL, $2, 'stu-night', 'summary', '免打扰时段内共 1 条通知：孤儿', '1 notice during quiet hours: orphan', $3, $3, false, 'pending', $4) RETURNING id`,
          [QUIET_SCHOOL, GUARDIAN, Date.now(), at('06:00', 1) - 60_000],
        );
        const resent = await waitFor(() => push.received.find((p) => p.subscriptionId === sub.id && (JSON.parse(p.payload) as { noticeId: number }).noticeId === orphan.rows[0]!.id), 'orphaned summary sent');
        expect((JSON.parse(resent.payload) as { body: string }).body).toContain('孤儿');
      } finally {
        clockOffset = 0;
      }
    });

    if (backend.name === 'postgres') {
      it('two cloud processes on one database judge each passage once and send one summary', async () => {
        const db = await backend.open();
        const opts = {
          ...db.options,
          logger: quietLogger,
          pushCa: push.ca,
          notices: { quietHours: { start: '00:00', end: '23:59' }, releaseEverySeconds: 0.05 },
        };
        let offset = 0;
        const a = await startCloud({ ...opts, noticeClock: () => Date.now() + offset });
        const b = await startCloud({ ...opts, noticeClock: () => Date.now() + offset });
        try {
          const edge = await a.provisionEdge({ schoolName: '双进程学校', site: 'two-site' });
          const PHONE = '13800000077';
          await a.records.write(edge.schoolId, [
            { kind: 'person', key: 'stu-two', data: { name: '吴小双', roles: ['student'] } },
            { kind: 'person', key: 'g-two', data: { name: '吴爸爸', roles: ['guardian'], phone: PHONE } },
            { kind: 'guardianship', key: 'stu-two-g', data: { studentId: 'stu-two', guardianId: 'g-two', relation: '父亲', mayPickUp: true, receivesNotices: true } },
          ]);
          const sub = push.subscribe();
          await a.db.query('INSERT INTO push_subscriptions (endpoint, phone, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, $5)', [sub.endpoint, PHONE, sub.keys.p256dh, sub.keys.auth, Date.now()]);
          const t = Date.now() - 60_000;
          // A double-reading gate, each read uploaded to another process at the same moment; then an exit.
          const reads = Array.from({ length: 6 }, (_, i) => gatePass('two-site', 'stu-two', 'in', { occurredAt: t + i * 200 }));
          const exit = gatePass('two-site', 'stu-two', 'out', { occurredAt: t + 30_000 });
          await Promise.all(reads.map((e, i) => signedSend((i % 2 ? a : b).url, edge.credentials, 'POST', INGEST_PATH, JSON.stringify({ events: [e] }))));
          await signedSend(a.url, edge.credentials, 'POST', INGEST_PATH, JSON.stringify({ events: [exit] }));
          const verdicts = await waitFor(async () => {
            const r = await a.db.query<{ event_id: string; verdict: string }>('SELECT event_id, verdict FROM notice_verdicts WHERE school_id = $1', [edge.schoolId]);
            return r.rows.length === 7 ? r.rows : null;
          }, 'seven verdicts');
          const changes = verdicts.filter((v) => v.verdict === 'change').map((v) => v.event_id);
          expect(changes).toHaveLength(2);
          expect(changes).toContain(exit.id);
          const held = await a.db.query<{ status: string }>(`SELECT status FROM notices WHERE school_id = $1`, [edge.schoolId]);
          expect(held.rows.map((r) => r.status)).toEqual(['held', 'held']);
          // Quiet hours end: both processes sweep every 50 ms; exactly one summary goes out.
          offset = 24 * 3600_000;
          const p = await waitFor(() => push.received.find((x) => x.subscriptionId === sub.id), 'summary push');
          expect((JSON.parse(p.payload) as { body: string }).body).toMatch(/^免打扰时段内共 2 条通知：.*入校（东门）；.*离校（东门）$/);
          const summaries = await waitFor(async () => {
            const r = await a.db.query<{ status: string }>(`SELECT status FROM notices WHERE school_id = $1 AND kind = 'summary'`, [edge.schoolId]);
            return r.rows.every((x) => x.status === 'sent') && r.rows.length > 0 ? r.rows : null;
          }, 'summary recorded');
          expect(summaries).toHaveLength(1);
          expect(push.received.filter((x) => x.subscriptionId === sub.id)).toHaveLength(1);
        } finally {
          await b.close();
          await a.close();
          await db.cleanup();
        }
      }, 60_000);
    }
  });
}
