import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import { appGuardianSignIn, gatePass } from '@campus/testkit';
import { pgliteBackend } from '../helpers/backends.js';
import { signedSend } from '../helpers/signed-request.js';
import { startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { staffSignIn } from '../helpers/staff-client.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM) && process.env.CI) throw new Error('chromium is required in CI');

const C1 = '三年级1班';
const MUM = '13400000001';
const TEACHER = '13400000009'; // head teacher of C1 and a parent of s2
const PW = 'browser-home-pw-1';
/** A phone as a parent opens a school link in WeChat: 390×844, touch, WeChat's in-app browser user agent. */
const PHONE = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  timezoneId: 'Asia/Shanghai',
  userAgent: 'Mozilla/5.0 (Linux; Android 13; V2183A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64',
};

/** The home-school app on a phone: a guardian applies for an early exit, the head teacher (also a parent) switches role and approves. */
describe.skipIf(!existsSync(CHROMIUM))('home-school app in Chromium on a phone', () => {
  let cloud: TestCloud;
  let sms: HttpSink;
  let browser: Browser;
  let schoolId: string;
  let edge: Awaited<ReturnType<TestCloud['provisionEdge']>>;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    sms = await startHttpSink();
    cloud = await startTestCloud(pgliteBackend, { channels: { sms: { url: sms.url } } });
    edge = await cloud.provisionEdge({ schoolName: '家校小学', site: 'hs-browser' });
    schoolId = edge.schoolId;
    const g = (stu: string, guardian: string) => ({ kind: 'guardianship' as const, key: `${stu}.${guardian}`, data: { studentId: stu, guardianId: guardian, relation: '家长', mayPickUp: true, receivesNotices: true } });
    await cloud.records.write(schoolId, [
      { kind: 'person', key: 's1', data: { name: '王小一', roles: ['student'], classId: C1 } },
      { kind: 'person', key: 's2', data: { name: '赵小二', roles: ['student'], classId: '三年级2班' } },
      { kind: 'person', key: 's5', data: { name: '周小五', roles: ['student'], classId: C1 } },
      { kind: 'person', key: 's6', data: { name: '吴小六', roles: ['student'], classId: C1 } },
      { kind: 'person', key: 'mum', data: { name: '李芳', roles: ['guardian'], phone: MUM } },
      { kind: 'person', key: 't-zhao', data: { name: '赵老师', roles: ['teacher', 'guardian'], phone: TEACHER } },
      g('s1', 'mum'),
      g('s2', 't-zhao'),
    ]);
    expect((await cloud.admin('POST', `/schools/${schoolId}/accounts`, { username: 'b-admin', displayName: '管理员', password: PW })).status).toBe(201);
    const admin = await staffSignIn(cloud.url, 'b-admin', PW);
    expect((await admin.call('POST', '/accounts', { username: 'zhao', displayName: '赵老师', personKey: 't-zhao', password: PW, roles: ['head_teacher'], classes: [C1] })).status).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 120_000);
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
  const signIn = (page: Page, phone: string) => appGuardianSignIn(page, `${cloud.url}/parent/`, phone, () => sms.received.map((m) => m.body));
  const noSideways = (page: Page) => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');

  it('lets a guardian apply on the phone and the head teacher approve after switching role; the leave record is written', async () => {
    const mum = await phonePage();
    await signIn(mum, MUM);
    await mum.locator('#home').waitFor({ state: 'visible' });
    // A guardian only: no role buttons.
    expect(await mum.locator('#roles').isHidden()).toBe(true);
    await mum.locator('#leave-form select[name=child] option').first().waitFor({ state: 'attached' });
    expect(await mum.locator('#leave-form select[name=child]').innerText()).toContain('王小一（三年级1班）');
    // Bad input: the end before the start is refused with the server's message, nothing stored.
    const from = await mum.inputValue('#leave-form input[name=from]');
    expect(from).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    const shift = (local: string, ms: number) => new Date(new Date(`${local}:00Z`).getTime() + ms).toISOString().slice(0, 16);
    await mum.fill('#leave-form input[name=until]', shift(from, -3600_000));
    await mum.click('#leave-form button[type=submit]');
    await mum.locator('#leave-msg', { hasText: '结束时间必须晚于开始时间' }).waitFor();
    expect((await cloud.db.query('SELECT 1 FROM hs_leave_requests')).rows).toEqual([]);
    // A real application: from now, for two hours.
    await mum.fill('#leave-form input[name=until]', shift(from, 2 * 3600_000));
    await mum.selectOption('#leave-form select[name=reasonKind]', 'illness');
    await mum.fill('#leave-form input[name=reason]', '<img src=x onerror="window.__x=1">发烧');
    await mum.fill('#leave-form input[name=collector]', '母亲 李芳');
    await mum.click('#leave-form button[type=submit]');
    await mum.locator('#leave-msg', { hasText: '已提交' }).waitFor();
    await mum.locator('#my-requests li .status-pending').waitFor();
    // Text stays text.
    expect(await mum.locator('#my-requests').innerText()).toContain('<img src=x onerror="window.__x=1">发烧');
    expect(await mum.evaluate('window.__x')).toBeUndefined();
    expect(await noSideways(mum)).toBe(true);
    const stored = (await cloud.db.query<{ id: string; from_at: number; until_at: number }>('SELECT id, from_at, until_at FROM hs_leave_requests')).rows[0]!;
    // The form reads the school's clock (Asia/Shanghai): "now" to the minute, for two hours.
    expect(Number(stored.until_at) - Number(stored.from_at)).toBe(2 * 3600_000);
    expect(Math.abs(Number(stored.from_at) - Date.now())).toBeLessThan(3 * 60_000);

    const teacher = await phonePage();
    await signIn(teacher, TEACHER);
    await teacher.locator('#roles').waitFor({ state: 'visible' });
    await teacher.locator('#home').waitFor({ state: 'visible' });
    expect(await teacher.locator('#leave-form select[name=child]').innerText()).toContain('赵小二');
    await teacher.click('#role-staff');
    await teacher.locator('#staff').waitFor({ state: 'visible' });
    const item = teacher.locator(`#pending li[data-id="${stored.id}"]`);
    await item.waitFor();
    expect(await item.innerText()).toContain('王小一');
    expect(await item.innerText()).toContain('接送人：母亲 李芳');
    expect(await noSideways(teacher)).toBe(true);
    await item.locator('button.approve').click();
    await teacher.locator(`#class-requests li[data-id="${stored.id}"] .status-approved`).waitFor();
    expect(await cloud.records.get(schoolId, 'leave', `hs-${stored.id}`)).toMatchObject({ personId: 's1', approvedBy: 't-zhao' });
    // Switching back to the guardian role needs no new sign-in.
    await teacher.click('#role-guardian');
    await teacher.locator('#home').waitFor({ state: 'visible' });
    // After a reload the teacher is still both, on the last role.
    await teacher.reload();
    await teacher.locator('#roles').waitFor({ state: 'visible' });
    expect(await teacher.locator('#home').isVisible()).toBe(true);

    await mum.reload();
    await mum.locator('#my-requests li .status-approved').waitFor();
    expect(await mum.locator('#my-requests').innerText()).toContain('已批准');
  }, 120_000);

  it('lets a guardian apply to visit a teacher; the teacher approves on the phone and the guardian gets the signed pass', async () => {
    const mum = await phonePage();
    await signIn(mum, MUM);
    await mum.locator('#home').waitFor({ state: 'visible' });
    await mum.fill('#visit-form input[name=hostKey]', 't-zhao');
    await mum.fill('#visit-form input[name=purpose]', '家长会前面谈');
    await mum.click('#visit-form button[type=submit]');
    await mum.locator('#visit-msg', { hasText: '等待被访教师' }).waitFor();
    await mum.locator('#my-visits li .status-pending').waitFor();
    const id = (await cloud.db.query<{ id: string }>('SELECT id FROM hs_visit_requests')).rows[0]!.id;

    const teacher = await phonePage();
    await signIn(teacher, TEACHER);
    await teacher.locator('#roles').waitFor({ state: 'visible' });
    await teacher.click('#role-staff');
    const item = teacher.locator(`#pending-visits li[data-id="${id}"]`);
    await item.waitFor();
    expect(await item.innerText()).toContain('李芳 → 赵老师');
    await item.locator('button.approve').click();
    await teacher.locator('#pending-visits li.muted').waitFor();

    await mum.reload();
    await mum.locator('#my-visits li .status-approved').waitFor();
    const code = await mum.locator('#my-visits code.credential').innerText();
    expect(code).toMatch(/^SC1:/);
    const passNo = (await cloud.db.query<{ pass_no: number }>('SELECT pass_no FROM hs_visit_requests WHERE id = $1', [id])).rows[0]!.pass_no;
    expect(await mum.locator('#my-visits').innerText()).toContain(`通行证 ${passNo}`);
    expect(await cloud.records.get(schoolId, 'visitor_pass', String(passNo))).toMatchObject({ name: '李芳', host: 't-zhao' });
    expect(await noSideways(mum)).toBe(true);
  }, 120_000);

  it('signs a staff member in with username and password in the same app, and takes the roll call', async () => {
    const page = await phonePage();
    await page.goto(`${cloud.url}/parent/`);
    await page.locator('#signin').waitFor({ state: 'visible' });
    await page.click('details summary');
    await page.fill('#username', 'zhao');
    await page.fill('#password', 'wrong-password-1');
    await page.click('#staff-form button[type=submit]');
    await page.locator('#signin-msg', { hasText: '用户名或密码错误' }).waitFor();
    await page.fill('#password', PW);
    await page.click('#staff-form button[type=submit]');
    await page.locator('#staff').waitFor({ state: 'visible' });
    // The account's person is a guardian: the guardian role comes with it, no code needed.
    await page.locator('#roles').waitFor({ state: 'visible' });
    await page.click('#role-guardian');
    await page.locator('#home').waitFor({ state: 'visible' });
    await page.locator('#leave-form select[name=child] option').first().waitFor({ state: 'attached' });
    expect(await page.locator('#leave-form select[name=child]').innerText()).toContain('赵小二');

    // Roll call on the phone: 周小五 came in through the gate, 吴小六 did not; only 吴小六 is ticked as in the room.
    const r = await signedSend(cloud.url, edge.credentials, 'POST', INGEST_PATH, JSON.stringify({ events: [gatePass('hs-browser', 's5', 'in', { occurredAt: Date.now() - 20 * 60_000 })] }));
    expect(r.status).toBe(200);
    await page.click('#role-staff');
    await page.locator('#staff').waitFor({ state: 'visible' });
    expect(await page.inputValue('#roll-form input[name=classId]')).toBe(C1);
    await page.click('#roll-load');
    await page.locator('#roll li[data-student="s5"] .gate-arrived').waitFor();
    expect(await page.locator('#roll li[data-student="s6"]').innerText()).toContain('未入校');
    await page.check('#roll li[data-student="s6"] input');
    await page.click('#roll-form button[type=submit]');
    await page.locator('#roll-msg', { hasText: '异常 2 人' }).waitFor();
    expect(await page.locator('#roll li[data-student="s5"]').innerText()).toContain('已入校但不在班');
    expect(await page.locator('#roll li[data-student="s6"]').innerText()).toContain('在班但无入校记录');
    expect(await noSideways(page)).toBe(true);

    await page.click('#signout');
    await page.locator('#signin').waitFor({ state: 'visible' });
    expect((await fetch(`${cloud.url}/api/staff/session`)).status).toBe(401);
  }, 60_000);
});
