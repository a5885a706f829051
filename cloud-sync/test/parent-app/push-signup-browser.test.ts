import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appStaffSignIn } from '@campus/testkit';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { pgliteBackend } from '../helpers/backends.js';
import { startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { staffSignIn } from '../helpers/staff-client.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM) && process.env.CI) throw new Error('chromium is required in CI');

const PW = 'push-signup-pw-1';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };

/**
 * The browser's push service (FCM behind Chromium's PushManager) cannot exist here: the page's
 * PushManager is replaced by one that hands out a subscription for an https endpoint and records
 * the application server key it was asked to use. Everything else is real: the permission prompt
 * (granted by the context), the service worker, the app and the cloud.
 */
function fakePushService(): void {
  let current: { endpoint: string; toJSON(): unknown } | null = null;
  const w = window as unknown as { __pushKeys: string[] };
  w.__pushKeys = [];
  PushManager.prototype.getSubscription = async () => current as never;
  PushManager.prototype.subscribe = async (options?: PushSubscriptionOptionsInit) => {
    const key = new Uint8Array(options!.applicationServerKey as ArrayBuffer);
    w.__pushKeys.push(btoa(String.fromCharCode(...key)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
    const endpoint = `https://push.example.net/wp/${Math.random().toString(36).slice(2)}`;
    const keys = { p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM', auth: 'tBHItJI5svbpez7KI4CCXg' };
    current = { endpoint, toJSON: () => ({ endpoint, expirationTime: null, keys }) };
    return current as never;
  };
}

/** Push sign-up on a phone for staff: a facility worker alone, and a head teacher who is also a parent (one tap, both roles). */
describe.skipIf(!existsSync(CHROMIUM))('push notices sign-up in the app, for staff and for people with several roles', () => {
  let cloud: TestCloud;
  let browser: Browser;
  let schoolId: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    cloud = await startTestCloud(pgliteBackend, {});
    schoolId = (await cloud.provisionEdge({ schoolName: '推送小学', site: 'push-site' })).schoolId;
    await cloud.records.write(schoolId, [
      { kind: 'person', key: 's1', data: { name: '王小一', roles: ['student'], classId: '一年级1班' } },
      { kind: 'person', key: 't-li', data: { name: '李老师', roles: ['teacher', 'guardian'], phone: '13500000001' } },
      { kind: 'person', key: 'w-chen', data: { name: '陈师傅', roles: ['staff'] } },
      { kind: 'guardianship', key: 's1.t-li', data: { studentId: 's1', guardianId: 't-li', relation: '母亲', mayPickUp: true, receivesNotices: true } },
    ]);
    expect((await cloud.admin('POST', `/schools/${schoolId}/accounts`, { username: 'p-admin', displayName: '管理员', password: PW })).status).toBe(201);
    const admin = await staffSignIn(cloud.url, 'p-admin', PW);
    expect((await admin.call('POST', '/accounts', { username: 'chen', displayName: '陈师傅', personKey: 'w-chen', password: PW, roles: ['facility_supervisor'] })).status).toBe(201);
    expect((await admin.call('POST', '/accounts', { username: 'teacher-li', displayName: '李老师', personKey: 't-li', password: PW, roles: ['head_teacher'], classes: ['一年级1班'] })).status).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await cloud?.dispose();
  });

  const signedInPhone = async (username: string): Promise<Page> => {
    const ctx = await browser.newContext(PHONE);
    contexts.push(ctx);
    await ctx.grantPermissions(['notifications'], { origin: cloud.url });
    await ctx.addInitScript(fakePushService);
    const page = await ctx.newPage();
    await appStaffSignIn(page, cloud.url, username, PW);
    return page;
  };
  const staffSubscriptions = async (username: string) =>
    (await cloud.db.query<{ endpoint: string }>('SELECT s.endpoint FROM staff_push_subscriptions s JOIN staff_accounts a ON a.id = s.account_id WHERE a.username = $1', [username])).rows.map((r) => r.endpoint);
  const guardianSubscriptions = async (phone: string) =>
    (await cloud.db.query<{ endpoint: string }>('SELECT endpoint FROM push_subscriptions WHERE phone = $1', [phone])).rows.map((r) => r.endpoint);
  const vapidKey = async () => ((await (await fetch(`${cloud.url}/api/parent/push/vapid-key`)).json()) as { publicKey: string }).publicKey;

  it('signs a facility worker’s phone up for work-order notices from the staff view', async () => {
    const page = await signedInPhone('chen');
    // Staff only: no guardian role, and the button is in the staff view.
    expect(await page.locator('#roles').isHidden()).toBe(true);
    await page.click('#staff-push');
    await page.locator('#staff-push-msg', { hasText: '推送通知已开启' }).waitFor();
    const endpoints = await staffSubscriptions('chen');
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]).toMatch(/^https:\/\/push\.example\.net\/wp\//);
    expect(await page.evaluate<string[]>('window.__pushKeys')).toEqual([await vapidKey()]);
    // The subscription is the account's own, audited without the endpoint's path.
    const audit = (await cloud.db.query<{ detail: unknown }>(`SELECT detail FROM staff_audit WHERE action = 'staff.push.subscribe'`)).rows;
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.detail)).toContain('push.example.net');
    expect(JSON.stringify(audit[0]!.detail)).not.toContain('/wp/');
    // Pressed again on the same phone: the same subscription, not a second one.
    await page.click('#staff-push');
    await page.waitForFunction(() => document.querySelector('#staff-push-msg')?.textContent === '推送通知已开启');
    expect(await staffSubscriptions('chen')).toEqual(endpoints);
  }, 90_000);

  it('signs up both roles of a head teacher who is also a parent with one tap, from either view', async () => {
    const page = await signedInPhone('teacher-li');
    await page.locator('#roles').waitFor({ state: 'visible' });
    await page.click('#role-guardian');
    await page.locator('#home').waitFor({ state: 'visible' });
    await page.click('#push');
    await page.locator('#push-msg', { hasText: '推送通知已开启' }).waitFor();
    const staff = await staffSubscriptions('teacher-li');
    expect(staff).toHaveLength(1);
    expect(await guardianSubscriptions('13500000001')).toEqual(staff);
    expect(await page.evaluate<string[]>('window.__pushKeys')).toEqual([await vapidKey()]);
  }, 90_000);
});
