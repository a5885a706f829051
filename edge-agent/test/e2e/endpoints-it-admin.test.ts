import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@campus/protocol';
import { startEdge, type Edge } from '../../src/edge.js';
import { SimulatedAgent, STUDENT_DRIVE, TEACHER_DRIVE, type AgentConfigFile } from '../endpoints/helpers.js';

/**
 * The IT admin's USB-guard flows in Debian's Chromium against a real edge serving the
 * built panel: register a PC and take its config file, watch it come online, edit and
 * push a policy to a group, allow a blocked drive from a live event, answer a teacher's
 * request. The PC is a real MQTT client over TLS using the downloaded file.
 * Needs `npm run build` first.
 */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const panelDir = join(repoRoot, 'web-panel', 'dist');
const screenshots = join(repoRoot, 'test-results', 'screenshots');

const ADMIN = { username: 'admin', password: 'admin-password-1' };
const IT = { username: 'it-zhang', password: 'it-password-123' };
const GUARD = { username: 'guard', password: 'guard-password-1' };

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let edge: Edge;
let dataDir: string;
let browser: Browser;
let context: BrowserContext | null = null;
let page: Page;
let pc: SimulatedAgent | null = null;
let config: AgentConfigFile;

beforeAll(async () => {
  if (!existsSync(join(panelDir, 'index.html'))) throw new Error(`The panel is not built (${panelDir} has no index.html): run "npm run build" first.`);
  mkdirSync(screenshots, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'campus-endpoints-e2e-'));
  edge = await startEdge(
    {
      dataDir,
      site: { id: 'demo-school', name: '示范中学' },
      http: { host: '127.0.0.1', port: 0, panelDir },
      mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: true, port: 0 } },
      clock: { trust: 'always' },
      auth: { bootstrapAdmin: ADMIN },
    },
    {
      logger: pino({ level: 'silent' }),
      users: [
        { ...IT, roles: ['it'], displayName: '信息中心张老师' },
        { ...GUARD, roles: ['security'], displayName: '门卫王师傅' },
      ],
    },
  );
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 60_000);

afterEach(async () => {
  await context?.close();
  context = null;
});

afterAll(async () => {
  pc?.close();
  await browser?.close();
  await edge?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function openAs(user: { username: string; password: string }, path = '', viewport = { width: 1366, height: 900 }): Promise<Page> {
  context = await browser.newContext({ viewport, locale: 'zh-CN', reducedMotion: 'reduce', acceptDownloads: true });
  const p = await context.newPage();
  p.setDefaultTimeout(15_000);
  await p.goto(edge.httpUrl + path);
  await p.locator('#username').fill(user.username);
  await p.locator('#password').fill(user.password);
  await p.locator('button[type=submit]').click();
  await p.locator('[data-testid=live-status][data-status=connected]').waitFor();
  return p;
}

const shot = (p: Page, name: string) => p.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
const tab = (p: Page, name: string) => p.getByRole('tab', { name }).click();
const agentPolicy = (p: Page, agentId: string) => p.getByTestId(`agent-policy-${agentId}`);

describe('终端管控 in Chromium: the IT admin’s flows', () => {
  it('registers a PC, takes its config file once, and sees the PC come online with v1 applied', async () => {
    page = await openAs(IT);
    await page.getByTestId('main-menu').getByText('终端管控', { exact: true }).click();
    expect(page.url()).toMatch(/#\/endpoints/);
    await page.getByTestId('register-agent').click();
    await page.locator('#register_agentId').fill('pc-lab1-01');
    await page.locator('#register_displayName').fill('机房1 01号');
    await page.locator('#register_groups').fill('lab-1');
    await page.locator('#register_groups').press('Enter');
    await page.locator('#register_edgeHost').fill('127.0.0.1');
    await page.getByTestId('register-form').locator('button[type=submit]').click();

    const result = page.getByTestId('config-result');
    await result.getByText('只显示这一次', { exact: false }).waitFor();
    expect(await result.locator('.fingerprint').innerText()).toContain(edge.mqtt.tlsFingerprint256!);
    await shot(page, 'endpoints-config-once');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('config-download').click()]);
    expect(download.suggestedFilename()).toBe('campus-guard-pc-lab1-01.json');
    config = JSON.parse(readFileSync((await download.path())!, 'utf8')) as AgentConfigFile;
    expect(config).toMatchObject({ agentId: 'pc-lab1-01', groups: ['lab-1'], edge: { host: '127.0.0.1', port: edge.mqtt.tlsPort, fingerprintsSha256: [edge.mqtt.tlsFingerprint256] } });
    const password = config.credentials.password;
    await page.getByTestId('config-done').click();
    await result.waitFor({ state: 'detached' });
    // Shown once: the password is nowhere on the page or in what the edge serves any more.
    expect(await page.content()).not.toContain(password);

    await page.locator('[data-testid=agent-online-pc-lab1-01][data-online=false]').waitFor();
    // The PC starts with the downloaded file and really connects.
    pc = await SimulatedAgent.connect(config);
    await page.locator('[data-testid=agent-online-pc-lab1-01][data-online=true]').waitFor();
    await page.locator('[data-testid=agent-policy-pc-lab1-01][data-state=applied]').waitFor();
    expect(await agentPolicy(page, 'pc-lab1-01').innerText()).toBe('v1 已生效');
    expect(await page.getByTestId('agents-summary').innerText()).toContain('在线 1 / 共 1 台');
    await shot(page, 'endpoints-agents');
  }, 90_000);

  it('edits the policy into a group push, previews the changes, pushes, and the PC applies it', async () => {
    page = await openAs(IT, '/#/endpoints?tab=policies');
    await page.getByTestId('policy-version-1').waitFor();
    await page.getByTestId('policy-new').click();
    const editor = page.getByTestId('policy-editor');
    await editor.getByText('一个分组', { exact: true }).click();
    await page.locator('#policy_group').fill('lab-1');
    await page.getByTestId('add-rule').click();
    await page.locator('#policy_rules_0_id').fill('wang-drive');
    await page.locator('#policy_rules_0_vid').fill('0781');
    await page.locator('#policy_rules_0_pid').fill('5567');
    await page.locator('#policy_rules_0_serial').fill(TEACHER_DRIVE.serial!);
    await page.locator('#policy_note').fill('王老师的U盘');
    // Pushing needs a look at the changes first.
    expect(await page.getByTestId('policy-push-button').isDisabled()).toBe(true);
    await page.getByTestId('policy-preview-button').click();
    const preview = page.getByTestId('policy-preview');
    await preview.getByText('将下发到 1 台终端').waitFor();
    await preview.getByText('下发范围：全部终端 → 分组 lab-1').waitFor();
    await preview.getByText('新增规则 wang-drive').waitFor();
    await shot(page, 'endpoints-policy-preview');
    await page.getByTestId('policy-push-button').click();
    await page.getByTestId('policy-pushed').getByText('已下发 v2，1 台终端将收到').waitFor();

    const applied = await pc!.waitForVersion(2);
    expect(applied.rules).toEqual([{ id: 'wang-drive', action: 'allow', match: { vid: '0781', pid: '5567', serial: TEACHER_DRIVE.serial } }]);
    expect(applied.note).toBe('王老师的U盘');
    await page.getByText('已保存，关闭').click();
    await page.locator('[data-testid=policy-rollout-2][data-applied="1"]').waitFor();

    await page.getByTestId('policy-diff-2').click();
    await page.getByTestId('policy-diff').getByText('新增规则 wang-drive').waitFor();
    await page.keyboard.press('Escape');

    await tab(page, '终端');
    await page.locator('[data-testid=agent-policy-pc-lab1-01][data-state=applied][data-version="2"]').waitFor();
    await shot(page, 'endpoints-policies');
  }, 90_000);

  it('shows USB events live and allows a blocked drive for an hour from the event', async () => {
    page = await openAs(IT, '/#/endpoints?tab=usb');
    await page.getByTestId('usb-event-table').waitFor();
    const blocked = pc!.usbEvent('blocked', STUDENT_DRIVE);
    await pc!.publish(topics.agentUsb(pc!.agentId), blocked);
    const row = page.locator('[data-testid=usb-event-table] tbody tr.usb-event-row').first();
    await row.locator('.usb-kind[data-kind=blocked]').waitFor();
    expect(await row.innerText()).toContain('090c:1000 USB DISK');
    expect(await row.innerText()).toContain('U 盘等大容量存储设备默认禁止');
    await shot(page, 'endpoints-usb-live');

    const before = pc!.latest()!.version;
    await row.getByText('允许此设备').click();
    await page.getByText('无序列号，按接口 1-2 授权').waitFor();
    await page.locator('#grant_durationMinutes').fill('60');
    await page.locator('#grant_grantedTo').fill('李老师');
    await page.getByTestId('grant-submit').click();
    const doc = await waitForPolicy(pc!, (p) => p.version > before && p.exceptions.some((e) => e.match.port === '1-2'));
    const ex = doc.exceptions.find((e) => e.match.port === '1-2')!;
    expect(ex).toMatchObject({ match: { vid: '090c', pid: '1000', port: '1-2' }, grantedTo: '李老师' });
    expect(ex.expiresAt - Date.now()).toBeGreaterThan(55 * 60_000);
    expect(ex.expiresAt - Date.now()).toBeLessThanOrEqual(60 * 60_000);
  }, 90_000);

  it('answers a teacher’s request: approved for the time asked, another one refused', async () => {
    page = await openAs(IT, '/#/endpoints?tab=requests');
    const first = pc!.request(TEACHER_DRIVE, { durationMinutes: 90, requestedBy: '王老师', note: '公开课课件' });
    await pc!.publish(topics.agentRequest(pc!.agentId), first);
    await page.locator(`[data-testid=request-status-${first.id}][data-status=pending]`).waitFor();
    await page.getByRole('tab', { name: /设备申请/ }).locator('.ant-badge-count').getByText('1').waitFor();
    await shot(page, 'endpoints-request');
    await page.getByTestId(`request-approve-${first.id}`).click();
    await page.getByText('批准 王老师 的申请').waitFor();
    expect(await page.locator('#grant_durationMinutes').inputValue()).toBe('90');
    await page.getByTestId('grant-submit').click();
    await page.locator(`[data-testid=request-status-${first.id}][data-status=approved]`).waitFor();
    const doc = await waitForPolicy(pc!, (p) => p.exceptions.some((e) => e.match.serial === TEACHER_DRIVE.serial));
    expect(doc.exceptions.find((e) => e.match.serial === TEACHER_DRIVE.serial)!.grantedTo).toBe('王老师');

    const second = pc!.request({ ...STUDENT_DRIVE, serial: 'PHONE-7', interfaceClasses: [6] }, { requestedBy: '赵老师', note: '拷照片', durationMinutes: 30 });
    await pc!.publish(topics.agentRequest(pc!.agentId), second);
    await page.getByTestId(`request-deny-${second.id}`).click();
    await page.getByPlaceholder('拒绝理由（可选）').fill('请用校园网盘');
    await page.getByTestId('deny-submit').click();
    await page.locator(`[data-testid=request-status-${second.id}][data-status=denied]`).waitFor();
  }, 90_000);

  it('speaks English after the switch, and a guard neither sees nor opens the page', async () => {
    page = await openAs(IT, '/#/endpoints?tab=agents');
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('tab', { name: 'USB policies' }).waitFor();
    await page.locator('[data-testid=agent-policy-pc-lab1-01][data-state=applied]').waitFor();
    expect(await agentPolicy(page, 'pc-lab1-01').innerText()).toMatch(/^v\d+ applied$/);
    await shot(page, 'endpoints-agents-en');
    await context!.close();

    page = await openAs(GUARD, '', { width: 820, height: 1180 });
    expect(await page.locator('[data-testid=main-menu] .ant-menu-title-content').allInnerTexts()).not.toContain('终端管控');
    await page.evaluate(() => ((globalThis as unknown as { location: { hash: string } }).location.hash = '/endpoints'));
    await page.getByTestId('status-forbidden').waitFor();
    expect(await page.getByTestId('agent-table').count()).toBe(0);
  }, 60_000);
});

async function waitForPolicy(agent: SimulatedAgent, pred: (p: NonNullable<ReturnType<SimulatedAgent['latest']>>) => boolean) {
  const end = Date.now() + 15_000;
  for (;;) {
    const hit = agent.policies.map((p) => p.policy).find(pred);
    if (hit) return hit;
    if (Date.now() > end) throw new Error('the PC did not receive the expected policy');
    await new Promise((r) => setTimeout(r, 50));
  }
}
