import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purgeChildMessages } from '../../src/server/homeschool/messages-common.js';
import type { Backend } from '../helpers/backends.js';
import { startTestCloud, type Json, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { homeApi, signInGuardian } from '../helpers/parent-client.js';
import { staffSignIn, type StaffClient } from '../helpers/staff-client.js';

const PW = 'home-msg-pw-1';
const C1 = '三年级1班';
const C2 = '三年级2班';
const MUM = '13600000001'; // mother of s1 (C1)
const DAD = '13600000003'; // father of s3 (C1): another family of the same class
const AUNT = '13600000004'; // guardian of s5 (C1) and of s6 (C1): two children, one receipt
const C2MUM = '13600000002'; // mother of s2 (C2)
const PHONES = [MUM, DAD, AUNT, C2MUM];
const SCRIPT = '请带<script>window.__pwned=1</script>水彩笔 <img src=x onerror=alert(1)>';
const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/** No phone number of any guardian appears anywhere in a JSON answer. */
const noPhones = (json: unknown) => {
  const text = JSON.stringify(json);
  for (const p of PHONES) expect(text).not.toContain(p);
};

/**
 * Home-school messages on the cloud: class announcements with an image and a file (the
 * image checked to be one, sizes limited, files served never to run), read receipts per
 * guardian, the unread list and the one reminder; one-to-one messages between a guardian
 * and the child's teachers; class information; 接龙 forms answered per child and exported.
 * Access: a guardian of another child, a teacher of another class. PGlite and PostgreSQL.
 */
export function homeMessagesContract(backend: Backend): void {
  describe(`home-school messages on ${backend.name}`, () => {
    let cloud: TestCloud;
    let sms: HttpSink;
    let A: string;
    let admin: StaffClient;
    let ht1: StaffClient; // head teacher of C1
    let ht2: StaffClient; // head teacher of C2
    let math: StaffClient; // teaches maths in C1 (class information), no role bound to classes
    let office: StaffClient;
    let ids: Record<string, string>;
    const tokens: Record<string, string> = {};
    const g = (phone: string, method: string, path: string, body?: unknown) => homeApi(cloud.url, tokens[phone]!, method, path, body);
    const rawFile = (who: StaffClient, path: string, bytes: Buffer) =>
      fetch(`${cloud.url}/api/staff${path}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', cookie: who.cookie!, 'x-csrf-token': who.csrfToken! }, body: bytes });
    const count = async (table: string) => Number((await cloud.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n);

    beforeAll(async () => {
      sms = await startHttpSink();
      cloud = await startTestCloud(backend, { channels: { sms: { url: sms.url } } });
      A = (await cloud.provisionEdge({ schoolName: '消息小学', site: 'home-msg' })).schoolId;
      const gs = (stu: string, guardian: string, relation: string) => ({ kind: 'guardianship' as const, key: `${stu}.${guardian}`, data: { studentId: stu, guardianId: guardian, relation, mayPickUp: true, receivesNotices: true } });
      await cloud.records.write(A, [
        { kind: 'person', key: 's1', data: { name: '王小一', roles: ['student'], classId: C1 } },
        { kind: 'person', key: 's2', data: { name: '赵小二', roles: ['student'], classId: C2 } },
        { kind: 'person', key: 's3', data: { name: '钱小三', roles: ['student'], classId: C1 } },
        { kind: 'person', key: 's4', data: { name: '孙小四', roles: ['student'], classId: C1 } },
        { kind: 'person', key: 's5', data: { name: '周小五', roles: ['student'], classId: C1 } },
        { kind: 'person', key: 's6', data: { name: '周小六', roles: ['student'], classId: C1 } },
        { kind: 'person', key: 'mum', data: { name: '李芳', roles: ['guardian'], phone: MUM } },
        { kind: 'person', key: 'dad3', data: { name: '钱伟', roles: ['guardian'], phone: DAD } },
        { kind: 'person', key: 'aunt', data: { name: '周敏', roles: ['guardian'], phone: AUNT } },
        { kind: 'person', key: 'mum2', data: { name: '赵兰', roles: ['guardian'], phone: C2MUM } },
        gs('s1', 'mum', '母亲'),
        gs('s3', 'dad3', '父亲'),
        gs('s5', 'aunt', '姑姑'),
        gs('s6', 'aunt', '姑姑'),
        gs('s2', 'mum2', '母亲'),
      ]);
      expect((await cloud.admin('POST', `/schools/${A}/accounts`, { username: 'msg-admin', displayName: '管理员', password: PW })).status).toBe(201);
      admin = await staffSignIn(cloud.url, 'msg-admin', PW);
      const mk = async (body: Record<string, unknown>) => {
        const r = await admin.call('POST', '/accounts', { password: PW, ...body });
        expect(r.status, JSON.stringify(r.json)).toBe(201);
        return r.json.id as string;
      };
      ids = {
        ht1: await mk({ username: 'm-ht1', displayName: '赵老师', roles: ['head_teacher'], classes: [C1], phone: '13900000001' }),
        ht2: await mk({ username: 'm-ht2', displayName: '孙老师', roles: ['head_teacher'], classes: [C2] }),
        math: await mk({ username: 'm-math', displayName: '钱老师', roles: ['teacher'] }),
        office: await mk({ username: 'm-office', displayName: '教务处', roles: ['office'] }),
      };
      ht1 = await staffSignIn(cloud.url, 'm-ht1', PW);
      ht2 = await staffSignIn(cloud.url, 'm-ht2', PW);
      math = await staffSignIn(cloud.url, 'm-math', PW);
      office = await staffSignIn(cloud.url, 'm-office', PW);
      for (const p of PHONES) tokens[p] = await signInGuardian(cloud.url, sms, p);
    }, 180_000);
    afterAll(async () => {
      await cloud?.dispose();
      await sms?.close();
    });

    it('keeps class information: teachers and subjects, timetable and rules for the guardian, without any phone number', async () => {
      const teachers = await ht1.call('PUT', `/schools/${A}/classes/${encodeURIComponent(C1)}/teachers`, { teachers: [{ accountId: ids.math, subject: '数学' }, { accountId: ids.ht1, subject: '语文' }] });
      expect(teachers.status, JSON.stringify(teachers.json)).toBe(200);
      // Another class's head teacher may not edit C1; an unknown account is refused, nothing changes.
      expect((await ht2.call('PUT', `/schools/${A}/classes/${encodeURIComponent(C1)}/teachers`, { teachers: [] })).status).toBe(403);
      const unknown = await ht1.call('PUT', `/schools/${A}/classes/${encodeURIComponent(C1)}/teachers`, { teachers: [{ accountId: 'acct_nope', subject: '体育' }] });
      expect(unknown.status).toBe(404);
      expect(unknown.json.error.message['zh-CN']).toContain('没有教职工账号');
      expect(await count('hs_class_teachers')).toBe(2);
      expect((await ht1.call('PUT', `/schools/${A}/classes/${encodeURIComponent(C1)}/timetable`, { periods: [{ weekday: 1, period: 1, subject: '语文' }, { weekday: 1, period: 2, subject: '数学' }] })).status).toBe(200);
      expect((await ht1.call('PUT', `/schools/${A}/classes/${encodeURIComponent(C1)}/timetable`, { periods: [{ weekday: 8, period: 1, subject: '语文' }] })).status).toBe(400);
      expect((await office.call('PUT', `/schools/${A}/home/rules`, { body: '8:00 前到校。' })).status).toBe(200);
      const info = await g(MUM, 'GET', '/guardian/class-info');
      expect(info.status).toBe(200);
      expect(info.json.children).toHaveLength(1);
      const c = info.json.children[0];
      expect(c).toMatchObject({ studentKey: 's1', classId: C1, rules: '8:00 前到校。' });
      expect(c.teachers.map((t: Json) => [t.name, t.headTeacher, t.subjects])).toEqual([
        ['赵老师', true, ['语文']],
        ['钱老师', false, ['数学']],
      ]);
      expect(c.timetable).toEqual([
        { weekday: 1, period: 1, subject: '语文' },
        { weekday: 1, period: 2, subject: '数学' },
      ]);
      expect(JSON.stringify(info.json)).not.toContain('13900000001');
      noPhones(info.json);
    });

    let noticeId = '';
    let imageId = '';
    let pdfId = '';
    it('posts a class announcement with an image and a file; refuses a fake image, an oversized file, a script file and another class', async () => {
      // A head teacher of another class, a teacher for the whole school: refused, nothing stored.
      const other = await ht2.call('POST', `/schools/${A}/home/notices`, { scope: 'class', target: C1, title: '春游', body: '…' });
      expect(other.status).toBe(403);
      expect(other.json.error.message['zh-CN']).toContain('三年级1班');
      const wide = await ht1.call('POST', `/schools/${A}/home/notices`, { scope: 'school', title: '全校', body: '…' });
      expect(wide.status).toBe(403);
      expect(wide.json.error.message['zh-CN']).toContain('全校或年级');
      expect(await count('hs_notices')).toBe(0);

      const d = await math.call('POST', `/schools/${A}/home/notices`, { scope: 'class', target: C1, title: '春游通知', body: SCRIPT, publish: false });
      expect(d.status, JSON.stringify(d.json)).toBe(201);
      noticeId = d.json.notice.id;
      expect(d.json.notice.publishedAt).toBeNull();
      const files = `/schools/${A}/home/notices/${noticeId}/files`;
      // A text file named like a picture is not an image; an SVG (it can carry script) neither.
      const fake = await rawFile(math, `${files}?kind=image&name=photo.png`, Buffer.from('<html><script>alert(1)</script></html>'));
      expect(fake.status).toBe(415);
      expect(((await fake.json()) as Json).error.message['zh-CN']).toContain('不是图片');
      const svg = await rawFile(math, `${files}?kind=image&name=a.svg`, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'));
      expect(svg.status).toBe(415);
      const html = await rawFile(math, `${files}?kind=file&name=page.html`, Buffer.from('<html><script>alert(1)</script></html>'));
      expect(html.status).toBe(415);
      expect(((await html.json()) as Json).error.message['zh-CN']).toContain('不支持的附件类型');
      const big = await rawFile(math, `${files}?kind=image&name=big.jpg`, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(4 * 1024 * 1024)]));
      expect(big.status).toBe(413);
      expect(((await big.json()) as Json).error.message['zh-CN']).toContain('超过大小上限 4 MB');
      const bigFile = await rawFile(math, `${files}?kind=file&name=big.pdf`, Buffer.concat([PDF, Buffer.alloc(10 * 1024 * 1024)]));
      expect(bigFile.status).toBe(413);
      expect(await count('hs_notice_files')).toBe(0);
      // Another class's head teacher does not even see the draft.
      expect((await rawFile(ht2, `${files}?kind=image&name=a.png`, PNG_1PX)).status).toBe(404);

      const img = await rawFile(math, `${files}?kind=image&name=${encodeURIComponent('路线图.png')}`, PNG_1PX);
      expect(img.status).toBe(201);
      const imgJson = (await img.json()) as Json;
      expect(imgJson).toMatchObject({ kind: 'image', mime: 'image/png', name: '路线图.png', size: PNG_1PX.length });
      imageId = imgJson.id;
      const pdf = await rawFile(math, `${files}?kind=file&name=${encodeURIComponent('回执.pdf')}`, PDF);
      expect(pdf.status).toBe(201);
      pdfId = ((await pdf.json()) as Json).id;

      const pub = await math.call('POST', `/schools/${A}/home/notices/${noticeId}/publish`);
      expect(pub.status, JSON.stringify(pub.json)).toBe(200);
      // The guardians of C1: mother of s1, father of s3, the aunt of s5 and s6 once (s4 has none). Not C2's mother.
      expect(pub.json.recipients).toBe(3);
      expect((await math.call('POST', `/schools/${A}/home/notices/${noticeId}/publish`)).status).toBe(409);
      const late = await rawFile(math, `${files}?kind=image&name=b.png`, PNG_1PX);
      expect(late.status).toBe(409);
      // A published notice cannot be withdrawn (its receipts are a record); a draft can, by its author only.
      const keep = await math.call('DELETE', `/schools/${A}/home/notices/${noticeId}`);
      expect(keep.status).toBe(409);
      expect(keep.json.error.message['zh-CN']).toContain('不能删除');
      const draft = await math.call('POST', `/schools/${A}/home/notices`, { scope: 'class', target: C1, title: '草稿', body: '…', publish: false });
      expect((await ht2.call('DELETE', `/schools/${A}/home/notices/${draft.json.notice.id}`)).status).toBe(404);
      expect((await math.call('DELETE', `/schools/${A}/home/notices/${draft.json.notice.id}`)).status).toBe(204);
      expect(await count('hs_notices')).toBe(1);
      // The audit names the uploads.
      const audit = await cloud.db.query<{ action: string }>(`SELECT action FROM staff_audit WHERE actor_id = $1 AND action LIKE 'home.notice.%' ORDER BY id`, [ids.math]);
      expect(audit.rows.map((x) => x.action)).toEqual(['home.notice.create', 'home.notice.attach', 'home.notice.attach', 'home.notice.publish', 'home.notice.create', 'home.notice.discard']);
    });

    it('records one read receipt per guardian; the text with a script comes back as text; files are served never to run', async () => {
      const list = await g(MUM, 'GET', '/guardian/notices');
      expect(list.status).toBe(200);
      expect(list.json.notices.map((n: Json) => [n.id, n.readAt])).toEqual([[noticeId, null]]);
      const open = await g(MUM, 'GET', `/guardian/notices/${noticeId}`);
      expect(open.status).toBe(200);
      expect(open.json.body).toBe(SCRIPT);
      expect(open.json.files.map((f: Json) => f.name)).toEqual(['路线图.png', '回执.pdf']);
      const first = open.json.readAt as number;
      expect(first).toBeGreaterThan(0);
      const again = await g(MUM, 'GET', `/guardian/notices/${noticeId}`);
      expect(again.json.readAt).toBe(first);
      const img = await fetch(`${cloud.url}/api/home/guardian/notices/${noticeId}/files/${imageId}`, { headers: { authorization: `Bearer ${tokens[MUM]}` } });
      expect(img.status).toBe(200);
      expect(img.headers.get('content-type')).toBe('image/png');
      expect(img.headers.get('x-content-type-options')).toBe('nosniff');
      expect(img.headers.get('content-security-policy')).toContain('sandbox');
      expect(img.headers.get('content-disposition')).toContain('inline');
      expect(Buffer.from(await img.arrayBuffer()).equals(PNG_1PX)).toBe(true);
      const pdf = await fetch(`${cloud.url}/api/home/guardian/notices/${noticeId}/files/${pdfId}`, { headers: { authorization: `Bearer ${tokens[MUM]}` } });
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      expect(pdf.headers.get('content-disposition')).toMatch(/^attachment; .*filename\*=UTF-8''%E5%9B%9E%E6%89%A7\.pdf/);
      // The guardian of a child of another class sees neither the notice nor its files.
      expect((await g(C2MUM, 'GET', '/guardian/notices')).json.notices).toEqual([]);
      const foreign = await g(C2MUM, 'GET', `/guardian/notices/${noticeId}`);
      expect(foreign.status).toBe(404);
      expect(foreign.json.error.message['zh-CN']).toContain('未找到该通知');
      expect((await fetch(`${cloud.url}/api/home/guardian/notices/${noticeId}/files/${imageId}`, { headers: { authorization: `Bearer ${tokens[C2MUM]}` } })).status).toBe(404);
      expect((await homeApi(cloud.url, null, 'GET', `/guardian/notices/${noticeId}`)).status).toBe(401);
      // The aunt of two children reads once for both.
      expect((await g(AUNT, 'GET', `/guardian/notices/${noticeId}`)).status).toBe(200);
      expect(Number((await cloud.db.query<{ n: number }>('SELECT count(*)::int AS n FROM hs_notice_recipients WHERE read_at IS NOT NULL')).rows[0]!.n)).toBe(2);
    });

    it('lists who has read and who has not (names and children, no phone numbers) and reminds the rest once', async () => {
      // Another class's head teacher: as if the notice did not exist.
      expect((await ht2.call('GET', `/schools/${A}/home/notices/${noticeId}/receipts`)).status).toBe(404);
      const r = await ht1.call('GET', `/schools/${A}/home/notices/${noticeId}/receipts`);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ total: 3, readCount: 2, remindedAt: null });
      expect(r.json.unread).toEqual([{ guardianName: '钱伟', students: '钱小三（三年级1班）', remindedAt: null }]);
      expect(r.json.read.map((x: Json) => x.students).sort()).toEqual(['周小五（三年级1班）、周小六（三年级1班）', '王小一（三年级1班）'].sort());
      noPhones(r.json);
      const staffList = await ht1.call('GET', `/schools/${A}/home/notices`);
      expect(staffList.json.notices.map((n: Json) => [n.id, n.recipients, n.read])).toEqual([[noticeId, 3, 2]]);
      expect((await ht2.call('GET', `/schools/${A}/home/notices`)).json.notices).toEqual([]);

      const remind = await ht1.call('POST', `/schools/${A}/home/notices/${noticeId}/remind`);
      expect(remind.status, JSON.stringify(remind.json)).toBe(200);
      expect(remind.json.reminded).toBe(1);
      const twice = await math.call('POST', `/schools/${A}/home/notices/${noticeId}/remind`);
      expect(twice.status).toBe(409);
      expect(twice.json.error.message['zh-CN']).toContain('只能提醒一次');
      const alerts = (await g(DAD, 'GET', '/guardian/alerts')).json.alerts;
      expect(alerts.map((a: Json) => a.text['zh-CN'])).toEqual(['请查看通知：春游通知（钱老师）']);
      expect((await g(MUM, 'GET', '/guardian/alerts')).json.alerts).toEqual([]);
      const after = await ht1.call('GET', `/schools/${A}/home/notices/${noticeId}/receipts`);
      expect(after.json.remindedCount).toBe(1);
      expect(after.json.unread[0].remindedAt).toBe(remind.json.remindedAt);
      // Reading after the reminder still counts.
      expect((await g(DAD, 'GET', `/guardian/notices/${noticeId}`)).status).toBe(200);
      expect((await ht1.call('GET', `/schools/${A}/home/notices/${noticeId}/receipts`)).json.readCount).toBe(3);
    });

    it('sends school and grade announcements from the office to the right guardians', async () => {
      const grade = await office.call('POST', `/schools/${A}/home/notices`, { scope: 'grade', target: '三年级', title: '年级家长会', body: '周五' });
      expect(grade.status).toBe(201);
      expect(grade.json.recipients).toBe(4);
      const none = await office.call('POST', `/schools/${A}/home/notices`, { scope: 'grade', target: '六年级', title: '六年级', body: '…' });
      expect(none.status).toBe(409);
      expect(none.json.error.message['zh-CN']).toContain('没有可接收通知的家长');
      expect(await count("hs_notices WHERE title = '六年级'")).toBe(0);
      const noTarget = await office.call('POST', `/schools/${A}/home/notices`, { scope: 'class', title: 'x', body: 'y' });
      expect(noTarget.status).toBe(400);
      expect((await g(C2MUM, 'GET', '/guardian/notices')).json.notices.map((n: Json) => n.title)).toEqual(['年级家长会']);
    });

    let threadId = '';
    it("carries one-to-one messages between a guardian and the child's teachers only", async () => {
      const toMath = await g(MUM, 'POST', '/guardian/messages', { schoolId: A, studentKey: 's1', teacherId: ids.math, body: SCRIPT });
      expect(toMath.status, JSON.stringify(toMath.json)).toBe(201);
      threadId = toMath.json.threadId;
      // Not a teacher of the child; not the guardian's child: refused, nothing stored.
      const wrong = await g(MUM, 'POST', '/guardian/messages', { schoolId: A, studentKey: 's1', teacherId: ids.ht2, body: '你好' });
      expect(wrong.status).toBe(404);
      expect(wrong.json.error.message['zh-CN']).toBe('该教师不是您孩子的老师');
      const notMine = await g(MUM, 'POST', '/guardian/messages', { schoolId: A, studentKey: 's3', teacherId: ids.math, body: '你好' });
      expect(notMine.status).toBe(404);
      expect(notMine.json.error.message['zh-CN']).toContain('不是该学生的监护人');
      expect((await g(MUM, 'POST', '/guardian/messages', { schoolId: A, studentKey: 's1', teacherId: ids.math, body: '   ' })).status).toBe(400);
      expect(await count('hs_thread_messages')).toBe(1);

      const inbox = await math.call('GET', '/home/threads');
      expect(inbox.json.threads).toHaveLength(1);
      expect(inbox.json.threads[0]).toMatchObject({ id: threadId, studentName: '王小一', guardianName: '李芳', relation: '母亲', unread: 1, lastBody: SCRIPT });
      noPhones(inbox.json);
      expect((await ht2.call('GET', '/home/threads')).json.threads).toEqual([]);
      expect((await ht2.call('GET', `/home/threads/${threadId}`)).status).toBe(404);
      expect((await ht2.call('POST', `/home/threads/${threadId}/messages`, { body: '插话' })).status).toBe(404);
      const thread = await math.call('GET', `/home/threads/${threadId}`);
      expect(thread.json.messages.map((m: Json) => [m.sender, m.body])).toEqual([['guardian', SCRIPT]]);
      const reply = await math.call('POST', `/home/threads/${threadId}/messages`, { body: '收到，谢谢' });
      expect(reply.status).toBe(201);
      const mine = await g(MUM, 'GET', '/guardian/threads');
      expect(mine.json.threads).toMatchObject([{ id: threadId, teacherName: '钱老师', unread: 1, lastBody: '收到，谢谢' }]);
      const view = await g(MUM, 'GET', `/guardian/threads/${threadId}`);
      expect(view.json.messages.map((m: Json) => m.sender)).toEqual(['guardian', 'staff']);
      expect(view.json.messages[0].readAt).toBeGreaterThan(0);
      // Another family cannot open it.
      expect((await g(DAD, 'GET', `/guardian/threads/${threadId}`)).status).toBe(404);
      expect((await g(DAD, 'GET', '/guardian/threads')).json.threads).toEqual([]);
    });

    let formId = '';
    it('collects a 接龙 form per child: answers checked, who has not answered, exported as CSV', async () => {
      const body = {
        title: '春游报名',
        fields: [
          { id: 'go', label: '是否参加', type: 'yesno' },
          { id: 'size', label: '校服尺码', type: 'choice', options: ['S', 'M', 'L'] },
          { id: 'note', label: '备注', type: 'text', required: false },
        ],
      };
      expect((await ht2.call('POST', `/schools/${A}/classes/${encodeURIComponent(C1)}/forms`, body)).status).toBe(403);
      const bad = await ht1.call('POST', `/schools/${A}/classes/${encodeURIComponent(C1)}/forms`, { ...body, fields: [{ id: 'x', label: '选', type: 'choice', options: ['A'] }] });
      expect(bad.status).toBe(400);
      expect(bad.json.error.message['zh-CN']).toContain('至少需要两个');
      const f = await ht1.call('POST', `/schools/${A}/classes/${encodeURIComponent(C1)}/forms`, body);
      expect(f.status, JSON.stringify(f.json)).toBe(201);
      formId = f.json.id;

      const forms = await g(AUNT, 'GET', '/guardian/forms');
      expect(forms.json.forms.map((x: Json) => [x.id, x.studentKey, x.answers])).toEqual([
        [formId, 's5', null],
        [formId, 's6', null],
      ]);
      expect((await g(C2MUM, 'GET', '/guardian/forms')).json.forms).toEqual([]);
      const missing = await g(AUNT, 'POST', `/guardian/forms/${formId}/answers`, { studentKey: 's5', answers: { size: 'M' } });
      expect(missing.status).toBe(400);
      expect(missing.json.error.message['zh-CN']).toBe('“是否参加”：必填');
      const option = await g(AUNT, 'POST', `/guardian/forms/${formId}/answers`, { studentKey: 's5', answers: { go: true, size: 'XXL' } });
      expect(option.status).toBe(400);
      expect(option.json.error.message['zh-CN']).toContain('不是可选的选项');
      const foreign = await g(C2MUM, 'POST', `/guardian/forms/${formId}/answers`, { studentKey: 's2', answers: { go: true, size: 'S' } });
      expect(foreign.status).toBe(404);
      const otherChild = await g(AUNT, 'POST', `/guardian/forms/${formId}/answers`, { studentKey: 's1', answers: { go: true, size: 'S' } });
      expect(otherChild.status).toBe(404);
      expect(await count('hs_form_answers')).toBe(0);

      expect((await g(AUNT, 'POST', `/guardian/forms/${formId}/answers`, { studentKey: 's5', answers: { go: true, size: 'M', note: '=HYPERLINK("http://x")' } })).status).toBe(201);
      expect((await g(AUNT, 'POST', `/guardian/forms/${formId}/answers`, { studentKey: 's6', answers: { go: false, size: 'S' } })).status).toBe(201);
      expect((await g(MUM, 'POST', `/guardian/forms/${formId}/answers`, { studentKey: 's1', answers: { go: true, size: 'L' } })).status).toBe(201);
      // Answering again replaces the child's answer.
      expect((await g(MUM, 'POST', `/guardian/forms/${formId}/answers`, { studentKey: 's1', answers: { go: true, size: 'M', note: '过敏' } })).status).toBe(201);

      expect((await ht2.call('GET', `/schools/${A}/classes/${encodeURIComponent(C1)}/forms/${formId}`)).status).toBe(403);
      const a = await math.call('GET', `/schools/${A}/classes/${encodeURIComponent(C1)}/forms/${formId}`);
      expect(a.status).toBe(200);
      expect(a.json).toMatchObject({ total: 5, answered: 3 });
      expect(a.json.notAnswered).toEqual([
        { studentKey: 's3', name: '钱小三' },
        { studentKey: 's4', name: '孙小四' },
      ]);
      expect(a.json.rows.find((r: Json) => r.studentKey === 's1')).toMatchObject({ guardianName: '李芳（母亲）', answers: { go: true, size: 'M', note: '过敏' } });
      noPhones(a.json);
      const list = await ht1.call('GET', `/schools/${A}/classes/${encodeURIComponent(C1)}/forms`);
      expect(list.json.forms.map((x: Json) => [x.title, x.answered, x.total])).toEqual([['春游报名', 3, 5]]);

      const csv = await fetch(`${cloud.url}/api/staff/schools/${A}/classes/${encodeURIComponent(C1)}/forms/${formId}/export`, { headers: { cookie: ht1.cookie! } });
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toContain('text/csv');
      const text = await csv.text();
      const lines = text.replace(/^\ufeff/, '').trim().split('\r\n');
      expect(lines[0]).toBe('学生编号,学生,是否参加,校服尺码,备注,填写人,填写时间');
      expect(lines).toHaveLength(6);
      expect(lines.find((l) => l.startsWith('s1,'))).toMatch(/^s1,王小一,是,M,过敏,李芳（母亲）,\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
      expect(lines.find((l) => l.startsWith('s4,'))).toBe('s4,孙小四,,,,未填写,');
      // A cell that would start a formula in a spreadsheet is defused.
      expect(lines.find((l) => l.startsWith('s5,'))).toContain(`"'=HYPERLINK(""http://x"")"`);
    });

    it("removes a child's messages, answers and name from receipts when the child's data is deleted", async () => {
      expect(await purgeChildMessages(cloud.db, A, 's1')).toEqual({ threads: 1, answers: 1, receipts: 2 });
      // The mother had only s1: her conversation, her answer and her receipts are gone.
      expect((await g(MUM, 'GET', '/guardian/threads')).json.threads).toEqual([]);
      expect((await math.call('GET', '/home/threads')).json.threads).toEqual([]);
      expect(await count('hs_thread_messages')).toBe(0);
      expect((await g(MUM, 'GET', '/guardian/notices')).json.notices).toEqual([]);
      const a = await math.call('GET', `/schools/${A}/classes/${encodeURIComponent(C1)}/forms/${formId}`);
      expect(a.json.rows.find((r: Json) => r.studentKey === 's1')).toMatchObject({ answered: false, answers: null, guardianName: null });
      const r = await ht1.call('GET', `/schools/${A}/home/notices/${noticeId}/receipts`);
      expect(r.json.total).toBe(2);
      expect(JSON.stringify(r.json)).not.toContain('王小一');
      expect((await ht1.call('GET', `/schools/${A}/home/notices`)).json.notices.find((n: Json) => n.id === noticeId).recipients).toBe(2);
      // The aunt keeps her receipt for her other child.
      await purgeChildMessages(cloud.db, A, 's5');
      const after = await ht1.call('GET', `/schools/${A}/home/notices/${noticeId}/receipts`);
      expect(after.json.read.map((x: Json) => x.students).sort()).toEqual(['周小六（三年级1班）', '钱小三（三年级1班）']);
    });

    it('closes a form at its deadline', async () => {
      const f = await ht1.call('POST', `/schools/${A}/classes/${encodeURIComponent(C1)}/forms`, { title: '回执', deadline: Date.now() - 1000, fields: [{ id: 'ok', label: '已阅', type: 'yesno' }] });
      expect(f.status).toBe(201);
      const late = await g(MUM, 'POST', `/guardian/forms/${f.json.id}/answers`, { studentKey: 's1', answers: { ok: true } });
      expect(late.status).toBe(409);
      expect(late.json.error.message['zh-CN']).toBe('该接龙已截止');
    });
  });
}
