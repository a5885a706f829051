import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import { Keyring, verifyCredential } from '@campus/protocol/credentials/index';
import { gatePass } from '@campus/testkit';
import type { Backend } from '../helpers/backends.js';
import { startTestCloud, waitFor, type Json, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { homeApi, parentApi, signInGuardian } from '../helpers/parent-client.js';
import { signedSend } from '../helpers/signed-request.js';
import { StaffClient, staffSignIn } from '../helpers/staff-client.js';

const PW = 'home-school-pw-1';
const C1 = '三年级1班';
const C2 = '三年级2班';
const MUM = '13500000001'; // mother of s1 (C1)
const OTHER = '13500000003'; // father of s3 (C1): another family
const TEACHER = '13500000009'; // head teacher of C1, and guardian of s2 (C2)
const SITE = 'home-a';
const H = 3600_000;

/**
 * Home-school on the cloud: one sign-in for a teacher who is also a guardian; leave
 * applications applied, refused for another family's child and for bad times, decided
 * once by the head teacher of the class (or the deputy while the head teacher is away),
 * written to the change feed as the `leave` record; a teacher's own leave; gate exit and
 * return matched; the overdue alert; counts. PGlite and PostgreSQL.
 */
export function homeSchoolContract(backend: Backend): void {
  describe(`home-school leaves on ${backend.name}`, () => {
    let cloud: TestCloud;
    let sms: HttpSink;
    let A: string;
    let edge: Awaited<ReturnType<TestCloud['provisionEdge']>>;
    let admin: StaffClient;
    let ht1: StaffClient; // head teacher of C1 (signs in by password here)
    let ht2: StaffClient; // head teacher of C2
    let deputy: StaffClient; // a teacher, deputy of C1
    let office: StaffClient;
    let ht1Id: string;
    const tokens: Record<string, string> = {};
    const clock = { offset: 0 };

    const apply = (phone: string, body: Record<string, unknown>) => homeApi(cloud.url, tokens[phone]!, 'POST', '/guardian/requests', body);
    const leaveBody = (over: Record<string, unknown> = {}) => ({ schoolId: A, studentKey: 's1', kind: 'early_exit', from: Date.now() - 10 * 60_000, until: Date.now() + 30 * 60_000, reasonKind: 'illness', reason: '发烧', collector: '母亲 李芳', ...over });
    const leaveRecords = async () => (await cloud.records.changesAfter(A, 0, 1000)).changes.filter((c) => c.kind === 'leave');
    const ingest = async (...events: unknown[]) => expect((await signedSend(cloud.url, edge.credentials, 'POST', INGEST_PATH, JSON.stringify({ events }))).status).toBe(200);

    beforeAll(async () => {
      sms = await startHttpSink();
      cloud = await startTestCloud(backend, { channels: { sms: { url: sms.url } }, now: () => Date.now() + clock.offset, leaveSweepMs: 3600_000 });
      edge = await cloud.provisionEdge({ schoolName: '家校小学', site: SITE });
      A = edge.schoolId;
      const g = (stu: string, guardian: string, relation: string) => ({ kind: 'guardianship' as const, key: `${stu}.${guardian}`, data: { studentId: stu, guardianId: guardian, relation, mayPickUp: true, receivesNotices: true } });
      await cloud.records.write(A, [
        { kind: 'person', key: 's1', data: { name: '王小一', roles: ['student'], classId: C1 } },
        { kind: 'person', key: 's2', data: { name: '赵小二', roles: ['student'], classId: C2 } },
        { kind: 'person', key: 's3', data: { name: '钱小三', roles: ['student'], classId: C1 } },
        { kind: 'person', key: 's4', data: { name: '孙小四', roles: ['student'], classId: C1 } },
        { kind: 'person', key: 'mum', data: { name: '李芳', roles: ['guardian'], phone: MUM } },
        { kind: 'person', key: 'dad3', data: { name: '钱伟', roles: ['guardian'], phone: OTHER } },
        { kind: 'person', key: 't-zhao', data: { name: '赵老师', roles: ['teacher', 'guardian'], phone: TEACHER } },
        g('s1', 'mum', '母亲'),
        g('s3', 'dad3', '父亲'),
        g('s2', 't-zhao', '父亲'),
      ]);
      expect((await cloud.admin('POST', `/schools/${A}/accounts`, { username: 'hs-admin', displayName: '管理员', password: PW })).status).toBe(201);
      admin = await staffSignIn(cloud.url, 'hs-admin', PW);
      const mk = async (body: Record<string, unknown>) => {
        const r = await admin.call('POST', '/accounts', { password: PW, ...body });
        expect(r.status, JSON.stringify(r.json)).toBe(201);
        return r.json.id as string;
      };
      ht1Id = await mk({ username: 'ht1', displayName: '赵老师', personKey: 't-zhao', roles: ['head_teacher'], classes: [C1] });
      await mk({ username: 'ht2', displayName: '孙老师', roles: ['head_teacher'], classes: [C2] });
      await mk({ username: 'deputy', displayName: '周老师', roles: ['teacher'] });
      await mk({ username: 'office', displayName: '教务处', roles: ['office'] });
      ht1 = await staffSignIn(cloud.url, 'ht1', PW);
      ht2 = await staffSignIn(cloud.url, 'ht2', PW);
      deputy = await staffSignIn(cloud.url, 'deputy', PW);
      office = await staffSignIn(cloud.url, 'office', PW);
      for (const p of [MUM, OTHER]) tokens[p] = await signInGuardian(cloud.url, sms, p);
    }, 180_000);
    afterAll(async () => {
      await cloud?.dispose();
      await sms?.close();
    });

    it('signs a teacher who is also a guardian in once: a guardian session and a staff session from one code', async () => {
      const before = sms.received.length;
      const r = await fetch(`${cloud.url}/api/home/code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: TEACHER }) });
      expect(r.status).toBe(202);
      const msg = await waitFor(() => sms.received.slice(before).find((m) => m.body?.to === TEACHER), 'code SMS');
      const code = /(\d{6})/.exec(String(msg.body.text))![1]!;
      const wrong = await fetch(`${cloud.url}/api/home/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: TEACHER, code: code === '000000' ? '111111' : '000000' }) });
      expect(wrong.status).toBe(401);
      expect(((await wrong.json()) as Json).error.message['zh-CN']).toBe('验证码错误或已过期');
      // The wrong code counted against the staff account (lockout), and was audited.
      expect((await cloud.db.query(`SELECT 1 FROM staff_audit WHERE actor_id = $1 AND action = 'staff.signin.failed'`, [ht1Id])).rows.length).toBe(1);
      const s = await fetch(`${cloud.url}/api/home/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: TEACHER, code }) });
      expect(s.status).toBe(201);
      const body = (await s.json()) as Json;
      expect(body.guardian.token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(body.staff.csrfToken).toBeTruthy();
      const staff = new StaffClient(cloud.url);
      staff.cookie = s.headers.getSetCookie().find((c) => c.startsWith('campus_staff_sid='))!.split(';')[0]!;
      staff.csrfToken = body.staff.csrfToken;
      const me = await staff.call('GET', '/session');
      expect(me.status).toBe(200);
      expect(me.json.account.classes).toEqual([C1]);
      const kids = await parentApi(cloud.url, body.guardian.token, 'GET', '/me');
      expect(kids.json.children.map((c: Json) => c.studentKey)).toEqual(['s2']);
      // The same code does not work twice.
      const again = await fetch(`${cloud.url}/api/home/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: TEACHER, code }) });
      expect(again.status).toBe(401);
      // A staff member signed in by password switches to the guardian role without a code.
      const sw = await ht1.call('POST', '/home/guardian-session');
      expect(sw.status).toBe(201);
      expect((await parentApi(cloud.url, sw.json.token, 'GET', '/me')).json.children.map((c: Json) => c.studentKey)).toEqual(['s2']);
      // An account with no guardian person: a clear refusal.
      const none = await ht2.call('POST', '/home/guardian-session');
      expect(none.status).toBe(404);
      expect(none.json.error.message['zh-CN']).toContain('没有关联的家长身份');
    });

    it("refuses a guardian applying for another family's child, and a leave that ends before it starts; nothing is stored", async () => {
      const foreign = await apply(MUM, leaveBody({ studentKey: 's3' }));
      expect(foreign.status).toBe(404);
      expect(foreign.json.error.message['zh-CN']).toContain('不是该学生的监护人');
      expect(foreign.json.error.message.en).toContain('not their guardian');
      const backwards = await apply(MUM, leaveBody({ from: Date.now() + 2 * H, until: Date.now() + H }));
      expect(backwards.status).toBe(400);
      expect(backwards.json.error.message['zh-CN']).toBe('结束时间必须晚于开始时间');
      const unknownSchool = await apply(MUM, leaveBody({ schoolId: 'sch_nope' }));
      expect(unknownSchool.status).toBe(404);
      const noAuth = await homeApi(cloud.url, null, 'POST', '/guardian/requests', leaveBody());
      expect(noAuth.status).toBe(401);
      expect((await cloud.db.query('SELECT 1 FROM hs_leave_requests')).rows).toEqual([]);
      // The other family sees nothing of this family.
      expect((await homeApi(cloud.url, tokens[OTHER]!, 'GET', '/guardian/requests')).json.requests).toEqual([]);
    });

    it('lets only the head teacher of the class decide, once: a rejection cannot be turned into an approval by a replay', async () => {
      const a = await apply(MUM, leaveBody());
      expect(a.status).toBe(201);
      expect(a.json).toMatchObject({ status: 'pending', classId: C1, studentName: '王小一', collector: '母亲 李芳' });
      const id = a.json.id as string;
      // The head teacher of C2 sees nothing of C1 and may not decide for it.
      expect((await ht2.call('GET', `/schools/${A}/leave-requests?status=pending`)).json.requests).toEqual([]);
      const wrongClass = await ht2.call('POST', `/schools/${A}/leave-requests/${id}/decision`, { approve: true });
      expect(wrongClass.status).toBe(403);
      expect(wrongClass.json.error.message['zh-CN']).toContain(C1);
      // A teacher who is not the deputy: refused as well.
      expect((await deputy.call('POST', `/schools/${A}/leave-requests/${id}/decision`, { approve: true })).status).toBe(403);
      const pending = await ht1.call('GET', `/schools/${A}/leave-requests?status=pending`);
      expect(pending.json.requests.map((r: Json) => r.id)).toEqual([id]);
      const rejected = await ht1.call('POST', `/schools/${A}/leave-requests/${id}/decision`, { approve: false, note: '请先电话联系' });
      expect(rejected.status).toBe(200);
      expect(rejected.json.request).toMatchObject({ status: 'rejected', decidedByName: '赵老师', decisionNote: '请先电话联系', leaveKey: null });
      const replay = await ht1.call('POST', `/schools/${A}/leave-requests/${id}/decision`, { approve: true });
      expect(replay.status).toBe(409);
      expect(replay.json.error.message['zh-CN']).toContain('已驳回');
      expect(await leaveRecords()).toEqual([]);
      const mine = await homeApi(cloud.url, tokens[MUM]!, 'GET', '/guardian/requests');
      expect(mine.json.requests[0]).toMatchObject({ id, status: 'rejected' });
      // Audit: one decision row (the refused replay left none).
      expect((await cloud.db.query(`SELECT 1 FROM staff_audit WHERE action = 'home.leave.decide' AND target = $1`, [id])).rows.length).toBe(1);
    });

    it('writes the leave record to the change feed on approval, matches the gate exit and return, and alerts when the child is not back', async () => {
      const a = await apply(MUM, leaveBody());
      const id = a.json.id as string;
      const ok = await ht1.call('POST', `/schools/${A}/leave-requests/${id}/decision`, { approve: true });
      expect(ok.status).toBe(200);
      expect(ok.json.request).toMatchObject({ status: 'approved', leaveKey: `hs-${id}` });
      expect(ok.json.cursor).toBeGreaterThan(0);
      const [rec] = await leaveRecords();
      expect(rec).toMatchObject({ key: `hs-${id}`, op: 'upsert', data: { personId: 's1', from: a.json.from, until: a.json.until, reason: '病假：发烧', approvedBy: 't-zhao' } });
      // The edge lets the child out at the gate; the upload is matched to the leave.
      const out = gatePass(SITE, 's1', 'out', { occurredAt: Date.now() - 60_000 });
      await ingest(out);
      let mine = await homeApi(cloud.url, tokens[MUM]!, 'GET', '/guardian/requests');
      expect(mine.json.requests.find((r: Json) => r.id === id)).toMatchObject({ exitedAt: out.occurredAt, returnedAt: null, overdue: false });
      // Nothing to alert before the leave ends.
      expect(await cloud.leaves.sweepOverdue()).toBe(0);
      clock.offset = H; // the leave ended half an hour ago; the child is not back
      expect(await cloud.leaves.sweepOverdue()).toBe(1);
      expect(await cloud.leaves.sweepOverdue()).toBe(0); // once
      const alerts = await homeApi(cloud.url, tokens[MUM]!, 'GET', '/guardian/alerts');
      expect(alerts.json.alerts).toHaveLength(1);
      expect(alerts.json.alerts[0].text['zh-CN']).toMatch(/王小一（三年级1班）请假已于 \d{2}:\d{2} 结束，离校后尚未返校/);
      const staffAlerts = await ht1.call('GET', '/home/alerts');
      expect(staffAlerts.json.alerts.map((x: Json) => x.subjectId)).toEqual([id]);
      expect((await ht2.call('GET', '/home/alerts')).json.alerts).toEqual([]);
      expect((await homeApi(cloud.url, tokens[OTHER]!, 'GET', '/guardian/alerts')).json.alerts).toEqual([]);
      // Back through the gate (late): matched, and marked overdue.
      clock.offset = 0; // (the edge signs with the real clock)
      const back = gatePass(SITE, 's1', 'in', { occurredAt: Date.now() + 50 * 60_000 });
      await ingest(back);
      mine = await homeApi(cloud.url, tokens[MUM]!, 'GET', '/guardian/requests');
      expect(mine.json.requests.find((r: Json) => r.id === id)).toMatchObject({ exitedAt: out.occurredAt, returnedAt: back.occurredAt, overdue: true });
      clock.offset = 0;
    });

    it('lets the deputy decide only while the head teacher is marked away', async () => {
      const id = (await apply(MUM, leaveBody({ kind: 'leave', from: Date.now() + 2 * H, until: Date.now() + 26 * H, reasonKind: 'family', reason: '' }))).json.id as string;
      expect((await office.call('PUT', `/schools/${A}/classes/${encodeURIComponent(C1)}/deputy`, { accountId: deputy.account.id })).status).toBe(200);
      expect((await deputy.call('POST', `/schools/${A}/leave-requests/${id}/decision`, { approve: true })).status).toBe(403);
      const away = await office.call('PUT', `/schools/${A}/staff-absences/${ht1Id}`, { from: Date.now() - H, until: Date.now() + 8 * H });
      expect(away.status).toBe(200);
      expect((await deputy.call('GET', `/schools/${A}/leave-requests?status=pending`)).json.requests.map((r: Json) => r.id)).toEqual([id]);
      const ok = await deputy.call('POST', `/schools/${A}/leave-requests/${id}/decision`, { approve: true });
      expect(ok.status).toBe(200);
      expect(ok.json.request).toMatchObject({ status: 'approved', decidedByName: '周老师' });
      // Back at work: the deputy decides no more.
      await office.call('PUT', `/schools/${A}/staff-absences/${ht1Id}`, { from: 0, until: 0 });
      expect((await deputy.call('GET', `/schools/${A}/leave-requests?status=pending`)).json.requests).toEqual([]);
      // An unknown deputy account: refused clearly.
      const bad = await office.call('PUT', `/schools/${A}/classes/${encodeURIComponent(C1)}/deputy`, { accountId: 'acct_nope' });
      expect(bad.status).toBe(400);
      expect(bad.json.error.message['zh-CN']).toContain('不是本校教职工');
    });

    it('lets a teacher record a leave directly (illness in class), approved at once and sent to the edges; a head teacher only for the own class', async () => {
      const r = await deputy.call('POST', `/schools/${A}/leave-requests`, { studentKey: 's2', kind: 'early_exit', from: Date.now(), until: Date.now() + 2 * H, reasonKind: 'illness', reason: '课堂上发烧', collector: '父亲' });
      expect(r.status).toBe(201);
      expect(r.json.request).toMatchObject({ status: 'approved', classId: C2, applicantName: '周老师' });
      expect((await cloud.records.get(A, 'leave', r.json.request.leaveKey))).toMatchObject({ personId: 's2', reason: '病假：课堂上发烧' });
      const notMine = await ht2.call('POST', `/schools/${A}/leave-requests`, { studentKey: 's1', kind: 'early_exit', from: Date.now(), until: Date.now() + H, reasonKind: 'illness' });
      expect(notMine.status, JSON.stringify(notMine.json)).toBe(403);
      const backwards = await deputy.call('POST', `/schools/${A}/leave-requests`, { studentKey: 's2', kind: 'leave', from: Date.now() + H, until: Date.now(), reasonKind: 'illness' });
      expect(backwards.status).toBe(400);
      expect(backwards.json.error.message['zh-CN']).toBe('结束时间必须晚于开始时间');
      const nobody = await deputy.call('POST', `/schools/${A}/leave-requests`, { studentKey: 'ghost', kind: 'leave', from: Date.now(), until: Date.now() + H, reasonKind: 'illness' });
      expect(nobody.status).toBe(404);
      // The guardian (the teacher-parent) sees it among their child's leaves.
      const s = await ht1.call('POST', '/home/guardian-session');
      const theirs = await homeApi(cloud.url, s.json.token, 'GET', '/guardian/requests');
      expect(theirs.json.requests.map((x: Json) => x.id)).toContain(r.json.request.id);
    });

    it("gives every guardian route to the child's guardian only: anonymous and a staff session get 401, a guardian of another child 404 or nothing of this family", async () => {
      const own = (await apply(MUM, leaveBody({ reason: 'matrix' }))).json.id as string;
      const staffOnly = async (method: string, path: string, body?: unknown) => {
        // A staff session cookie opens no guardian route.
        const res = await fetch(`${cloud.url}/api/home${path}`, { method, headers: { 'content-type': 'application/json', cookie: ht2.cookie! }, ...(body ? { body: JSON.stringify(body) } : {}) });
        return { status: res.status, json: (await res.json()) as Json };
      };
      type Caller = 'anonymous' | 'guardian' | 'other_guardian' | 'staff_only';
      const call = (who: Caller, method: string, path: string, body?: unknown) =>
        who === 'staff_only' ? staffOnly(method, path, body) : homeApi(cloud.url, who === 'anonymous' ? null : who === 'guardian' ? tokens[MUM]! : tokens[OTHER]!, method, path, body);
      // route → [anonymous, guardian, other guardian, staff only]; 'ok' = 2xx.
      const MATRIX: [string, string, () => unknown, (number | 'ok')[]][] = [
        ['GET', '/guardian/requests', () => undefined, [401, 'ok', 'ok', 401]],
        ['POST', '/guardian/requests', () => leaveBody({ reason: 'matrix-apply' }), [401, 'ok', 404, 401]],
        ['GET', '/guardian/alerts', () => undefined, [401, 'ok', 'ok', 401]],
        ['GET', '/guardian/visits', () => undefined, [401, 'ok', 'ok', 401]],
        // A visit is applied for by a person of that school (the other family's father is one too).
        ['POST', '/guardian/visits', () => ({ schoolId: A, hostKey: 't-zhao', purpose: '面谈', from: Date.now() + H, until: Date.now() + 2 * H }), [401, 'ok', 'ok', 401]],
      ];
      const failures: string[] = [];
      const callers: Caller[] = ['anonymous', 'guardian', 'other_guardian', 'staff_only'];
      for (const [method, path, body, want] of MATRIX) {
        for (const [i, who] of callers.entries()) {
          const r = await call(who, method, path, body());
          const got = r.status >= 200 && r.status < 300 ? 'ok' : r.status;
          if (got !== want[i]) failures.push(`${method} ${path} as ${who}: expected ${want[i]}, got ${r.status}`);
          if (got !== 'ok' && typeof r.json?.error?.message?.['zh-CN'] !== 'string') failures.push(`${method} ${path} as ${who}: refusal without a zh-CN message`);
          if (got === 'ok' && who === 'other_guardian' && JSON.stringify(r.json).includes('"s1"')) failures.push(`${method} ${path} as ${who}: sees the other family's child`);
        }
      }
      // Withdrawing an application: only its own family, and only while pending.
      for (const who of ['anonymous', 'other_guardian', 'staff_only'] as const) {
        const r = await call(who, 'POST', `/guardian/requests/${own}/cancel`);
        if (r.status !== (who === 'other_guardian' ? 404 : 401)) failures.push(`cancel as ${who}: got ${r.status}`);
      }
      expect(failures).toEqual([]);
      const mine = await call('guardian', 'POST', `/guardian/requests/${own}/cancel`);
      expect(mine.json).toMatchObject({ id: own, status: 'cancelled' });
      const twice = await call('guardian', 'POST', `/guardian/requests/${own}/cancel`);
      expect(twice.status).toBe(409);
      expect(twice.json.error.message['zh-CN']).toContain('已撤销');
      // The decision route refuses a withdrawn application too.
      expect((await ht1.call('POST', `/schools/${A}/leave-requests/${own}/decision`, { approve: true })).status).toBe(409);
    });

    it('issues a signed visitor pass on the host teacher\'s approval: visitor_pass record in the feed, QR the gates verify; others may not decide, nor twice', async () => {
      const from = Date.now() + H;
      const until = Date.now() + 3 * H;
      const visit = (phone: string, body: Record<string, unknown>) => homeApi(cloud.url, tokens[phone]!, 'POST', '/guardian/visits', body);
      // Bad input: an unknown host, the end before the start, another school.
      const noHost = await visit(MUM, { schoolId: A, hostKey: 's2', purpose: '家长会', from, until });
      expect(noHost.status).toBe(400);
      expect(noHost.json.error.message['zh-CN']).toContain('没有可接待访客的教师');
      expect((await visit(MUM, { schoolId: A, hostKey: 't-zhao', purpose: '家长会', from: until, until: from })).status).toBe(400);
      expect((await visit(MUM, { schoolId: 'sch_other', hostKey: 't-zhao', purpose: '家长会', from, until })).status).toBe(404);
      const applied = await visit(MUM, { schoolId: A, hostKey: 't-zhao', purpose: '家长会', from, until });
      expect(applied.status).toBe(201);
      expect(applied.json).toMatchObject({ status: 'pending', visitorName: '李芳', hostName: '赵老师', credential: null });
      const id = applied.json.id as string;
      // The host sees it; another teacher neither sees nor decides it.
      expect((await ht1.call('GET', `/schools/${A}/visit-requests?status=pending`)).json.visits.map((v: Json) => v.id)).toContain(id);
      expect((await ht2.call('GET', `/schools/${A}/visit-requests`)).json.visits).toEqual([]);
      const notHost = await ht2.call('POST', `/schools/${A}/visit-requests/${id}/decision`, { approve: true });
      expect(notHost.status).toBe(403);
      expect(notHost.json.error.message['zh-CN']).toContain('被访教师');
      const ok = await ht1.call('POST', `/schools/${A}/visit-requests/${id}/decision`, { approve: true });
      expect(ok.status).toBe(200);
      const passNo = ok.json.request.passNo as number;
      expect(passNo).toBeGreaterThanOrEqual(1);
      expect(passNo).toBeLessThan(1_000_000); // below the edges' own pass numbers
      expect(await cloud.records.get(A, 'visitor_pass', String(passNo))).toMatchObject({ name: '李芳', host: 't-zhao', phone: MUM });
      expect((await ht1.call('POST', `/schools/${A}/visit-requests/${id}/decision`, { approve: false })).status).toBe(409);
      // The applicant sees the signed pass; it verifies with the cloud's public key, as a gate does.
      const mine = await homeApi(cloud.url, tokens[MUM]!, 'GET', '/guardian/visits');
      const pass = mine.json.visits.find((v: Json) => v.id === id);
      expect(pass).toMatchObject({ status: 'approved', passNo });
      const key = await admin.call('GET', `/schools/${A}/visits/pass-key`);
      expect(key.json).toMatchObject({ kid: 'Q1', keyKinds: { Q1: ['visitor'] } });
      const keyring = new Keyring([[key.json.kid, key.json.publicKeyPem]]);
      const v = verifyCredential(pass.credential, keyring, from + 60_000);
      expect(v).toMatchObject({ ok: true, credential: { kind: 'visitor', passId: passNo, hostPersonId: 'T-ZHAO', zones: [1] } });
      expect(verifyCredential(pass.credential, keyring, until + 10 * 60_000).ok).toBe(false);
      // Nobody else sees the pass.
      expect((await homeApi(cloud.url, tokens[OTHER]!, 'GET', '/guardian/visits')).json.visits.map((x: Json) => x.id)).not.toContain(id);
      // The school's places for cloud passes: validated.
      expect((await admin.call('PUT', `/schools/${A}/visits/places`, { gates: [], zones: [] })).status).toBe(400);
      expect((await admin.call('PUT', `/schools/${A}/visits/places`, { gates: [1, 2] })).status).toBe(200);
    });

    it('takes roll call against today\'s gate status and flags gate/room mismatches to the head teacher at once', async () => {
      await ingest(gatePass(SITE, 's3', 'in', { occurredAt: Date.now() - 30 * 60_000 }));
      const path = `/schools/${A}/classes/${encodeURIComponent(C1)}/roll-call`;
      // The head teacher of another class may not take this class's roll.
      const other = await ht2.call('GET', path);
      expect(other.status).toBe(403);
      expect(other.json.error.message['zh-CN']).toContain(C1);
      const list = await deputy.call('GET', path);
      expect(list.status).toBe(200);
      const status = Object.fromEntries(list.json.students.map((x: Json) => [x.studentKey, x.gate]));
      expect(status).toEqual({ s1: 'on_leave', s3: 'arrived', s4: 'not_arrived' });
      const before = (await ht1.call('GET', '/home/alerts')).json.alerts.length;
      // s3 came in through the gate but is not in the room; s4 is in the room with no gate entry.
      const marked = await deputy.call('PUT', path, { present: ['s4'] });
      expect(marked.status).toBe(200);
      expect([...marked.json.flagged].sort((x: Json, y: Json) => x.studentKey.localeCompare(y.studentKey))).toEqual([
        { studentKey: 's3', kind: 'missing_in_class' },
        { studentKey: 's4', kind: 'no_gate_entry' },
      ]);
      expect(Object.fromEntries(marked.json.students.map((x: Json) => [x.studentKey, x.present]))).toEqual({ s1: false, s3: false, s4: true });
      const alerts = (await ht1.call('GET', '/home/alerts')).json.alerts as Json[];
      expect(alerts.length - before).toBe(2);
      expect(alerts.map((a) => a.text['zh-CN'])).toEqual(
        expect.arrayContaining([expect.stringContaining('钱小三（三年级1班）今天已刷卡入校，但点名时不在班'), expect.stringContaining('孙小四（三年级1班）在班，但今天没有入校刷卡记录')]),
      );
      // The other class's head teacher hears nothing of it.
      expect((await ht2.call('GET', '/home/alerts')).json.alerts).toEqual([]);
      // A student key that is not a key: refused, nothing changed.
      expect((await deputy.call('PUT', path, { present: ['<script>'] })).status).toBe(400);
    });

    it('counts approved leaves per class and reason; a head teacher sees the own classes only', async () => {
      const q = `from=${Date.now() - 24 * H}&until=${Date.now() + 48 * H}`;
      const all = await office.call('GET', `/schools/${A}/leave-stats?${q}`);
      expect(all.status).toBe(200);
      expect(all.json.counts).toEqual([
        { classId: C1, reasonKind: 'family', count: 1 },
        { classId: C1, reasonKind: 'illness', count: 1 },
        { classId: C2, reasonKind: 'illness', count: 1 },
      ]);
      const own = await ht2.call('GET', `/schools/${A}/leave-stats?${q}`);
      expect(own.json.counts).toEqual([{ classId: C2, reasonKind: 'illness', count: 1 }]);
      expect((await office.call('GET', `/schools/${A}/leave-stats?from=x`)).status).toBe(400);
    });
  });
}
