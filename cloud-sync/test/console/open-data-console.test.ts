import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { INGEST_PATH } from '@campus/protocol/sync/ingest';
import { availableBackends } from '../helpers/backends.js';
import { startTestCloud, waitFor, type TestCloud } from '../helpers/cloud.js';
import { gatePass } from '../helpers/events.js';
import { signedSend } from '../helpers/signed-request.js';
import { staffSignIn } from '../helpers/staff-client.js';
import { startReceiver, type Receiver } from '../open/receiver.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CONSOLE_DIR = new URL('../../../web-panel/dist-console/', import.meta.url).pathname;
const PW = 'open-console-pass-1';
/** On PostgreSQL when it runs here (as CI does), else PGlite. */
const backend = (await availableBackends()).at(-1)!;

/**
 * The console's open-data screens in Chromium against a cloud on PostgreSQL: an API key
 * made with scopes (its secret shown once) that reads within them and is refused past
 * them and once revoked; a webhook to a real local receiver that answers 500, whose
 * delivery log shows the failures and retries, then the deliveries once it recovers; and
 * the landing pages of the bus, health and facility roles.
 */
describe(`console open data and role pages on ${backend.name}`, () => {
  let cloud: TestCloud;
  let S: string;
  let edge: Awaited<ReturnType<TestCloud['provisionEdge']>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let rx: Receiver;

  const openApi = async (key: string, path: string) => {
    const res = await fetch(`${cloud.url}/api/open/v1${path}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: res.status, json: (res.headers.get('content-type') ?? '').includes('json') ? await res.json() : null };
  };
  const signIn = async (p: Page, username: string) => {
    await p.goto(`${cloud.url}/console/`);
    await p.locator('#username').fill(username);
    await p.locator('#password').fill(PW);
    await p.locator('button[type=submit]').first().click();
    const items = p.locator('[data-testid=console-menu] .ant-menu-title-content');
    await items.first().waitFor();
    return items;
  };

  beforeAll(async () => {
    if (!existsSync(`${CONSOLE_DIR}index.html`)) throw new Error(`${CONSOLE_DIR} is missing: run "npm run build -w web-panel" first.`);
    rx = await startReceiver('fail');
    cloud = await startTestCloud(backend, {
      consoleDir: CONSOLE_DIR,
      openData: { settleMs: 0, webhooks: { allowPrivateTargets: true, timeoutMs: 400, backoffMs: [300, 600, 900] } },
    });
    edge = await cloud.provisionEdge({ schoolName: '开放数据学校', site: 'open-console' });
    S = edge.schoolId;
    await cloud.records.write(S, [{ kind: 'person', key: 'stu-1', data: { name: '张小明', roles: ['student'], classId: '三年级-2班', phone: '13800000031' } }]);
    await cloud.admin('POST', `/schools/${S}/accounts`, { username: 'oc-admin', displayName: '开放管理员', password: PW });
    const admin = await staffSignIn(cloud.url, 'oc-admin', PW);
    for (const [username, role] of [['oc-bus', 'transport_manager'], ['oc-nurse', 'nurse'], ['oc-facility', 'facility_supervisor']] as const) {
      expect((await admin.call('POST', '/accounts', { username, displayName: username, password: PW, roles: [role] })).status).toBe(201);
    }
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', reducedMotion: 'reduce' });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await cloud?.dispose();
    await rx?.close();
  });

  it('creates an API key with scopes, shows its secret once, and the key reads only within them until revoked', async () => {
    const items = await signIn(page, 'oc-admin');
    expect(await items.allInnerTexts()).toContain('开放数据');
    await page.locator('[data-testid=console-menu] .ant-menu-title-content', { hasText: '开放数据' }).click();
    const keys = page.locator('[data-testid=api-keys]');
    await keys.getByRole('button', { name: '新建密钥' }).click();
    const modal = page.locator('.ant-modal', { hasText: '权限范围' });
    // Nothing typed: the form asks for it, nothing is created.
    await modal.getByRole('button', { name: '保存' }).click();
    await modal.getByText('请填写此项').first().waitFor();
    await modal.locator('#name').fill('教务系统对接');
    await modal.getByLabel('读取事件').check();
    await modal.getByRole('button', { name: '保存' }).click();
    const secretBox = page.locator('[data-testid=new-key-secret]');
    await secretBox.waitFor();
    expect(await page.locator('.ant-modal', { hasText: '密钥已创建' }).innerText()).toContain('关闭后不会再次显示');
    const key = (await secretBox.innerText()).trim();
    expect(key).toMatch(/^ok_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{40,}$/);
    await page.getByRole('button', { name: '我已保存' }).click();
    const row = keys.locator('tr', { hasText: '教务系统对接' });
    await row.getByText('读取名单等记录').waitFor();
    expect(await row.innerText()).toContain('读取事件');
    // The list never shows the secret again.
    expect(await keys.innerText()).not.toContain(key.split('.')[1]!);

    // Within its scopes: records (a phone withheld without `sensitive`) and events; past them: export is refused.
    const people = await openApi(key, `/schools/${S}/records/person`);
    expect(people.status).toBe(200);
    expect(people.json.items[0].data.phone).toBeUndefined();
    expect((await openApi(key, `/schools/${S}/events`)).status).toBe(200);
    const past = await fetch(`${cloud.url}/api/open/v1/schools/${S}/export/records`, { headers: { authorization: `Bearer ${key}` } });
    expect(past.status).toBe(403);
    expect(((await past.json()) as { error: { message: { 'zh-CN': string } } }).error.message['zh-CN']).toContain('没有权限范围');

    // Revoked in the console: refused at once.
    await row.getByRole('button', { name: '吊销' }).click();
    await page.locator('.ant-popconfirm .ant-btn-primary').click();
    await row.getByText('已吊销').waitFor();
    const after = await openApi(key, `/schools/${S}/records/person`);
    expect(after.status).toBe(401);
    expect(after.json.error.code).toBe('open.error.key_invalid');
  }, 90_000);

  it('subscribes a webhook; the delivery log shows a failing receiver retried, then delivered once it recovers; pause and a refused URL', async () => {
    await page.getByRole('tab', { name: 'Webhook 订阅' }).click();
    const hooks = page.locator('[data-testid=webhooks]');
    const modal = page.locator('.ant-modal', { hasText: '推送地址' });
    // A URL the cloud refuses: the reason in zh-CN, nothing subscribed.
    await hooks.getByRole('button', { name: '新建订阅' }).click();
    await modal.locator('#url').fill('ftp://example.org/hook');
    await modal.locator('#eventTypes').fill('access.*');
    await modal.locator('#eventTypes').press('Enter');
    await modal.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => hooks.locator('[data-testid=open-error]').innerText()).toContain('回调地址 ftp://example.org/hook 不可用');
    await modal.locator('#url').fill(rx.url);
    await modal.getByRole('button', { name: '保存' }).click();
    const secretBox = page.locator('[data-testid=new-hook-secret]');
    await secretBox.waitFor();
    expect((await secretBox.innerText()).trim()).toMatch(/^whsec_/);
    await page.getByRole('button', { name: '我已保存' }).click();
    const row = hooks.locator('tr', { hasText: rx.url });
    await row.getByText('正常').waitFor();

    // Two gate events from the school's edge; the receiver answers 500.
    const up = await signedSend(cloud.url, edge.credentials, 'POST', INGEST_PATH, JSON.stringify({ events: [gatePass('open-console', 'stu-1', 'in'), gatePass('open-console', 'stu-1', 'out')] }));
    expect(up.status).toBe(200);
    await waitFor(() => rx.received.filter((h) => h.answered === 500).length >= 3 || undefined, 'three 500 answers', 30_000);
    await hooks.locator('[data-testid=webhooks-reload]').click();
    await row.getByText('投递失败，正在重试').waitFor();
    await row.getByRole('button', { name: '投递记录' }).click();
    const log = page.locator('[data-testid=delivery-log]');
    await log.getByText('HTTP 500').first().waitFor();
    expect(await log.locator('tbody tr.ant-table-row').count()).toBe(2);
    expect(await log.innerText()).toContain('等待重试');

    // The receiver recovers: both delivered, once each.
    rx.mode = 'ok';
    await waitFor(() => (rx.delivered().size === 2 ? true : undefined), 'both events delivered', 30_000);
    await expect.poll(async () => {
      await log.getByRole('button', { name: '刷新' }).click();
      return log.getByText('已送达').count();
    }, { timeout: 20_000 }).toBe(2);
    expect([...rx.delivered().values()]).toEqual([1, 1]);
    await page.locator('.ant-drawer-close').click();

    // Paused by the admin.
    await row.getByRole('button', { name: '暂停' }).click();
    await row.getByText('已暂停（管理员）').waitFor();
    await row.getByRole('button', { name: '启用' }).waitFor();
  }, 90_000);

  it('lands the bus, health and facility roles on a page that says what they can do', async () => {
    const cases = [
      ['oc-bus', 'transport_manager', '校车管理员', '审核家长提出的乘车站点与接送人申请'],
      ['oc-nurse', 'nurse', '校医', '加密保存在本校网关'],
      ['oc-facility', 'facility_supervisor', '后勤主管', '报修工单和资产盘点在本校网关面板中处理'],
    ] as const;
    for (const [username, role, roleName, task] of cases) {
      const ctx = await browser.newContext({ locale: 'zh-CN', reducedMotion: 'reduce', viewport: { width: 1280, height: 900 } });
      const p = await ctx.newPage();
      p.setDefaultTimeout(20_000);
      const items = await signIn(p, username);
      const menu = await items.allInnerTexts();
      expect(menu[0]).toBe('工作台');
      expect(menu).not.toContain('开放数据');
      const card = p.locator(`[data-testid=home-${role}]`);
      await card.waitFor();
      expect(await card.innerText()).toContain(roleName);
      expect(await card.innerText()).toContain(task);
      if (role === 'transport_manager') {
        // The cloud's bus alarms, read with the transport manager's own session.
        await p.locator('[data-testid=home-bus-alarms]').getByText('没有未确认的告警').waitFor();
      } else {
        expect(await p.locator('[data-testid=home-bus-alarms]').count()).toBe(0);
      }
      // The open-data routes stay the admin's: the API refuses this role.
      const r = await p.evaluate(async (school) => (await fetch(`/api/staff/schools/${school}/api-keys`)).status, S);
      expect(r).toBe(403);
      await ctx.close();
    }
  }, 90_000);
});
