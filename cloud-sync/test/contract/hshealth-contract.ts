import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import { gatePass } from '@campus/testkit';
import type { Backend } from '../helpers/backends.js';
import { startTestCloud, type Json, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { homeApi, parentApi, signInGuardian } from '../helpers/parent-client.js';
import { signedSend } from '../helpers/signed-request.js';
import type { StaffClient} from '../helpers/staff-client.js';
import { staffSignIn } from '../helpers/staff-client.js';

const PW = 'home-health-pw-1';
const C1 = '四年级1班';
const C2 = '四年级2班';
const MUM = '13600000001'; // mother of s1 (C1)
const OTHER = '13600000002'; // father of s2 (C2): another family
const HT1_PHONE = '13600000011';
const SITE = 'health-a';
const NAME = '吴小明';
const ALLERGY = '青霉素过敏-PENICILLIN-7731';

/**
 * Health, medical notes, PIPL and alert SMS of the home-school app on the cloud:
 * morning checks by class (another class's child refused, nothing stored), guardian
 * declarations, the epidemic switch and the roll-ups; medical notes sealed at rest, read
 * only with a reason by the nurse and the class's teachers and audited for the guardian;
 * the child's export and erasure (nothing about the child left anywhere afterwards); the
 * overdue-leave and roll-call alerts sent by SMS once. PGlite and PostgreSQL.
 */
export function homeHealthContract(backend: Backend): void {
  describe(`home-school health, medical notes and PIPL on ${backend.name}`, () => {
    let cloud: TestCloud;
    let sms: HttpSink;
    let A: string;
    let edge: Awaited<ReturnType<TestCloud['provisionEdge']>>;
    let admin: StaffClient;
    let ht1: StaffClient; // head teacher of C1
    let ht2: StaffClient; // head teacher of C2
    let teacher: StaffClient; // a teacher of C1 (person record of the class)
    let stranger: StaffClient; // a teacher of no class
    let nurse: StaffClient;
    let office: StaffClient;
    const tokens: Record<string, string> = {};
    const clock = { offset: 0 };
    let leaveId = '';
    const ingest = async (...events: unknown[]) => expect((await signedSend(cloud.url, edge.credentials, 'POST', INGEST_PATH, JSON.stringify({ events }))).status).toBe(200);
    const home = (phone: string | null, method: string, path: string, body?: unknown) => homeApi(cloud.url, phone ? tokens[phone]! : null, method, path, body);

    beforeAll(async () => {
      sms = await startHttpSink();
      cloud = await startTestCloud(backend, { channels: { sms: { url: sms.url } }, now: () => Date.now() + clock.offset, leaveSweepMs: 3600_000, alertSmsMs: 3600_000, dataKey: Buffer.alloc(32, 7) });
      edge = await cloud.provisionEdge({ schoolName: '健康小学', site: SITE });
      A = edge.schoolId;
      const g = (stu: string, guardian: string, relation: string) => ({ kind: 'guardianship' as const, key: `${stu}.${guardian}`, data: { studentId: stu, guardianId: guardian, relation, mayPickUp: true, receivesNotices: true } });
      await cloud.records.write(A, [
        { kind: 'person', key: 's1', data: { name: NAME, roles: ['student'], classId: C1 } },
        { kind: 'person', key: 's2', data: { name: '郑小二', roles: ['student'], classId: C2 } },
        { kind: 'person', key: 's3', data: { name: '冯小三', roles: ['student'], classId: C1 } },
        { kind: 'person', key: 'mum', data: { name: '陈芳', roles: ['guardian'], phone: MUM } },
        { kind: 'person', key: 'dad2', data: { name: '郑伟', roles: ['guardian'], phone: OTHER } },
        { kind: 'person', key: 't-li', data: { name: '李老师', roles: ['teacher'], classId: C1 } },
        { kind: 'person', key: 't-ma', data: { name: '马老师', roles: ['teacher'] } },
        { kind: 'card', key: 'card-s1', data: { personId: 's1', version: 1, revoked: false } },
        g('s1', 'mum', '母亲'),
        g('s2', 'dad2', '父亲'),
      ]);
      expect((await cloud.admin('POST', `/schools/${A}/accounts`, { username: 'hh-admin', displayName: '管理员', password: PW })).status).toBe(201);
      admin = await staffSignIn(cloud.url, 'hh-admin', PW);
      const mk = async (body: Record<string, unknown>) => {
        const r = await admin.call('POST', '/accounts', { password: PW, ...body });
        expect(r.status, JSON.stringify(r.json)).toBe(201);
        return r.json.id as string;
      };
      await mk({ username: 'hh-ht1', displayName: '赵班主任', roles: ['head_teacher'], classes: [C1], phone: HT1_PHONE });
      await mk({ username: 'hh-ht2', displayName: '孙班主任', roles: ['head_teacher'], classes: [C2] });
      await mk({ username: 'hh-teacher', displayName: '李老师', personKey: 't-li', roles: ['teacher'] });
      await mk({ username: 'hh-stranger', displayName: '马老师', personKey: 't-ma', roles: ['teacher'] });
      await mk({ username: 'hh-nurse', displayName: '校医王', roles: ['nurse'] });
      await mk({ username: 'hh-office', displayName: '教务处', roles: ['office'] });
      [ht1, ht2, teacher, stranger, nurse, office] = await Promise.all(['hh-ht1', 'hh-ht2', 'hh-teacher', 'hh-stranger', 'hh-nurse', 'hh-office'].map((u) => staffSignIn(cloud.url, u, PW)));
      for (const p of [MUM, OTHER]) tokens[p] = await signInGuardian(cloud.url, sms, p);
    }, 180_000);
    afterAll(async () => {
      await cloud?.dispose();
      await sms?.close();
    });

    it('records the morning check of a class; a child of another class refuses the batch and nothing is stored', async () => {
      const bad = await teacher.call('PUT', `/schools/${A}/classes/${encodeURIComponent(C1)}/health-checks`, {
        checks: [{ studentKey: 's1', temperature: 38.2, symptoms: ['fever', 'cough'] }, { studentKey: 's2', temperature: 36.5 }],
      });
      expect(bad.status).toBe(400);
      expect(bad.json.error.message['zh-CN']).toBe(`学生 s2 不在班级 ${C1}，未保存任何晨检记录`);
      expect((await cloud.db.query('SELECT 1 FROM hs_health_checks')).rows).toEqual([]);
      const hot = await teacher.call('PUT', `/schools/${A}/classes/${encodeURIComponent(C1)}/health-checks`, { checks: [{ studentKey: 's1', temperature: 43.5 }] });
      expect(hot.status).toBe(400);
      const twice = await teacher.call('PUT', `/schools/${A}/classes/${encodeURIComponent(C1)}/health-checks`, { checks: [{ studentKey: 's1', temperature: 36.5 }, { studentKey: 's1', temperature: 38.5 }] });
      expect(twice.status).toBe(400);
      expect(twice.json.error.message['zh-CN']).toBe('同一学生在一次提交中出现了两次');
      const symptom = await teacher.call('PUT', `/schools/${A}/classes/${encodeURIComponent(C1)}/health-checks`, { checks: [{ studentKey: 's1', temperature: 36.5, symptoms: ['<script>'] }] });
      expect(symptom.status).toBe(400);
      // A head teacher of another class may not check this one.
      expect((await ht2.call('PUT', `/schools/${A}/classes/${encodeURIComponent(C1)}/health-checks`, { checks: [{ studentKey: 's1', temperature: 36.6 }] })).status).toBe(403);
      const ok = await teacher.call('PUT', `/schools/${A}/classes/${encodeURIComponent(C1)}/health-checks`, {
        checks: [{ studentKey: 's1', temperature: 38.2, symptoms: ['fever', 'cough'] }, { studentKey: 's3', temperature: 36.6 }],
      });
      expect(ok.status, JSON.stringify(ok.json)).toBe(200);
      expect(ok.json).toMatchObject({ stored: 2, unwell: ['s1'] });
      const list = await ht1.call('GET', `/schools/${A}/classes/${encodeURIComponent(C1)}/health`);
      expect(list.json.students.map((s: Json) => [s.studentKey, s.check?.temperature ?? null, s.check?.unwell ?? null]).sort()).toEqual([
        ['s1', 38.2, true],
        ['s3', 36.6, false],
      ]);
      expect(list.json.students.map((s: Json) => s.check.by)).toEqual(['李老师', '李老师']);
      // Health facts stay out of the append-only staff audit.
      const audit = await cloud.db.query<{ detail: Json }>(`SELECT detail FROM staff_audit WHERE action = 'home.health.check'`);
      expect(audit.rows).toHaveLength(1);
      expect(JSON.stringify(audit.rows[0]!.detail)).not.toContain('38.2');
    });

    it("takes a guardian's declaration for their own child only, and rolls up per class and school for the nurse", async () => {
      const foreign = await home(OTHER, 'POST', '/guardian/health/declarations', { schoolId: A, studentKey: 's1', temperature: 36.5 });
      expect(foreign.status).toBe(404);
      expect(foreign.json.error.message['zh-CN']).toContain('不是该学生的监护人');
      const badTemp = await home(MUM, 'POST', '/guardian/health/declarations', { schoolId: A, studentKey: 's1', temperature: 'hot' });
      expect(badTemp.status).toBe(400);
      expect((await cloud.db.query('SELECT 1 FROM hs_health_declarations')).rows).toEqual([]);
      const d = await home(MUM, 'POST', '/guardian/health/declarations', { schoolId: A, studentKey: 's1', temperature: 37.8, symptoms: ['sore_throat'] });
      expect(d.status, JSON.stringify(d.json)).toBe(201);
      expect(d.json.declaration).toMatchObject({ temperature: 37.8, symptoms: ['sore_throat'], by: '陈芳', unwell: true });
      const mine = await home(MUM, 'GET', '/guardian/health');
      expect(mine.json.children).toEqual([expect.objectContaining({ studentKey: 's1', required: false, declaration: expect.objectContaining({ temperature: 37.8 }), check: expect.objectContaining({ temperature: 38.2 }) })]);
      const sum = await nurse.call('GET', `/schools/${A}/health/summary`);
      expect(sum.status).toBe(200);
      expect(sum.json.classes).toEqual([
        { classId: C1, students: 2, checked: 2, declared: 1, fever: 1, unwell: 1, unknown: 0 },
        { classId: C2, students: 1, checked: 0, declared: 0, fever: 0, unwell: 0, unknown: 1 },
      ]);
      expect(sum.json.school).toEqual({ students: 3, checked: 2, declared: 1, fever: 1, unwell: 1, unknown: 1 });
      // A head teacher sees their classes only.
      expect((await ht2.call('GET', `/schools/${A}/health/summary`)).json.classes.map((c: Json) => c.classId)).toEqual([C2]);
      expect((await teacher.call('GET', `/schools/${A}/health/summary`)).status).toBe(403);
      // The epidemic switch: the nurse requires declarations; the undeclared list is what the gate reminds of.
      const on = await nurse.call('PUT', `/schools/${A}/health/policy`, { requireDeclaration: true });
      expect(on.status).toBe(200);
      expect(on.json.requireDeclaration).toBe(true);
      const und = await office.call('GET', `/schools/${A}/health/undeclared`);
      expect(und.json).toMatchObject({ required: true });
      expect(und.json.students.map((s: Json) => s.studentKey).sort()).toEqual(['s2', 's3']);
      expect((await home(MUM, 'GET', '/guardian/health')).json.children[0].required).toBe(true);
      // The edges learn who declared (no health facts) and the switch through the change feed.
      const feed = (await cloud.records.changesAfter(A, 0, 10_000)).changes;
      const date = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());
      expect(feed.filter((c) => c.kind === 'health_declaration').map((c) => [c.key, c.data])).toEqual([['hd-s1', { personId: 's1', date }]]);
      expect(feed.filter((c) => c.kind === 'health_policy').map((c) => [c.key, c.data])).toEqual([['school', { requireDeclaration: true }]]);
      // Not editable as roster.
      expect((await admin.call('PUT', `/schools/${A}/roster/health_policy/school`, { data: { requireDeclaration: false }, version: null })).status).toBe(400);
    });

    it('seals medical notes at rest; reads need a reason and the right class, and the guardian sees every read', async () => {
      const noConsent = await home(MUM, 'PUT', `/guardian/children/${A}/s1/medical`, { history: '哮喘', bloodType: 'A', allergies: ALLERGY });
      expect(noConsent.status).toBe(400);
      expect((await home(OTHER, 'PUT', `/guardian/children/${A}/s1/medical`, { history: 'x', consent: true })).status).toBe(404);
      expect((await home(MUM, 'PUT', `/guardian/children/${A}/s1/medical`, { bloodType: 'Z', consent: true })).status).toBe(400);
      expect((await home(MUM, 'PUT', `/guardian/children/${A}/s1/medical`, { history: 'x'.repeat(1001), consent: true })).status).toBe(400);
      const w = await home(MUM, 'PUT', `/guardian/children/${A}/s1/medical`, { history: '哮喘，运动时备药', bloodType: 'A', allergies: ALLERGY, specialNeeds: '体育课避免长跑', taboos: '不吃花生', consent: true });
      expect(w.status, JSON.stringify(w.json)).toBe(200);
      // At rest: sealed, the allergy nowhere in clear.
      const raw = await cloud.db.query<{ sealed: string; consent_at: number | null }>(`SELECT sealed, consent_at FROM hs_medical_notes WHERE student_key = 's1'`);
      expect(raw.rows[0]!.sealed).toMatch(/^cv1:/);
      expect(raw.rows[0]!.sealed).not.toContain('PENICILLIN');
      expect(raw.rows[0]!.consent_at).not.toBeNull();
      expect((await cloud.db.query(`SELECT 1 FROM hs_medical_notes WHERE sealed LIKE '%哮喘%' OR sealed LIKE '%PENICILLIN%'`)).rows).toEqual([]);
      // No reason: refused, and no read recorded.
      const noReason = await nurse.call('POST', `/schools/${A}/students/s1/medical/read`, {});
      expect(noReason.status).toBe(400);
      expect(noReason.json.error.message['zh-CN']).toContain('须填写查看原因');
      expect((await teacher.call('POST', `/schools/${A}/students/s1/medical/read`, { reason: ' ' })).status).toBe(400);
      // Teachers of another class: refused.
      const other = await ht2.call('POST', `/schools/${A}/students/s1/medical/read`, { reason: '好奇' });
      expect(other.status).toBe(403);
      expect(other.json.error.message['zh-CN']).toContain(C1);
      expect((await stranger.call('POST', `/schools/${A}/students/s1/medical/read`, { reason: '代课' })).status).toBe(403);
      expect((await office.call('POST', `/schools/${A}/students/s1/medical/read`, { reason: '查看' })).status).toBe(403);
      expect((await cloud.db.query('SELECT 1 FROM hs_medical_reads')).rows).toEqual([]);
      const byTeacher = await teacher.call('POST', `/schools/${A}/students/s1/medical/read`, { reason: '春游前确认过敏情况' });
      expect(byTeacher.status, JSON.stringify(byTeacher.json)).toBe(200);
      expect(byTeacher.json.notes).toEqual({ history: '哮喘，运动时备药', bloodType: 'A', allergies: ALLERGY, specialNeeds: '体育课避免长跑', taboos: '不吃花生' });
      expect((await nurse.call('POST', `/schools/${A}/students/s1/medical/read`, { reason: '晨检发热' })).status).toBe(200);
      expect((await ht1.call('POST', `/schools/${A}/students/s1/medical/read`, { reason: '家长会前了解' })).status).toBe(200);
      const mine = await home(MUM, 'GET', `/guardian/children/${A}/s1/medical`);
      expect(mine.json.notes.allergies).toBe(ALLERGY);
      expect(mine.json.reads.map((r: Json) => [r.readerName, r.readerRole, r.reason])).toEqual([
        ['赵班主任', 'head_teacher', '家长会前了解'],
        ['校医王', 'nurse', '晨检发热'],
        ['李老师', 'teacher', '春游前确认过敏情况'],
      ]);
      expect(mine.json.reads.map((r: Json) => r.readerRoleText['zh-CN'])).toEqual(['班主任', '校医', '教师']);
      expect((await home(OTHER, 'GET', `/guardian/children/${A}/s1/medical/reads`)).status).toBe(404);
      expect((await home(OTHER, 'GET', `/guardian/children/${A}/s1/medical`)).status).toBe(404);
      // The staff audit has each read, without the reason or the notes.
      const audit = await cloud.db.query<{ detail: Json }>(`SELECT detail FROM staff_audit WHERE action = 'home.medical.read' AND target = 's1'`);
      expect(audit.rows).toHaveLength(3);
      expect(JSON.stringify(audit.rows)).not.toContain('PENICILLIN');
      // The nurse updates the notes; the guardian's consent stays recorded.
      expect((await nurse.call('PUT', `/schools/${A}/students/s1/medical`, { history: '哮喘', bloodType: 'A', allergies: ALLERGY })).status).toBe(200);
      expect((await ht1.call('PUT', `/schools/${A}/students/s1/medical`, { history: 'x' })).status).toBe(403);
      expect((await cloud.db.query(`SELECT 1 FROM hs_medical_notes WHERE consent_at IS NOT NULL`)).rows).toHaveLength(1);
    });

    it('sends the roll-call flag and the overdue-leave alert by SMS, once each', async () => {
      // s3 passed the gate; the teacher does not find them in class.
      await ingest(gatePass(SITE, 's3', 'in', { occurredAt: Date.now() - 60_000 }));
      const roll = await ht1.call('PUT', `/schools/${A}/classes/${encodeURIComponent(C1)}/roll-call`, { present: ['s1'] });
      expect(roll.status).toBe(200);
      expect(roll.json.flagged).toContainEqual({ studentKey: 's3', kind: 'missing_in_class' });
      const before = sms.received.length;
      expect(await cloud.alertSms.sweep()).toBeGreaterThanOrEqual(1);
      expect(await cloud.alertSms.sweep()).toBe(0);
      const sent = sms.received.slice(before);
      expect(sent.filter((m) => m.body?.to === HT1_PHONE && String(m.body.text).includes('冯小三') && String(m.body.text).includes('不在班'))).toHaveLength(1);
      // A leave approved, used at the gate, not back when it ends: the head teacher and the mother get one SMS each.
      const a = await home(MUM, 'POST', '/guardian/requests', { schoolId: A, studentKey: 's1', kind: 'early_exit', from: Date.now() - 10 * 60_000, until: Date.now() + 20 * 60_000, reasonKind: 'illness', reason: '发烧' });
      expect(a.status).toBe(201);
      leaveId = a.json.id as string;
      expect((await ht1.call('POST', `/schools/${A}/leave-requests/${a.json.id}/decision`, { approve: true })).status).toBe(200);
      await ingest(gatePass(SITE, 's1', 'out', { occurredAt: Date.now() - 5 * 60_000 }));
      clock.offset = 3600_000;
      try {
        expect(await cloud.leaves.sweepOverdue()).toBe(1);
        const mid = sms.received.length;
        expect(await cloud.alertSms.sweep()).toBe(2);
        expect(await cloud.alertSms.sweep()).toBe(0);
        const leaveSms = sms.received.slice(mid);
        expect(leaveSms.map((m) => m.body.to).sort()).toEqual([HT1_PHONE, MUM].sort());
        for (const m of leaveSms) expect(String(m.body.text)).toMatch(new RegExp(`${NAME}（${C1}）请假已于 \\d{2}:\\d{2} 结束`));
        expect((await cloud.db.query(`SELECT sms_status FROM hs_alerts WHERE kind = 'leave_overdue'`)).rows.map((r: Json) => r.sms_status)).toEqual(['sent', 'sent']);
      } finally {
        clock.offset = 0;
      }
      // A gateway error and a head teacher without a phone: recorded, not retried (once means once).
      const ht2Id = (await cloud.db.query<{ id: string }>(`SELECT id FROM staff_accounts WHERE username = 'hh-ht2'`)).rows[0]!.id;
      for (const [type, who, subject] of [['guardian', OTHER, 's2@1'], ['staff', ht2Id, 's2@2']])
        await cloud.db.query(
          `INSERT INTO hs_alerts (school_id, kind, subject_id, recipient_type, recipient, text_zh, text_en, created_at) VALUES ($1, 'missing_in_class', $2, $3, $4, '测试', 'test', 1)`,
          [A, subject, type, who],
        );
      sms.answers.push({ status: 500, body: { error: 'gateway down' } });
      expect(await cloud.alertSms.sweep()).toBe(0);
      expect(await cloud.alertSms.sweep()).toBe(0);
      const states = (await cloud.db.query<{ recipient: string; sms_status: string }>(`SELECT recipient, sms_status FROM hs_alerts WHERE subject_id IN ('s2@1', 's2@2') ORDER BY subject_id`)).rows;
      expect(states[0]).toMatchObject({ recipient: OTHER });
      expect(states[0]!.sms_status).toMatch(/^failed: /);
      expect(states[1]).toEqual({ recipient: ht2Id, sms_status: 'no_phone' });
    });

    it("exports everything about the child to its guardian and the admin, never to another family", async () => {
      expect((await home(OTHER, 'GET', `/guardian/children/${A}/s1/export`)).status).toBe(404);
      expect((await home(null, 'GET', `/guardian/children/${A}/s1/export`)).status).toBe(401);
      const e = await home(MUM, 'GET', `/guardian/children/${A}/s1/export`);
      expect(e.status).toBe(200);
      expect(e.json.records.map((r: Json) => `${r.kind}/${r.key}`)).toEqual(expect.arrayContaining(['person/s1', 'guardianship/s1.mum', 'card/card-s1']));
      // Another adult's phone number is not the child's data.
      expect(JSON.stringify(e.json.records)).not.toContain(MUM);
      expect(e.json.medical.notes.allergies).toBe(ALLERGY);
      expect(e.json.medical.reads).toHaveLength(3);
      expect(e.json.health.checks[0]).toMatchObject({ temperature: 38.2 });
      expect(e.json.health.declarations[0]).toMatchObject({ temperature: 37.8 });
      expect(e.json.leaveRequests).toHaveLength(1);
      expect(e.json.events.map((x: Json) => x.type)).toContain('access.decision');
      expect(e.json.alerts.length).toBeGreaterThanOrEqual(1);
      expect((await ht1.call('POST', `/schools/${A}/students/s1/export`)).status).toBe(403);
      const byAdmin = await admin.call('POST', `/schools/${A}/students/s1/export`);
      expect(byAdmin.status).toBe(200);
      expect(byAdmin.json.medical.notes.allergies).toBe(ALLERGY);
    });

    it("erases the child's data: afterwards nothing about the child is reachable through any route, the feed or the database", async () => {
      const open = await admin.call('POST', `/schools/${A}/api-keys`, { name: 'pipl', scopes: ['records:read', 'events:read', 'export', 'sensitive'] });
      expect(open.status).toBe(201);
      const openGet = async (path: string) => {
        const r = await fetch(`${cloud.url}/api/open/v1${path}`, { headers: { authorization: `Bearer ${open.json.key}` } });
        return { status: r.status, text: await r.text() };
      };
      // Before: the open API has the child.
      expect((await openGet(`/schools/${A}/records/person`)).text).toContain(NAME);
      const wrong = await admin.call('POST', `/schools/${A}/students/s1/erase`, { confirmKey: 's3' });
      expect(wrong.status).toBe(400);
      expect(wrong.json.error.message['zh-CN']).toContain('未删除任何数据');
      expect((await ht1.call('POST', `/schools/${A}/students/s1/erase`, { confirmKey: 's1' })).status).toBe(403);
      expect((await cloud.db.query(`SELECT 1 FROM hs_medical_notes WHERE student_key = 's1'`)).rows).toHaveLength(1);
      // A bus alarm about the trip names the child (and another child, who stays named).
      await cloud.db.query(
        `INSERT INTO bus_alarms (school_id, id, kind, text_zh, text_en, occurred_at, created_at) VALUES ($1, gen_random_uuid(), 'handover_failed', $2, $3, 1, 1)`,
        [A, `${NAME}、冯小三 在 幸福小区 无人接`, `Nobody collected ${NAME}, 冯小三`],
      );
      // A one-to-one thread about the child and a form answered for it (home-school messages).
      const teacher = (await cloud.db.query<{ id: string }>('SELECT id FROM staff_accounts WHERE school_id = $1 LIMIT 1', [A])).rows[0]!.id;
      await cloud.db.query(`INSERT INTO hs_threads (id, school_id, student_key, teacher_account, guardian_phone, guardian_name, created_at, last_at) VALUES ('th-s1', $1, 's1', $2, $3, '妈妈', 1, 1)`, [A, teacher, MUM]);
      await cloud.db.query(`INSERT INTO hs_thread_messages (thread_id, sender, body, created_at) VALUES ('th-s1', 'guardian', $1, 1)`, [`${NAME} 今天咳嗽`]);
      await cloud.db.query(`INSERT INTO hs_forms (id, school_id, class_id, title, fields, author_account, author_name, created_at) VALUES ('f-s1', $1, $2, '春游报名', '[]', $3, '老师', 1)`, [A, C1, teacher]);
      await cloud.db.query(`INSERT INTO hs_form_answers (form_id, student_key, guardian_phone, guardian_name, answers, answered_at) VALUES ('f-s1', 's1', $1, '妈妈', $2, 1)`, [MUM, JSON.stringify({ note: NAME })]);
      const exported = await admin.call('POST', `/schools/${A}/students/s1/export`);
      expect(exported.json.messages.threads[0].messages[0].body).toBe(`${NAME} 今天咳嗽`);
      expect(exported.json.messages.formAnswers).toHaveLength(1);
      const cursorBefore = (await cloud.records.changesAfter(A, 0, 10_000)).cursor;
      const ok = await admin.call('POST', `/schools/${A}/students/s1/erase`, { confirmKey: 's1' });
      expect(ok.status, JSON.stringify(ok.json)).toBe(200);
      expect(ok.json.erased).toMatchObject({ records: 5, medicalNotes: 1, medicalReads: 3, healthChecks: 1, healthDeclarations: 1, leaveRequests: 1 });
      expect(ok.json.erased.events).toBeGreaterThanOrEqual(1);
      expect(ok.json.erased.messages).toBe(2);
      // The edges get the deletions through the change feed.
      const feed = await cloud.records.changesAfter(A, cursorBefore, 10_000);
      expect(feed.changes.filter((c) => c.op === 'delete').map((c) => `${c.kind}/${c.key}`).sort()).toEqual(['card/card-s1', 'guardianship/s1.mum', 'health_declaration/hd-s1', `leave/hs-${leaveId}`, 'person/s1']);
      // Guardian routes.
      expect((await parentApi(cloud.url, tokens[MUM]!, 'GET', '/me')).json.children).toEqual([]);
      expect((await parentApi(cloud.url, tokens[MUM]!, 'GET', `/children/${A}/s1/timeline`)).status).toBe(404);
      expect(JSON.stringify((await parentApi(cloud.url, tokens[MUM]!, 'GET', '/notices')).json)).not.toContain(NAME);
      expect((await home(MUM, 'GET', '/guardian/requests')).json.requests).toEqual([]);
      expect((await home(MUM, 'GET', '/guardian/alerts')).json.alerts).toEqual([]);
      expect((await home(MUM, 'GET', '/guardian/health')).json.children).toEqual([]);
      expect((await home(MUM, 'GET', `/guardian/children/${A}/s1/medical`)).status).toBe(404);
      expect((await home(MUM, 'GET', `/guardian/children/${A}/s1/medical/reads`)).status).toBe(404);
      expect((await home(MUM, 'GET', `/guardian/children/${A}/s1/export`)).status).toBe(404);
      // Staff routes.
      expect((await ht1.call('GET', `/schools/${A}/leave-requests`)).json.requests).toEqual([]);
      expect((await ht1.call('GET', `/schools/${A}/classes/${encodeURIComponent(C1)}/roll-call`)).json.students.map((s: Json) => s.studentKey)).toEqual(['s3']);
      expect((await ht1.call('GET', `/schools/${A}/classes/${encodeURIComponent(C1)}/health`)).json.students.map((s: Json) => s.studentKey)).toEqual(['s3']);
      expect((await ht1.call('GET', `/home/alerts`)).json.alerts.map((a: Json) => a.subjectId).some((x: string) => x.startsWith('s1@'))).toBe(false);
      expect(JSON.stringify((await ht1.call('GET', `/home/alerts`)).json)).not.toContain(NAME);
      expect((await nurse.call('GET', `/schools/${A}/health/summary`)).json.school).toMatchObject({ students: 2 });
      expect((await nurse.call('POST', `/schools/${A}/students/s1/medical/read`, { reason: '复查' })).status).toBe(404);
      expect((await nurse.call('GET', `/schools/${A}/students/s1/medical/reads`)).json.reads).toEqual([]);
      expect((await admin.call('POST', `/schools/${A}/students/s1/export`)).status).toBe(404);
      expect((await admin.call('GET', `/schools/${A}/roster/person/s1`)).status).toBe(404);
      expect(JSON.stringify((await admin.call('GET', `/schools/${A}/roster/person`)).json)).not.toContain(NAME);
      expect(JSON.stringify((await ht1.call('GET', `/schools/${A}/classes/${encodeURIComponent(C1)}/students`)).json)).not.toContain(NAME);
      // Open API and exports, with every scope.
      for (const path of [`/schools/${A}/records/person`, `/schools/${A}/records/person/s1`, `/schools/${A}/records/guardianship`, `/schools/${A}/records/card`, `/schools/${A}/events`, `/schools/${A}/export/records`, `/schools/${A}/export/events`]) {
        const r = await openGet(path);
        expect(r.text, path).not.toContain(NAME);
        expect(r.text, path).not.toContain('"s1"');
      }
      // The database: the child's name, notes and health facts appear in no table at all.
      const tables = (await cloud.db.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)).rows.map((r) => r.table_name);
      expect(tables).toContain('hs_medical_notes');
      for (const t of tables) {
        const hit = await cloud.db.query(`SELECT 1 FROM "${t}" x WHERE x::text LIKE $1 OR x::text LIKE $2 LIMIT 1`, [`%${NAME}%`, '%PENICILLIN%']);
        expect(hit.rows, `table ${t}`).toEqual([]);
      }
      expect((await cloud.db.query<{ text_zh: string }>('SELECT text_zh FROM bus_alarms WHERE school_id = $1', [A])).rows.map((r) => r.text_zh)).toEqual(['（已删除）、冯小三 在 幸福小区 无人接']);
      // The other children are untouched.
      expect((await ht1.call('GET', `/schools/${A}/classes/${encodeURIComponent(C1)}/health`)).json.students[0].check).toMatchObject({ temperature: 36.6 });
    });
  });
}
