import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeFeedFollower } from '../../src/client/change-feed.js';
import { MemoryChangeApplier } from '../../src/client/reference/memory-applier.js';
import { SignedTransport } from '../../src/client/transport.js';
import type { Backend } from '../helpers/backends.js';
import { startTestCloud, waitFor, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { signInGuardian } from '../helpers/parent-client.js';
import { StaffClient, staffSignIn } from '../helpers/staff-client.js';

const PW = 'correct-horse-42';
const C1 = '一年级1班';
const C2 = '一年级2班';
const TEACHER_PHONE = '13700000001';

/**
 * Staff identities in the cloud: first admin by admin token, sign-in by password and by
 * SMS code, cookie + CSRF, lockout, cross-school refusal, head teacher class scope,
 * read-only district viewer, concurrent edits and the append-only audit. PGlite and PostgreSQL.
 */
export function staffContract(backend: Backend): void {
  describe(`staff identities on ${backend.name}`, () => {
    let cloud: TestCloud;
    let sms: HttpSink;
    let A: string;
    let edgeA: Awaited<ReturnType<TestCloud['provisionEdge']>>;
    let B: string;
    let districtId: string;
    let adminA: StaffClient;
    let adminB: StaffClient;
    let distAdmin: StaffClient;
    const clock = { offset: 0 };

    const readCode = async (phone: string, before: number) => {
      const msg = await waitFor(() => sms.received.slice(before).find((m) => m.body?.to === phone && m.body?.kind === 'otp'), `code SMS to ${phone}`);
      return /(\d{6})/.exec(String(msg.body.text))![1]!;
    };
    const auditOf = async (c: StaffClient, q = '') => (await c.call('GET', `/audit${q}`)).json.entries as { action: string; actorName: string; actorId: string | null; target: string | null; at: number; detail: Record<string, unknown>; schoolId: string | null }[];

    beforeAll(async () => {
      sms = await startHttpSink();
      cloud = await startTestCloud(backend, { channels: { sms: { url: sms.url } }, now: () => Date.now() + clock.offset, staffAuth: { maxFailures: 5, lockoutMs: 15 * 60_000 } });
      edgeA = await cloud.provisionEdge({ schoolName: '甲校', site: 'staff-a' });
      A = edgeA.schoolId;
      B = (await cloud.provisionEdge({ schoolName: '乙校', site: 'staff-b' })).schoolId;
      await cloud.records.write(A, [
        { kind: 'person', key: 's1', data: { name: '王一', roles: ['student'], classId: C1 } },
        { kind: 'person', key: 's2', data: { name: '王二', roles: ['student'], classId: C2 } },
        { kind: 'person', key: 's3', data: { name: '李三', roles: ['student'], classId: C1 } },
        // One person: a teacher in A who is also s1's guardian.
        { kind: 'person', key: 't-li', data: { name: '李老师', roles: ['teacher', 'guardian'], phone: TEACHER_PHONE } },
        { kind: 'guardianship', key: 's1.t-li', data: { studentId: 's1', guardianId: 't-li', relation: '母亲', mayPickUp: true, receivesNotices: true } },
      ]);
      await cloud.records.write(B, [{ kind: 'person', key: 's1', data: { name: '乙学生', roles: ['student'], classId: C1 } }]);
      expect((await cloud.admin('POST', `/schools/${A}/accounts`, { username: 'admin-a', displayName: '甲校管理员', password: PW })).status).toBe(201);
      expect((await cloud.admin('POST', `/schools/${B}/accounts`, { username: 'admin-b', displayName: '乙校管理员', password: PW })).status).toBe(201);
      const d = await cloud.admin('POST', '/districts', { name: '某区教育局', schoolIds: [A] });
      expect(d.status).toBe(201);
      districtId = d.json.id;
      expect((await cloud.admin('POST', `/districts/${districtId}/accounts`, { username: 'edu-admin', displayName: '教育局管理员', password: PW })).status).toBe(201);
      adminA = await staffSignIn(cloud.url, 'admin-a', PW);
      adminB = await staffSignIn(cloud.url, 'admin-b', PW);
      distAdmin = await staffSignIn(cloud.url, 'edu-admin', PW);
    }, 180_000);
    afterAll(async () => {
      await cloud?.dispose();
      await sms?.close();
    });

    it('makes only the first admin of a school or district with the admin token', async () => {
      const again = await cloud.admin('POST', `/schools/${A}/accounts`, { username: 'admin-a2', displayName: 'x', password: PW });
      expect(again.status).toBe(409);
      expect(again.json.error.message['zh-CN']).toContain('已有可用的管理员账号');
      expect(again.json.error.message.en).toContain('An enabled admin account exists');
      expect((await cloud.admin('POST', `/districts/${districtId}/accounts`, { username: 'edu2', displayName: 'x', password: PW })).status).toBe(409);
      expect((await cloud.admin('POST', `/schools/nope/accounts`, { username: 'nobody', displayName: 'x', password: PW })).status).toBe(404);
      // The admin token chooses no roles and opens no staff route.
      expect((await cloud.admin('POST', `/schools/${B}/accounts`, { username: 'x-b', displayName: 'x', password: PW, roles: ['it'] })).status).toBe(400);
      const r = await fetch(`${cloud.url}/api/staff/accounts`, { headers: { authorization: `Bearer ${cloud.adminToken}` } });
      expect(r.status).toBe(401);
      const body = (await r.json()) as { error: { message: { 'zh-CN': string; en: string } } };
      expect(body.error.message['zh-CN']).toContain('请先登录');
      expect(body.error.message.en).toContain('Please sign in');
    });

    it("puts the admin token's writes in the school's audit too; the token writes and reads no records or notices", async () => {
      const t0 = Date.now();
      expect((await cloud.admin('POST', `/schools/${A}/campuses`, { name: '西校区', site: 'staff-a-west' })).status).toBe(201);
      expect((await cloud.admin('PUT', `/edges/${edgeA.edgeId}/disabled`, { disabled: false })).status).toBe(200);
      // Provisioning only: what a school owns is written by its staff or its own systems' keys.
      expect((await cloud.admin('POST', `/schools/${A}/records`, { records: [{ kind: 'person', key: 'tok-1', data: { name: '令牌写入', roles: ['student'] } }] })).status).toBe(404);
      expect((await cloud.admin('PUT', `/schools/${A}/records/person/tok-1`, { name: '令牌写入', roles: ['student'] })).status).toBe(404);
      expect((await cloud.admin('DELETE', `/schools/${A}/records/person/stu-a`)).status).toBe(404);
      expect((await cloud.admin('GET', `/schools/${A}/records/person/stu-a`)).status).toBe(404);
      expect((await cloud.admin('GET', `/schools/${A}/notices`)).status).toBe(404);
      expect(await cloud.records.get(A, 'person', 'tok-1')).toBeNull();
      const rows = await waitFor(async () => {
        const r = (await auditOf(adminA)).filter((e) => e.actorName === 'admin-token' && e.at >= t0);
        return r.length >= 2 ? r : null;
      }, 'admin-token audit rows');
      expect(rows.map((e) => e.action).sort()).toEqual(['admin.campus.create', 'admin.edge.disabled']);
      expect(rows.find((e) => e.action === 'admin.edge.disabled')).toMatchObject({ target: edgeA.edgeId, actorId: null, schoolId: A });
      expect((await auditOf(adminB)).some((e) => e.actorName === 'admin-token' && e.at >= t0)).toBe(false);
    });

    it('signs in with a password into an HttpOnly SameSite=Strict cookie; writes need the CSRF token; sign-out ends the session', async () => {
      const c = new StaffClient(cloud.url);
      const r = await c.signIn({ username: 'ADMIN-A', password: PW });
      expect(r.status).toBe(201);
      const cookie = r.headers.getSetCookie().find((x) => x.startsWith('campus_staff_sid='))!;
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      expect(cookie).toMatch(/Path=\//);
      expect(cookie).not.toMatch(/Secure/i); // plain http here
      // Behind a TLS-terminating proxy on loopback the cookie is Secure.
      const viaProxy = await fetch(`${cloud.url}/api/staff/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' }, body: JSON.stringify({ username: 'admin-a', password: PW }) });
      expect(viaProxy.status).toBe(201);
      expect(viaProxy.headers.getSetCookie().find((x) => x.startsWith('campus_staff_sid='))).toMatch(/; Secure/i);
      expect(r.json.account).toMatchObject({ username: 'admin-a', schoolId: A, roles: ['school_admin'] });
      expect(r.json.account.passwordHash).toBeUndefined();
      expect(r.json.schools).toEqual([{ id: A, name: '甲校', timezone: 'Asia/Shanghai' }]);
      const me = await c.call('GET', '/session');
      expect(me.status).toBe(200);
      expect(me.json.csrfToken).toBe(c.csrfToken);
      const noCsrf = await c.call('POST', '/accounts', { username: 'no-csrf', displayName: 'x', password: PW, roles: ['teacher'] }, { csrf: false });
      expect(noCsrf.status).toBe(403);
      expect(noCsrf.json.error.code).toBe('staff.error.csrf');
      expect((await adminA.call('GET', '/accounts')).json.accounts.some((a: { username: string }) => a.username === 'no-csrf')).toBe(false);
      const wrongCsrf = new StaffClient(cloud.url);
      wrongCsrf.cookie = c.cookie;
      wrongCsrf.csrfToken = adminA.csrfToken; // another session's token
      expect((await wrongCsrf.call('DELETE', '/session')).status).toBe(403);
      const stolen = c.cookie;
      expect((await c.call('DELETE', '/session')).status).toBe(204);
      expect(c.cookie).toBeNull();
      const replay = new StaffClient(cloud.url);
      replay.cookie = stolen;
      expect((await replay.call('GET', '/session')).status).toBe(401);
      const wrong = await new StaffClient(cloud.url).signIn({ username: 'admin-a', password: 'wrong-password-1' });
      expect(wrong.status).toBe(401);
      expect(wrong.json.error.message).toEqual({ 'zh-CN': '用户名或密码错误', en: 'Wrong username or password' });
      expect((await new StaffClient(cloud.url).signIn({ username: 'nobody-here', password: PW })).status).toBe(401);
      expect((await new StaffClient(cloud.url).call('POST', '/session', '{not json')).status).toBe(400);
    });

    it('signs a teacher who is also a guardian in by phone code, to the console and the parent app alike', async () => {
      const created = await adminA.call('POST', '/accounts', { username: 'teacher-li', displayName: '李老师', personKey: 't-li', roles: ['teacher'] });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({ personKey: 't-li', phone: TEACHER_PHONE, hasPassword: false, roles: ['teacher'] });
      // Unknown numbers get the same answer and no SMS.
      let before = sms.received.length;
      expect((await new StaffClient(cloud.url).call('POST', '/session/code', { phone: '13999999999' })).status).toBe(202);
      expect(sms.received.length).toBe(before);
      before = sms.received.length;
      const c = new StaffClient(cloud.url);
      expect((await c.call('POST', '/session/code', { phone: TEACHER_PHONE })).status).toBe(202);
      const code = await readCode(TEACHER_PHONE, before);
      expect((await c.call('POST', '/session/code', { phone: TEACHER_PHONE })).status).toBe(429);
      // The parent app's code for the same number is separate: neither replaces the other.
      const parentToken = await signInGuardian(cloud.url, sms, TEACHER_PHONE);
      expect(parentToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      const r = await c.signIn({ phone: TEACHER_PHONE, code });
      expect(r.status).toBe(201);
      expect(r.json.account).toMatchObject({ username: 'teacher-li', personKey: 't-li' });
      expect((await new StaffClient(cloud.url).signIn({ phone: TEACHER_PHONE, code })).status).toBe(401); // used once
      const audit = await auditOf(adminA, '?action=staff.signin');
      expect(audit.find((e) => e.actorName === 'teacher-li')).toMatchObject({ detail: { method: 'code' }, schoolId: A });
      // Another school's person cannot be linked; two accounts cannot share a person or a phone.
      expect((await adminB.call('POST', '/accounts', { username: 'li-b', displayName: 'x', personKey: 't-li', roles: ['teacher'] })).status).toBe(400);
      const dupPerson = await adminA.call('POST', '/accounts', { username: 'li2', displayName: 'x', personKey: 't-li', password: PW, roles: ['teacher'] });
      expect(dupPerson.status).toBe(409);
      expect(dupPerson.json.error.message['zh-CN']).toContain('t-li');
      expect((await adminB.call('POST', '/accounts', { username: 'li-b2', displayName: 'x', phone: TEACHER_PHONE, roles: ['teacher'] })).status).toBe(409);
    });

    it('locks an account after five failures, even for the right password, until an admin resets it or the lock runs out', async () => {
      const made = await adminA.call('POST', '/accounts', { username: 'office-wu', displayName: '吴主任', password: PW, roles: ['office'] });
      expect(made.status).toBe(201);
      for (let i = 0; i < 5; i++) expect((await new StaffClient(cloud.url).signIn({ username: 'office-wu', password: `wrong-${i}-xxxxx` })).status).toBe(401);
      const locked = await new StaffClient(cloud.url).signIn({ username: 'office-wu', password: PW });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800);
      expect(locked.json.error.message['zh-CN']).toContain('账号已锁定');
      expect((await adminA.call('GET', `/accounts/${made.json.id}`)).json.lockedUntil).toBeGreaterThan(Date.now());
      const actions = (await auditOf(adminA)).filter((e) => e.target === made.json.id).map((e) => e.action);
      expect(actions.filter((a) => a === 'staff.signin.failed')).toHaveLength(4);
      expect(actions).toContain('staff.signin.lockout');
      expect(actions).toContain('staff.signin.locked');
      // The admin's reset unlocks.
      expect((await adminA.call('PUT', `/accounts/${made.json.id}/password`, { password: 'a-new-password-1' })).status).toBe(204);
      expect((await new StaffClient(cloud.url).signIn({ username: 'office-wu', password: 'a-new-password-1' })).status).toBe(201);
      // Locked again; 15 minutes later the right password works and the count starts afresh.
      for (let i = 0; i < 5; i++) await new StaffClient(cloud.url).signIn({ username: 'office-wu', password: `wrong-${i}-yyyyy` });
      expect((await new StaffClient(cloud.url).signIn({ username: 'office-wu', password: 'a-new-password-1' })).status).toBe(429);
      clock.offset = 15 * 60_000 + 1000;
      try {
        expect((await new StaffClient(cloud.url).signIn({ username: 'office-wu', password: 'wrong-again-zz' })).status).toBe(401);
        expect((await new StaffClient(cloud.url).signIn({ username: 'office-wu', password: 'a-new-password-1' })).status).toBe(201);
      } finally {
        clock.offset = 0;
      }
    });

    it('refuses an address that sprays passwords over many accounts, and only that address', async () => {
      const from = (address: string, body: unknown) =>
        fetch(`${cloud.url}/api/staff/session`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify(body) });
      for (let i = 0; i < 50; i++) expect((await from('10.9.9.9', { username: `spray-${i % 7}`, password: `guess-${i}` })).status).toBe(401);
      const refused = await from('10.9.9.9', { username: 'admin-a', password: PW });
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as { error: { message: { 'zh-CN': string } } }).error.message['zh-CN']).toContain('此网络地址登录失败次数过多');
      expect((await from('10.9.9.10', { username: 'admin-a', password: PW })).status).toBe(201);
    });

    it("refuses one school's staff everything of another school", async () => {
      const bAccount = (await adminB.call('GET', '/accounts')).json.accounts[0];
      expect(bAccount.username).toBe('admin-b');
      for (const [m, body] of [['GET'], ['PATCH', { version: bAccount.version, displayName: 'hacked' }], ['PUT', { password: 'hacked-password' }], ['DELETE']] as const) {
        const path = m === 'PUT' ? `/accounts/${bAccount.id}/password` : `/accounts/${bAccount.id}`;
        const r = await adminA.call(m, path, body);
        expect(r.status, `${m} ${path}`).toBe(404);
        expect(r.json.error.message['zh-CN']).toContain('不在您的管理范围内');
      }
      expect((await adminB.call('GET', `/accounts/${bAccount.id}`)).json).toMatchObject({ displayName: '乙校管理员', version: bAccount.version });
      expect((await adminA.call('GET', `/schools/${B}/classes/${encodeURIComponent(C1)}/students`)).status).toBe(404);
      expect((await adminA.call('PUT', `/schools/${B}/classes/${encodeURIComponent(C1)}/leaves/x1`, { personId: 's1', from: 1, until: 2 })).status).toBe(404);
      expect(await cloud.records.get(B, 'leave', 'x1')).toBeNull();
      expect((await adminB.call('GET', `/schools/${B}/classes/${encodeURIComponent(C1)}/students`)).json.students.map((s: { name: string }) => s.name)).toEqual(['乙学生']);
      expect((await adminA.call('GET', '/schools')).json.schools.map((s: { id: string }) => s.id)).toEqual([A]);
      // A's audit holds none of B's rows and vice versa.
      expect((await auditOf(adminA)).every((e) => e.schoolId === A)).toBe(true);
      expect((await auditOf(adminB)).every((e) => e.schoolId === B)).toBe(true);
    });

    it('lets a head teacher reach only the classes they lead; a leave reaches the change feed', async () => {
      expect((await adminA.call('POST', '/accounts', { username: 'ht-zhao', displayName: '赵老师', password: PW, roles: ['head_teacher'], classes: [C1] })).status).toBe(201);
      const ht = await staffSignIn(cloud.url, 'ht-zhao', PW);
      const c1 = encodeURIComponent(C1);
      const c2 = encodeURIComponent(C2);
      const list = await ht.call('GET', `/schools/${A}/classes/${c1}/students`);
      expect(list.status).toBe(200);
      expect(list.json.students.map((s: { key: string }) => s.key).sort()).toEqual(['s1', 's3']);
      const other = await ht.call('GET', `/schools/${A}/classes/${c2}/students`);
      expect(other.status).toBe(403);
      expect(other.json.error.message['zh-CN']).toBe(`您不是班级 ${C2} 的班主任`);
      const from = Date.now();
      const cursorBefore = (await cloud.records.changesAfter(A, 0, 1000)).cursor;
      const ok = await ht.call('PUT', `/schools/${A}/classes/${c1}/leaves/lv-1`, { personId: 's1', from, until: from + 3600_000, reason: '病假' });
      expect(ok.status).toBe(200);
      const feed = await cloud.records.changesAfter(A, cursorBefore, 100);
      expect(feed.changes).toEqual([expect.objectContaining({ kind: 'leave', key: 'lv-1', op: 'upsert', data: expect.objectContaining({ personId: 's1', approvedBy: 'ht-zhao', reason: '病假' }) })]);
      // Another class: through its own path 403, smuggled through the own class's path 404.
      expect((await ht.call('PUT', `/schools/${A}/classes/${c2}/leaves/lv-2`, { personId: 's2', from, until: from + 1000 })).status).toBe(403);
      const smuggled = await ht.call('PUT', `/schools/${A}/classes/${c1}/leaves/lv-2`, { personId: 's2', from, until: from + 1000 });
      expect(smuggled.status).toBe(404);
      expect(smuggled.json.error.message['zh-CN']).toContain('没有学生 s2');
      // A class-2 leave made by the admin cannot be overwritten or cancelled from class 1.
      expect((await adminA.call('PUT', `/schools/${A}/classes/${c2}/leaves/lv-3`, { personId: 's2', from, until: from + 1000 })).status).toBe(200);
      expect((await ht.call('PUT', `/schools/${A}/classes/${c1}/leaves/lv-3`, { personId: 's1', from, until: from + 1000 })).status).toBe(404);
      expect((await ht.call('DELETE', `/schools/${A}/classes/${c1}/leaves/lv-3`)).status).toBe(404);
      expect(await cloud.records.get(A, 'leave', 'lv-3')).toMatchObject({ personId: 's2' });
      expect((await ht.call('PUT', `/schools/${A}/classes/${c1}/leaves/lv-4`, { personId: 's1', from, until: from - 1 })).status).toBe(400);
      expect((await ht.call('DELETE', `/schools/${A}/classes/${c1}/leaves/lv-1`)).status).toBe(200);
      expect(await cloud.records.get(A, 'leave', 'lv-1')).toBeNull();
      // Nor may a head teacher manage accounts.
      expect((await ht.call('GET', '/accounts')).status).toBe(403);
      // Roles changed by the admin end the head teacher's sessions: the new class set applies at once.
      const acct = (await adminA.call('GET', '/accounts')).json.accounts.find((a: { username: string }) => a.username === 'ht-zhao');
      expect((await adminA.call('PATCH', `/accounts/${acct.id}`, { version: acct.version, classes: [C2] })).status).toBe(200);
      expect((await ht.call('GET', `/schools/${A}/classes/${c1}/students`)).status).toBe(401);
      const ht2 = await staffSignIn(cloud.url, 'ht-zhao', PW);
      expect((await ht2.call('GET', `/schools/${A}/classes/${c1}/students`)).status).toBe(403);
      expect((await ht2.call('GET', `/schools/${A}/classes/${c2}/students`)).status).toBe(200);
    });

    it('says when a connected edge has applied a leave granted in the console', async () => {
      const applier = new MemoryChangeApplier();
      const transport = new SignedTransport({ cloudUrl: cloud.url, credentials: edgeA.credentials });
      const follower = new ChangeFeedFollower({ transport, applier, waitSeconds: 20 });
      await follower.start();
      try {
        const admin = await staffSignIn(cloud.url, 'admin-a', PW);
        const from = Date.now();
        const put = await admin.call('PUT', `/schools/${A}/classes/${encodeURIComponent(C1)}/leaves/lv-edge`, { personId: 's3', from, until: from + 3600_000 });
        expect(put.status).toBe(200);
        const cursor = put.json.cursor as number;
        await waitFor(() => applier.get('leave', 'lv-edge'), 'the leave on the edge', 15_000);
        expect(applier.get('leave', 'lv-edge')).toMatchObject({ personId: 's3', approvedBy: 'admin-a' });
        // The edge tells the cloud by asking the feed from its new cursor.
        const view = await waitFor(async () => {
          const r = await admin.call('GET', `/schools/${A}/edges`);
          const e = r.json.edges.find((x: { id: string }) => x.id === edgeA.edgeId);
          // Last contact is written in batches about once a second: wait for it too.
          return e && e.applied.cursor >= cursor && e.lastSeenAt !== null ? r.json : null;
        }, 'the edge to report the cursor', 15_000);
        expect(view.cursor).toBeGreaterThanOrEqual(cursor);
        expect(view.edges).toEqual([expect.objectContaining({ id: edgeA.edgeId, site: 'staff-a', disabled: false, applied: expect.objectContaining({ behind: 0 }) })]);
        expect(view.edges[0].applied.at).toBeGreaterThanOrEqual(from);
        expect(view.edges[0].lastSeenAt).toBeGreaterThanOrEqual(from - 60_000);
      } finally {
        await follower.stop();
        transport.close();
      }
    });

    it('lets a district admin manage district accounts, and a district viewer read but write nothing', async () => {
      expect((await distAdmin.call('GET', '/schools')).json.schools.map((s: { id: string }) => s.id)).toEqual([A]);
      const bad = await distAdmin.call('POST', '/accounts', { username: 'edu-x', displayName: 'x', password: PW, roles: ['school_admin'] });
      expect(bad.status).toBe(400);
      expect(bad.json.error.message['zh-CN']).toContain('教育局账号只能有教育局角色');
      expect((await adminA.call('POST', '/accounts', { username: 'a-x', displayName: 'x', password: PW, roles: ['district_viewer'] })).status).toBe(400);
      const made = await distAdmin.call('POST', '/accounts', { username: 'edu-view', displayName: '督导', password: PW, roles: ['district_viewer'] });
      expect(made.status).toBe(201);
      expect(made.json).toMatchObject({ districtId, schoolId: null, roles: ['district_viewer'] });
      // School accounts are not the district's to see, nor district accounts the school's.
      expect((await distAdmin.call('GET', '/accounts')).json.accounts.map((a: { username: string }) => a.username).sort()).toEqual(['edu-admin', 'edu-view']);
      expect((await adminA.call('GET', `/accounts/${made.json.id}`)).status).toBe(404);
      const viewer = await staffSignIn(cloud.url, 'edu-view', PW);
      expect((await viewer.call('GET', '/schools')).json.schools.map((s: { id: string }) => s.id)).toEqual([A]);
      for (const [m, path, body] of [
        ['POST', '/accounts', { username: 'v-x', displayName: 'x', password: PW, roles: ['district_viewer'] }],
        ['PATCH', `/accounts/${made.json.id}`, { version: 1, displayName: 'x' }],
        ['DELETE', `/accounts/${made.json.id}`],
        ['PUT', `/schools/${A}/classes/${encodeURIComponent(C1)}/leaves/v-1`, { personId: 's1', from: 1, until: 2 }],
      ] as const) {
        const r = await viewer.call(m, path, body);
        expect(r.status, `${m} ${path}`).toBe(403);
      }
      expect(await cloud.records.get(A, 'leave', 'v-1')).toBeNull();
      // No child's personal data leaves the school: class rosters are not a district route.
      expect((await viewer.call('GET', `/schools/${A}/classes/${encodeURIComponent(C1)}/students`)).status).toBe(403);
      expect((await distAdmin.call('GET', `/schools/${A}/classes/${encodeURIComponent(C1)}/students`)).status).toBe(403);
      expect((await viewer.call('GET', `/schools/${B}/classes/${encodeURIComponent(C1)}/students`)).status).toBe(404);
      const audit = await auditOf(distAdmin);
      expect(audit.find((e) => e.action === 'staff.account.create' && e.target === made.json.id)).toMatchObject({ actorName: 'edu-admin' });
      expect(audit.every((e) => e.schoolId === null)).toBe(true);
    });

    it('refuses an edit based on an older version with what changed, and keeps admins from locking themselves out', async () => {
      const made = await adminA.call('POST', '/accounts', { username: 'nurse-he', displayName: '何医生', password: PW, roles: ['nurse'] });
      const admin2 = await adminA.call('POST', '/accounts', { username: 'admin-a2', displayName: '甲校管理员二', password: PW, roles: ['school_admin'] });
      expect(admin2.status).toBe(201);
      const second = await staffSignIn(cloud.url, 'admin-a2', PW);
      const v = made.json.version;
      const first = await adminA.call('PATCH', `/accounts/${made.json.id}`, { version: v, roles: ['nurse', 'teacher'] });
      expect(first.status).toBe(200);
      expect(first.json.version).toBe(v + 1);
      const late = await second.call('PATCH', `/accounts/${made.json.id}`, { version: v, displayName: '何' });
      expect(late.status).toBe(409);
      expect(late.json.error.message['zh-CN']).toContain(`第 ${v} 版`);
      expect(late.json.error.details.current).toMatchObject({ version: v + 1, roles: ['nurse', 'teacher'], displayName: '何医生' });
      expect((await second.call('PATCH', `/accounts/${made.json.id}`, { version: v + 1, displayName: '何' })).status).toBe(200);
      const self = adminA.account;
      const me = (await adminA.call('GET', `/accounts/${self.id}`)).json;
      expect((await adminA.call('PATCH', `/accounts/${self.id}`, { version: me.version, disabled: true })).status).toBe(400);
      expect((await adminA.call('PATCH', `/accounts/${self.id}`, { version: me.version, roles: ['teacher'] })).status).toBe(400);
      expect((await adminA.call('DELETE', `/accounts/${self.id}`)).status).toBe(400);
      const typo = await adminA.call('POST', '/accounts', { username: 'ht-typo', displayName: 'x', password: PW, roles: ['head_teacher'], classes: ['一年级9班'] });
      expect(typo.status).toBe(400);
      expect(typo.json.error.message['zh-CN']).toContain('本校没有班级 一年级9班');
      // A class of another school is not one of this school's.
      expect((await adminB.call('POST', '/accounts', { username: 'ht-b', displayName: 'x', password: PW, roles: ['head_teacher'], classes: [C2] })).status).toBe(400);
      const headless = await adminA.call('POST', '/accounts', { username: 'ht-x', displayName: 'x', password: PW, roles: ['head_teacher'] });
      expect(headless.status).toBe(400);
      expect(headless.json.error.message.en).toContain('needs at least one class');
      expect((await adminA.call('POST', '/accounts', { username: 'x', displayName: 'x', password: PW, roles: ['teacher'] })).status).toBe(400);
      expect((await adminA.call('POST', '/accounts', { username: 'short-pw', displayName: 'x', password: 'short', roles: ['teacher'] })).status).toBe(400);
      expect((await adminA.call('POST', '/accounts', { username: 'no-way-in', displayName: 'x', roles: ['teacher'] })).status).toBe(400);
      expect((await adminA.call('POST', '/accounts', { username: 'Admin-A', displayName: 'x', password: PW, roles: ['teacher'] })).status).toBe(409);
      // Disabling ends the account's sessions at once.
      const nurse = await staffSignIn(cloud.url, 'nurse-he', PW);
      const cur = (await adminA.call('GET', `/accounts/${made.json.id}`)).json;
      expect((await second.call('PATCH', `/accounts/${made.json.id}`, { version: cur.version, disabled: true })).status).toBe(200);
      expect((await nurse.call('GET', '/session')).status).toBe(401);
      expect((await new StaffClient(cloud.url).signIn({ username: 'nurse-he', password: PW })).status).toBe(401);
    });

    it('keeps the later of two concurrent record edits from silently overwriting the first', async () => {
      expect((await adminA.call('POST', '/accounts', { username: 'office-qian', displayName: '钱老师', password: PW, roles: ['office'] })).status).toBe(201);
      expect((await adminA.call('POST', '/accounts', { username: 'office-sun', displayName: '孙老师', password: PW, roles: ['office'] })).status).toBe(201);
      const one = await staffSignIn(cloud.url, 'office-qian', PW);
      const two = await staffSignIn(cloud.url, 'office-sun', PW);
      const path = `/schools/${A}/roster/person/p-new`;
      const created = await one.call('PUT', path, { data: { name: '新同学', roles: ['student'], classId: C1 }, version: null });
      expect(created.status).toBe(200);
      const v1 = created.json.record.version as number;
      expect((await cloud.records.changesAfter(A, created.json.cursor - 1, 10)).changes[0]).toMatchObject({ kind: 'person', key: 'p-new', op: 'upsert' });
      // Creating what exists is a conflict, too.
      const again = await two.call('PUT', path, { data: { name: '重复', roles: ['student'] }, version: null });
      expect(again.status).toBe(409);
      expect(again.json.error.details.current).toMatchObject({ key: 'p-new', version: v1, data: { name: '新同学' } });
      // Both read v1 and save at once: one wins, the other is told what the record now is.
      const [a, b] = await Promise.all([
        one.call('PUT', path, { data: { name: '新同学甲', roles: ['student'], classId: C1 }, version: v1 }),
        two.call('PUT', path, { data: { name: '新同学乙', roles: ['student'], classId: C2 }, version: v1 }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const [win, lose] = a.status === 200 ? [a, b] : [b, a];
      expect(lose.json.error.message['zh-CN']).toContain('已被他人修改');
      expect(lose.json.error.details.current).toEqual(win.json.record);
      expect(await cloud.records.get(A, 'person', 'p-new')).toEqual(win.json.record.data);
      // Delete names the version too.
      expect((await one.call('DELETE', `${path}?version=${v1}`)).status).toBe(409);
      expect((await one.call('DELETE', `${path}?version=${win.json.record.version}`)).status).toBe(200);
      expect((await one.call('GET', path)).status).toBe(404);
      expect((await one.call('DELETE', `${path}?version=${win.json.record.version}`)).status).toBe(404);
      // Bad data: refused in both languages, nothing written.
      const bad = await one.call('PUT', `/schools/${A}/roster/person/p-bad`, { data: { name: '', roles: [] }, version: null });
      expect(bad.status).toBe(400);
      expect(bad.json.error.message['zh-CN']).toContain('请求格式错误');
      expect(await cloud.records.get(A, 'person', 'p-bad')).toBeNull();
      expect((await one.call('PUT', `/schools/${A}/roster/nope/x`, { data: {}, version: null })).status).toBe(400);
      expect((await one.call('GET', `/schools/${A}/roster/person?limit=2`)).json.records).toHaveLength(2);
      // USB policies are IT's, not the office's.
      expect((await one.call('PUT', `/schools/${A}/usb-policies/default`, { data: { mode: 'block' }, version: null })).status).toBe(403);
      const rows = (await auditOf(adminA, '?action=record.put')).filter((e) => e.target === 'person/p-new');
      expect(rows.map((e) => e.actorName).sort()).toEqual(['office-qian', win === a ? 'office-qian' : 'office-sun'].sort());
      expect(rows.every((e) => !JSON.stringify(e.detail).includes('新同学'))).toBe(true);
    });

    it('audits every write with who, what, when and target, in a log that cannot be changed', async () => {
      const t0 = Date.now();
      const made = await adminA.call('POST', '/accounts', { username: 'it-sun', displayName: '孙工', password: PW, roles: ['it'] });
      const id = made.json.id as string;
      await adminA.call('PATCH', `/accounts/${id}`, { version: made.json.version, displayName: '孙工程师' });
      await adminA.call('PUT', `/accounts/${id}/password`, { password: 'another-password-9' });
      const itStaff = await staffSignIn(cloud.url, 'it-sun', 'another-password-9');
      await itStaff.call('PUT', '/session/password', { currentPassword: 'another-password-9', newPassword: 'third-password-99' });
      expect((await itStaff.call('PUT', '/session/password', { currentPassword: 'wrong', newPassword: 'fourth-password-9' })).status).toBe(403);
      await itStaff.call('DELETE', '/session');
      await adminA.call('DELETE', `/accounts/${id}`);
      const rows = (await auditOf(adminA)).filter((e) => e.target === id && e.at >= t0).reverse();
      expect(rows.map((e) => [e.action, e.actorName])).toEqual([
        ['staff.account.create', 'admin-a'],
        ['staff.account.update', 'admin-a'],
        ['staff.account.password_reset', 'admin-a'],
        ['staff.signin', 'it-sun'],
        ['staff.password.change', 'it-sun'],
        ['staff.signout', 'it-sun'],
        ['staff.account.delete', 'admin-a'],
      ]);
      for (const e of rows) {
        expect(e.at).toBeGreaterThanOrEqual(t0);
        expect(e.at).toBeLessThanOrEqual(Date.now());
        expect(e.schoolId).toBe(A);
      }
      expect(rows[1]!.detail).toMatchObject({ changes: { displayName: '孙工程师' }, before: { displayName: '孙工' } });
      expect(JSON.stringify(rows)).not.toContain('another-password-9');
      expect(JSON.stringify(rows)).not.toContain('third-password-99');
      // A refused write leaves no row; the first admin's creation is the admin token's.
      expect((await auditOf(adminA)).some((e) => e.action === 'staff.password.change' && e.at >= t0 && e.actorName !== 'it-sun')).toBe(false);
      expect((await auditOf(adminA, '?action=staff.account.create_first_admin'))[0]).toMatchObject({ actorName: 'admin-token', actorId: null });
      // Only the school admin reads it; paging by id.
      expect((await itStaff.call('GET', '/audit')).status).toBe(401);
      const page1 = (await adminA.call('GET', '/audit?limit=2')).json;
      expect(page1.entries).toHaveLength(2);
      const page2 = (await adminA.call('GET', `/audit?limit=2&before=${page1.next}`)).json;
      expect(page2.entries[0].id).toBeLessThan(page1.entries[1].id);
      await expect(cloud.db.query('UPDATE staff_audit SET actor_name = $1', ['someone'])).rejects.toThrow(/append-only/);
      await expect(cloud.db.query('DELETE FROM staff_audit')).rejects.toThrow(/append-only/);
      expect((await adminA.call('GET', '/audit?limit=0')).status).toBe(400);
    });

    it('documents the staff API in the OpenAPI document', async () => {
      const doc = (await (await fetch(`${cloud.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { 'x-scope'?: string }>> };
      for (const r of cloud.staffRoutes) {
        const p = `/api/staff${r.path.replace(/:(\w+)/g, '{$1}')}`;
        expect(doc.paths[p]?.[r.method]?.['x-scope'], `${r.method} ${p}`).toBe(r.scope);
      }
    });
  });
}
