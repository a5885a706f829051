import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appGuardianSignIn, appStaffSignIn } from '@campus/testkit';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { pgliteBackend } from '../helpers/backends.js';
import { startTestCloud, waitFor, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { staffSignIn } from '../helpers/staff-client.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM) && process.env.CI) throw new Error('chromium is required in CI');

const C1 = '四年级1班';
const C2 = '四年级2班';
const MUM = '13300000001'; // mother of s1 (C1)
const DAD = '13300000003'; // father of s3 (C1)
const AUNT = '13300000005'; // aunt of s5 (C1)
const C2MUM = '13300000002'; // mother of s2 (C2)
const PW = 'browser-msg-pw-1';
const SCRIPT = '周五春游，请带水壶。<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PHONE = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
  userAgent: 'Mozilla/5.0 (Linux; Android 13; V2183A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64',
};

/**
 * Messages in the home-school app on a phone (WeChat's browser): the head teacher posts a
 * class announcement with an image, most guardians read it, the teacher sees who has not
 * and reminds them once; a guardian messages a teacher and gets the reply; a 接龙 form is
 * answered and its answers seen per child. Text with a script in it stays text.
 */
describe.skipIf(!existsSync(CHROMIUM))('home-school messages in Chromium on a phone', () => {
  let cloud: TestCloud;
  let sms: HttpSink;
  let browser: Browser;
  let schoolId: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    sms = await startHttpSink();
    cloud = await startTestCloud(pgliteBackend, { channels: { sms: { url: sms.url } } });
    schoolId = (await cloud.provisionEdge({ schoolName: '消息小学', site: 'msg-browser' })).schoolId;
    const g = (stu: string, guardian: string, relation: string) => ({ kind: 'guardianship' as const, key: `${stu}.${guardian}`, data: { studentId: stu, guardianId: guardian, relation, mayPickUp: true, receivesNotices: true } });
    await cloud.records.write(schoolId, [
      { kind: 'person', key: 's1', data: { name: '王小一', roles: ['student'], classId: C1 } },
      { kind: 'person', key: 's2', data: { name: '赵小二', roles: ['student'], classId: C2 } },
      { kind: 'person', key: 's3', data: { name: '钱小三', roles: ['student'], classId: C1 } },
      { kind: 'person', key: 's5', data: { name: '周小五', roles: ['student'], classId: C1 } },
      { kind: 'person', key: 'mum', data: { name: '李芳', roles: ['guardian'], phone: MUM } },
      { kind: 'person', key: 'dad3', data: { name: '钱伟', roles: ['guardian'], phone: DAD } },
      { kind: 'person', key: 'aunt', data: { name: '周敏', roles: ['guardian'], phone: AUNT } },
      { kind: 'person', key: 'mum2', data: { name: '赵兰', roles: ['guardian'], phone: C2MUM } },
      g('s1', 'mum', '母亲'),
      g('s3', 'dad3', '父亲'),
      g('s5', 'aunt', '姑姑'),
      g('s2', 'mum2', '母亲'),
    ]);
    expect((await cloud.admin('POST', `/schools/${schoolId}/accounts`, { username: 'mb-admin', displayName: '管理员', password: PW })).status).toBe(201);
    const admin = await staffSignIn(cloud.url, 'mb-admin', PW);
    const ht = await admin.call('POST', '/accounts', { username: 'wang', displayName: '王老师', password: PW, roles: ['head_teacher'], classes: [C1] });
    expect(ht.status).toBe(201);
    expect((await admin.call('PUT', `/schools/${schoolId}/classes/${encodeURIComponent(C1)}/teachers`, { teachers: [{ accountId: ht.json.id, subject: '语文' }] })).status).toBe(200);
    expect((await admin.call('PUT', `/schools/${schoolId}/classes/${encodeURIComponent(C1)}/timetable`, { periods: [{ weekday: 1, period: 1, subject: '语文' }, { weekday: 2, period: 1, subject: '数学' }] })).status).toBe(200);
    expect((await admin.call('PUT', `/schools/${schoolId}/home/rules`, { body: '7:50 前到校。\n<b>不得</b>带手机。' })).status).toBe(200);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 240_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await cloud?.dispose();
    await sms?.close();
  });

  const phonePage = async (): Promise<Page> => {
    const ctx = await browser.newContext(PHONE);
    contexts.push(ctx);
    return ctx.newPage();
  };
  const guardian = async (phone: string): Promise<Page> => {
    const page = await phonePage();
    await appGuardianSignIn(page, `${cloud.url}/parent/`, phone, () => sms.received.map((m) => m.body), '#msg-guardian');
    return page;
  };
  const teacher = async (): Promise<Page> => {
    const page = await phonePage();
    await appStaffSignIn(page, cloud.url, 'wang', PW, '#msg-staff');
    return page;
  };
  const noSideways = (page: Page) => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');

  let ht: Page;
  it('posts a class announcement with an image; guardians read it (the script stays text); the teacher reminds the one who has not', async () => {
    ht = await teacher();
    expect(await ht.inputValue('#notice-form input[name=target]')).toBe(C1);
    // An image that is not one: refused with the server's message, nothing published.
    await ht.fill('#notice-form input[name=title]', '春游通知');
    await ht.fill('#notice-form textarea[name=body]', SCRIPT);
    await ht.setInputFiles('#notice-form input[name=images]', { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('<html>not an image</html>') });
    await ht.click('#notice-form button[type=submit]');
    await ht.locator('#notice-msg', { hasText: '不是图片' }).waitFor();
    // The draft went with the refused image; the teacher's text is still in the form.
    await waitFor(async () => ((await cloud.db.query('SELECT 1 FROM hs_notices')).rows.length === 0 ? true : undefined), 'the draft withdrawn');
    expect(await ht.inputValue('#notice-form input[name=title]')).toBe('春游通知');
    await ht.setInputFiles('#notice-form input[name=images]', { name: '路线图.png', mimeType: 'image/png', buffer: PNG_1PX });
    await ht.click('#notice-form button[type=submit]');
    await ht.locator('#notice-msg', { hasText: '已发布，3 位家长可见' }).waitFor();
    await ht.locator('#my-notices li[data-notice] .read-count', { hasText: '已读 0 / 3' }).waitFor();
    expect(await noSideways(ht)).toBe(true);

    for (const phone of [MUM, AUNT]) {
      const p = await guardian(phone);
      const item = p.locator('#msg-notices li[data-notice]').first();
      await item.waitFor();
      expect(await item.innerText()).toContain('未读');
      await item.locator('button.open-notice').click();
      await item.locator('.notice-body').waitFor();
      expect(await item.locator('.notice-body').innerText()).toBe(SCRIPT);
      expect(await item.locator('.status').innerText()).toBe('已读');
      // The image arrives (fetched with the session) and is a real picture.
      await waitFor(async () => (await item.locator('img.notice-image').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth === 1)) || undefined, 'the image');
      expect(await p.evaluate('window.__pwned')).toBeUndefined();
      expect(await noSideways(p)).toBe(true);
    }
    // A guardian of another class sees nothing of it.
    const other = await guardian(C2MUM);
    await other.locator('#msg-notices li.muted', { hasText: '暂无' }).waitFor();

    await ht.reload();
    const mine = ht.locator('#my-notices li[data-notice]').first();
    await mine.locator('.read-count', { hasText: '已读 2 / 3' }).waitFor();
    await mine.locator('button.unread-list').click();
    await mine.locator('ul.unread li', { hasText: '钱伟 · 钱小三（四年级1班）' }).waitFor();
    expect(await mine.locator('ul.unread').innerText()).not.toContain(DAD);
    await mine.locator('button.remind').click();
    await mine.locator('.remind-msg', { hasText: '提醒 1 位家长' }).waitFor();
    expect(await mine.locator('button.remind').isDisabled()).toBe(true);
    // The reminder reached the father's app, and only his.
    const dad = await guardian(DAD);
    await dad.locator('#alerts li', { hasText: '请查看通知：春游通知（王老师）' }).waitFor();
    expect(Number((await cloud.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM hs_alerts WHERE kind = 'notice_reminder'`)).rows[0]!.n)).toBe(1);
  }, 180_000);

  it('shows class information and carries a message from a guardian to the teacher and the reply back', async () => {
    const mum = await guardian(MUM);
    const card = mum.locator('#msg-class-info [data-child="s1"]');
    await card.waitFor();
    expect(await card.innerText()).toContain('王老师（班主任） 语文');
    expect(await card.locator('table.timetable').innerText()).toContain('周一');
    // The rules are text, markup and all.
    expect(await card.locator('.rules').innerText()).toBe('7:50 前到校。\n<b>不得</b>带手机。');
    await card.locator('li[data-teacher] button.write').click();
    await card.locator('form.write-teacher textarea').fill('<script>window.__pwned=3</script>孩子今天咳嗽，请多留意。');
    await card.locator('form.write-teacher button[type=submit]').click();
    await card.locator('form.write-teacher [role=status]', { hasText: '已发送' }).waitFor();
    await mum.locator('#msg-threads li[data-thread]').first().waitFor();

    await ht.reload();
    const thread = ht.locator('#inbox li[data-thread]').first();
    await thread.waitFor();
    expect(await thread.innerText()).toContain('王小一（四年级1班）· 李芳（母亲）');
    expect(await thread.innerText()).not.toContain(MUM);
    await thread.locator('button.open-thread').click();
    await thread.locator('.messages li.from-guardian', { hasText: '<script>window.__pwned=3</script>孩子今天咳嗽' }).waitFor();
    expect(await ht.evaluate('window.__pwned')).toBeUndefined();
    await thread.locator('form.reply-form textarea').fill('好的，已留意。');
    await thread.locator('form.reply-form button[type=submit]').click();
    await thread.locator('.messages li.from-staff', { hasText: '好的，已留意。' }).waitFor();

    await mum.reload();
    const mine = mum.locator('#msg-threads li[data-thread]').first();
    await mine.waitFor();
    expect(await mine.innerText()).toContain('王老师 · 王小一');
    await mine.click();
    await mine.locator('.messages li.from-staff', { hasText: '好的，已留意。' }).waitFor();
    expect(await mum.evaluate('window.__pwned')).toBeUndefined();
  }, 120_000);

  it('collects a 接龙 form: created by the teacher, answered per child, answers and the missing seen by the teacher', async () => {
    await ht.reload();
    await ht.fill('#form-new input[name=title]', '春游报名');
    await ht.fill('#form-new textarea[name=fields]', '是否参加?\n校服尺码:S/M/L\n备注');
    await ht.click('#form-new button[type=submit]');
    await ht.locator('#form-new-msg', { hasText: '接龙已创建' }).waitFor();
    await ht.locator('#class-forms li[data-form] button.show-answers', { hasText: '已填 0 / 3' }).waitFor();

    const mum = await guardian(MUM);
    const form = mum.locator('#msg-forms form.answer-form[data-child="s1"]');
    await form.waitFor();
    expect(await form.innerText()).toContain('为 王小一 填写');
    // A required answer missing: the server's message, nothing stored.
    await form.locator('button[type=submit]').click();
    await form.locator('[role=status]', { hasText: '“是否参加”：必填' }).waitFor();
    expect((await cloud.db.query('SELECT 1 FROM hs_form_answers')).rows).toEqual([]);
    await form.locator('select[name=f1]').selectOption('true');
    await form.locator('select[name=f2]').selectOption('M');
    await form.locator('input[name=f3]').fill('花生过敏');
    await form.locator('button[type=submit]').click();
    await form.locator('[role=status]', { hasText: '已提交' }).waitFor();

    await ht.reload();
    const item = ht.locator('#class-forms li[data-form]').first();
    await item.locator('button.show-answers', { hasText: '已填 1 / 3' }).click();
    const row = item.locator('table.answers tr[data-student="s1"]');
    await row.waitFor();
    expect(await row.innerText()).toMatch(/王小一\s+是\s+M\s+花生过敏/);
    expect(await item.locator('.not-answered').innerText()).toBe('未填写：钱小三、周小五');
    expect(await item.locator('a.export').getAttribute('href')).toContain('/export');
    expect(await noSideways(ht)).toBe(true);
  }, 120_000);
});
