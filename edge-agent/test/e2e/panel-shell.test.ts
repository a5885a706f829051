import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEdge, type Edge } from '../../src/edge.js';

/**
 * The panel as staff use it: Debian's Chromium against a real edge (SQLite, aedes,
 * express, socket.io) serving the built web-panel. Needs `npm run build` first.
 */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const panelDir = join(repoRoot, 'web-panel', 'dist');
const screenshots = join(repoRoot, 'test-results', 'screenshots');

const ADMIN = { username: 'admin', password: 'admin-password-1' };
const GUARD = { username: 'guard', password: 'guard-password-1' };
/** Only ever given wrong passwords here, so its lockout touches no other test. */
const CLERK = { username: 'clerk', password: 'clerk-password-1' };
/** 后勤 staff who only ever sign in correctly: lands on the energy page. */
const HOUQIN = { username: 'houqin', password: 'houqin-password-1' };
const GATE = { clientId: 'gate-south-1', password: 'gate-south-1-secret', displayName: '南门闸机 1' };
const SITE_NAME = '示范中学';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let edge: Edge;
let dataDir: string;
let browser: Browser;
let context: BrowserContext | null = null;
let gateClient: MqttClient | null = null;

beforeAll(async () => {
  if (!existsSync(join(panelDir, 'index.html'))) {
    throw new Error(`The panel is not built (${panelDir} has no index.html): run "npm run build" first.`);
  }
  mkdirSync(screenshots, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'campus-panel-e2e-'));
  edge = await startEdge(
    {
      dataDir,
      site: { id: 'demo-school', name: SITE_NAME },
      http: { host: '127.0.0.1', port: 0, panelDir },
      mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
      // An edge box that booted without a synchronised clock: the header must say so.
      clock: { trust: 'never' },
      auth: { bootstrapAdmin: ADMIN, maxFailedLogins: 3, lockoutSeconds: 120 },
    },
    {
      logger: pino({ level: 'silent' }),
      users: [
        { ...GUARD, roles: ['security'], displayName: '门卫王师傅' },
        { ...CLERK, roles: ['facility'], displayName: '后勤李老师' },
        { ...HOUQIN, roles: ['facility'], displayName: '后勤张师傅' },
      ],
      mqttClients: [{ ...GATE, role: 'device' }],
    },
  );
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 60_000);

afterEach(async () => {
  gateClient?.end(true);
  gateClient = null;
  await context?.close();
  context = null;
});

afterAll(async () => {
  await browser?.close();
  await edge?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** A fresh browser profile (no cookies, no stored language) on a landscape tablet. */
async function openPanel(viewport = { width: 1280, height: 800 }): Promise<Page> {
  context = await browser.newContext({ viewport, locale: 'zh-CN', reducedMotion: 'reduce' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(edge.httpUrl);
  return page;
}

async function signIn(page: Page, user: { username: string; password: string }): Promise<void> {
  await page.locator('#username').fill(user.username);
  await page.locator('#password').fill(user.password);
  await page.locator('button[type=submit]').click();
}

/** Submits the sign-in form and returns the HTTP status the edge answered with. */
async function attemptSignIn(page: Page, user: { username: string; password: string }): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/auth/login')),
    signIn(page, user),
  ]);
  return response.status();
}

function menuItems(page: Page): Promise<string[]> {
  return page.locator('[data-testid=main-menu] .ant-menu-title-content').allInnerTexts();
}

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

function connectGate(): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect({
      host: '127.0.0.1',
      port: edge.mqtt.port,
      clientId: GATE.clientId,
      username: GATE.clientId,
      password: GATE.password,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
}

describe('panel shell in Chromium against a real edge', () => {
  it('signs an admin in, shows live events, switches to English and tracks a device going on- and offline', async () => {
    const page = await openPanel();

    // Sign-in page, Chinese by default.
    await page.getByText('登录管理面板').waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await shot(page, 'sign-in-zh');
    await signIn(page, ADMIN);

    // The shell: site name, role menu, clock warning, live connection; the admin starts on 实时事件.
    await page.getByTestId('site-name').getByText(SITE_NAME).waitFor();
    expect(page.url()).toMatch(/#\/events$/);
    expect(await menuItems(page)).toEqual(['实时事件', '设备', '终端管控', '门岗实时', '请假与通行证', '今日考勤', '人员与卡片', '闸机状态', '实时用电', '用电统计', '非工作时间用电', '回路控制', '定时与校历', '用电告警', '校车随车', '巡检', '报修', '我的工单', '巡检与工单看板', '资产', '盘点', '巡检与库存设置', '维修绩效']);
    expect(await page.getByTestId('clock-badge').innerText()).toBe('时钟未同步');
    await page.locator('[data-testid=live-status][data-status=connected]').waitFor();
    await page.locator('[data-testid=event-table] tbody tr.event-row').first().waitFor();

    // An event appended at the edge arrives without a reload, on top.
    await page.evaluate(() => ((window as unknown as { e2eMarker: string }).e2eMarker = 'same page'));
    const note = `东门访客登记 ${Date.now()}`;
    edge.appendEvent({ type: 'demo.note', reason: 'demo.note', severity: 'warning', source: 'e2e', data: { text: note } });
    const firstRow = page.locator('[data-testid=event-table] tbody tr.event-row').first();
    await firstRow.getByText(`演示校园：${note}`).waitFor();
    expect(await firstRow.locator('[data-severity]').getAttribute('data-severity')).toBe('warning');
    expect(await firstRow.locator('[data-severity]').innerText()).toBe('警告');
    expect(await page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker)).toBe('same page');
    await shot(page, 'events-zh');

    // English: the panel, antd and the event texts from the API all switch.
    await page.getByText('English', { exact: true }).click();
    await firstRow.getByText(`Demo campus: ${note}`).waitFor();
    expect(await menuItems(page)).toEqual(['Live events', 'Devices', 'Endpoint guard', 'Gate live', 'Leaves and passes', "Today's attendance", 'People and cards', 'Gates and readers', 'Live power', 'Energy use', 'After-hours use', 'Circuits', 'Schedules and calendar', 'Electrical alarms', 'School bus trip', 'Inspection', 'Report a fault', 'My work orders', 'Rounds and orders board', 'Assets', 'Stock-take', 'Rounds and stores setup', 'Repair KPIs']);
    expect(await page.getByTestId('clock-badge').innerText()).toBe('Clock not synchronised');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await shot(page, 'events-en');

    // The choice survives a reload (localStorage), and so does the session (cookie).
    await page.reload();
    await page.getByText('Live events', { exact: true }).first().waitFor();
    await page.locator('[data-testid=event-table]').getByText(`Demo campus: ${note}`).waitFor();

    // Type filter: only matching events, and live ones that do not match stay out.
    await page.getByTestId('event-filter').locator('input').fill('system.');
    await page.getByTestId('event-filter').locator('input').press('Enter');
    await page.locator('[data-testid=event-table]').getByText(`Demo campus: ${note}`).waitFor({ state: 'detached' });
    // Kinds show as words (系统启动, not system.started); the id stays on the tag for tools and tests.
    await page.locator('[data-testid=event-table] .event-type[data-type^="system."]').first().waitFor();
    const types = await page.locator('[data-testid=event-table] .event-type').evaluateAll((els) => els.map((el) => el.getAttribute('data-type') ?? ''));
    expect(types.length).toBeGreaterThan(0);
    expect(types.every((t) => t.startsWith('system.'))).toBe(true);
    const hidden = `filtered-out ${Date.now()}`;
    edge.appendEvent({ type: 'demo.note', reason: 'demo.note', source: 'e2e', data: { text: hidden } });
    // Live events arrive in order: once the later one is shown, the earlier one was filtered.
    const jump = Date.now() % 100_000;
    edge.appendEvent({ type: 'system.clock', reason: 'clock.backwards', severity: 'warning', source: 'e2e', data: { deltaMs: jump } });
    await page.locator('[data-testid=event-table]').getByText(`System clock jumped backwards by ${jump} ms`).waitFor();
    expect(await page.locator('[data-testid=event-table]').getByText(hidden).count()).toBe(0);

    // Devices: the gate turnstile is registered but offline ...
    await page.getByText('Devices', { exact: true }).click();
    expect(page.url()).toMatch(/#\/devices$/);
    const presence = page.getByTestId(`presence-${GATE.clientId}`);
    await page.locator(`[data-testid=presence-${GATE.clientId}][data-online=false]`).waitFor();
    expect(await page.getByTestId('device-table').getByText(GATE.displayName).count()).toBe(1);

    // ... comes online when it really connects to the broker ...
    gateClient = await connectGate();
    await page.locator(`[data-testid=presence-${GATE.clientId}][data-online=true]`).waitFor();
    expect(await presence.innerText()).toBe('Online');
    expect(await page.getByTestId('device-summary').innerText()).toContain('1 online of 1');
    await shot(page, 'devices-en');

    // ... and goes offline when it drops.
    gateClient.end(true);
    gateClient = null;
    await page.locator(`[data-testid=presence-${GATE.clientId}][data-online=false]`).waitFor();
    expect(await presence.innerText()).toBe('Offline');

    // Sign out returns to the sign-in page, still in English.
    await page.getByTestId('user-menu').click();
    await page.getByText('Sign out', { exact: true }).click();
    await page.getByText('Sign in to the panel').waitFor();
    const me = await page.evaluate(async () => (await fetch('/api/auth/me')).status);
    expect(me).toBe(401);
  }, 90_000);

  it('shows a guard only the pages of the security role', async () => {
    const page = await openPanel({ width: 820, height: 1180 }); // portrait tablet
    await signIn(page, GUARD);
    await page.locator('[data-testid=live-status][data-status=connected]').waitFor();
    expect(await menuItems(page)).toEqual(['实时事件', '门岗实时', '请假与通行证', '今日考勤', '闸机状态', '报修', '我的工单']);
    expect(await page.getByTestId('user-menu').innerText()).toContain('门卫王师傅');
    // The guard starts on 门岗实时; the portrait tablet's menu is folded to icons.
    await page.waitForURL(/#\/access\/live$/);
    await page.evaluate(() => (window.location.hash = '/events'));

    // A guard sees demo notes but not IT's security events.
    const note = `门卫可见 ${Date.now()}`;
    edge.appendEvent({ type: 'security.refused', reason: 'mqtt.auth_failed', severity: 'warning', source: 'e2e', data: { clientId: 'intruder' } });
    edge.appendEvent({ type: 'demo.note', reason: 'demo.note', source: 'e2e', data: { text: note } });
    await page.locator('[data-testid=event-table]').getByText(`演示校园：${note}`).waitFor();
    expect(await page.locator('[data-testid=event-table]').getByText('intruder').count()).toBe(0);
    await shot(page, 'events-guard-portrait');

    // Typing the devices address does not open it.
    await page.evaluate(() => (window.location.hash = '/devices'));
    await page.getByTestId('status-forbidden').waitFor();
    expect(await page.getByTestId('device-table').count()).toBe(0);
    await shot(page, 'devices-forbidden');
  }, 60_000);

  it('lands each job on its own page after sign-in, and keeps a deep link', async () => {
    const selected = (page: Page) => page.locator('[data-testid=main-menu] .ant-menu-item-selected').innerText();

    // The guard at the gate: 门岗实时.
    let page = await openPanel({ width: 820, height: 1180 });
    await signIn(page, GUARD);
    await page.getByTestId('site-name').getByText(SITE_NAME).waitFor();
    await page.waitForURL(/#\/access\/live$/);
    expect(await selected(page)).toBe('门岗实时');
    await shot(page, 'landing-security');
    await context?.close();

    // 后勤: live power.
    page = await openPanel();
    await signIn(page, HOUQIN);
    await page.getByTestId('site-name').getByText(SITE_NAME).waitFor();
    await page.waitForURL(/#\/energy\/live$/);
    expect(await selected(page)).toBe('实时用电');
    await shot(page, 'landing-facility');
    // The panel root opens the same page again.
    await page.goto(edge.httpUrl);
    await page.waitForURL(/#\/energy\/live$/);
    await context?.close();

    // A deep link the guard may open survives sign-in; one left by another job's session does not.
    page = await openPanel();
    await page.goto(`${edge.httpUrl}/#/events`);
    await signIn(page, GUARD);
    await page.locator('[data-testid=event-table]').waitFor();
    expect(page.url()).toMatch(/#\/events$/);
    await page.getByTestId('user-menu').click();
    await page.getByText('退出登录', { exact: true }).click();
    await page.evaluate(() => (window.location.hash = '/energy/live'));
    await signIn(page, GUARD);
    await page.waitForURL(/#\/access\/live$/);
    expect(await page.getByTestId('status-forbidden').count()).toBe(0);
  }, 60_000);

  it('explains a wrong password and a lockout in the chosen language', async () => {
    const page = await openPanel({ width: 1024, height: 768 });
    const error = page.getByTestId('sign-in-error');
    expect(await attemptSignIn(page, { username: CLERK.username, password: 'not-the-password' })).toBe(401);
    await error.getByText('用户名或密码错误').waitFor();
    await shot(page, 'sign-in-wrong-password');

    // The message follows the language switch, and so do new ones.
    await page.getByText('English', { exact: true }).click();
    await error.getByText('Wrong username or password').waitFor();
    expect(await attemptSignIn(page, { username: CLERK.username, password: 'still-wrong' })).toBe(401);
    await error.getByText('Wrong username or password').waitFor();

    // The third failure locks the account (maxFailedLogins: 3); the panel says for how long.
    await page.getByText('中文', { exact: true }).click();
    expect(await attemptSignIn(page, { username: CLERK.username, password: 'wrong-again' })).toBe(401);
    expect(await attemptSignIn(page, CLERK)).toBe(429);
    await error.getByText(/登录尝试过多，请在 \d+ 秒后重试/).waitFor();
    expect(await page.locator('button[type=submit]').isDisabled()).toBe(true);
    await shot(page, 'sign-in-locked');
  }, 60_000);
});
