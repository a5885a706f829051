import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestEdge } from '../helpers/edge.js';
import { FakeTime, PASSWORD, ROTA, USERS, cst } from '../facilities/helpers.js';
import { writeWorkbook } from '@campus/protocol/sheets/xlsx';

/**
 * The supervisor's desk views in Debian's Chromium at a desktop viewport against a real edge
 * serving the built panel: checkpoints with their checklists and rounds edited (order of
 * checkpoints, window, a bad window refused), an extra round for a weather warning, the tag
 * sheets; the store (receipts, issues, the minimum-stock alert, an issue past the stock
 * refused); the asset ledger imported (a sheet with a duplicate code and a bad date refused
 * row by row with nothing stored, then a good one) and an asset issued; the KPI charts drawn
 * from the edge's KPIs. Needs `npm run build -w web-panel` first.
 */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const panelDir = join(repoRoot, 'web-panel', 'dist');
const DESK = { width: 1366, height: 850 };
const BASE_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const time = new FakeTime(cst('2026-09-07 07:05'));
let edge: Awaited<ReturnType<typeof startTestEdge>>;
let boss: ApiClient;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  edge = await startTestEdge(
    {
      site: { id: 'demo-school', name: '示范中学' },
      http: { host: '127.0.0.1', port: 0, panelDir },
      mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
      clock: { trust: 'always', checkIntervalSeconds: 3600 },
      facilities: { enabled: true, supervisors: ['boss'], rota: ROTA },
    },
    { wallNow: time.now, time, users: Object.entries(USERS).map(([username, roles]) => ({ username, password: PASSWORD, roles: [...roles] })) },
  );
  boss = new ApiClient(edge.httpUrl);
  expect((await boss.login('boss', PASSWORD)).status).toBe(200);
  const gate = await boss.req('PUT', '/api/facilities/checkpoints/cp-gate', { name: '东门配电箱', building: 'teach', place: '教学楼东门', checklist: [{ id: 'door', kind: 'check', label: '箱门关闭上锁' }] });
  expect(gate.status).toBe(200);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: BASE_ARGS });
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await edge?.cleanup();
});

async function deskAs(username: string, path: string): Promise<Page> {
  const context = await browser.newContext({ viewport: DESK, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce', acceptDownloads: true });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const missing: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && m.text().includes('i18n: missing message id')) missing.push(m.text());
  });
  (page as Page & { missingIds?: string[] }).missingIds = missing;
  await page.goto(edge.httpUrl);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(PASSWORD);
  await page.locator('button[type=submit]').click();
  await page.locator('[data-testid=live-status][data-status=connected]').waitFor();
  await page.evaluate((p) => {
    window.location.hash = `/${p}`;
  }, path);
  return page;
}

/** Picks an option of an antd Select by its text. */
async function choose(page: Page, testId: string, option: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: option }).first().click();
}

/** Types into an antd InputNumber (its test id sits on the input, or on a wrapper of it). */
async function num(page: Page, testId: string, value: string): Promise<void> {
  await page.locator(`input[data-testid="${testId}"], [data-testid="${testId}"] input`).first().fill(value);
}

const missingIds = (p: Page) => (p as Page & { missingIds?: string[] }).missingIds ?? [];

describe('the facility supervisor at the desk', () => {
  it('edits checkpoints and rounds, refuses a bad window, starts an extra round, prints tags', async () => {
    const page = await deskAs('boss', 'facilities/desk');
    await page.getByTestId('desk-rounds').waitFor();
    await page.getByTestId('cp-new').click();
    await page.getByTestId('cp-id').fill('cp-roof');
    await page.getByTestId('cp-name').fill('教学楼屋顶');
    await page.getByTestId('cp-building').fill('teach');
    await page.getByTestId('cp-place').fill('教学楼屋顶水箱旁');
    await page.getByTestId('cp-item-0-id').fill('pots');
    await page.getByTestId('cp-item-0-label').fill('花盆已搬离边沿');
    await choose(page, 'cp-item-0-photo', '必须拍照');
    await page.getByTestId('cp-item-add').click();
    await page.getByTestId('cp-item-1-id').fill('temp');
    await page.getByTestId('cp-item-1-label').fill('水箱温度');
    await choose(page, 'cp-item-1-kind', '读数');
    await page.getByTestId('cp-item-1-unit').fill('°C');
    await num(page, 'cp-item-1-warnHigh', '50');
    await num(page, 'cp-item-1-alarmHigh', '70');
    await page.getByTestId('cp-save').click();
    await page.getByTestId('cp-form').waitFor({ state: 'detached' });
    await page.getByTestId('cp-edit-cp-roof').waitFor();
    const cps = (await boss.req('GET', '/api/facilities/checkpoints')).json.checkpoints;
    expect(cps.find((c: { id: string }) => c.id === 'cp-roof')).toMatchObject({
      name: '教学楼屋顶',
      building: 'teach',
      checklist: [
        { id: 'pots', kind: 'check', label: '花盆已搬离边沿', photo: 'required', failResult: 'red' },
        { id: 'temp', kind: 'reading', label: '水箱温度', unit: '°C', thresholds: { warnHigh: 50, alarmHigh: 70 } },
      ],
    });

    // A round: the gate, then the roof; moved so the roof comes first.
    await page.getByTestId('round-new').click();
    await page.getByTestId('round-id').fill('storm');
    await page.getByTestId('round-name').fill('台风前巡检');
    await page.getByTestId('round-from').fill('16:30');
    await page.getByTestId('round-until').fill('17:30');
    await choose(page, 'round-add-cp', '东门配电箱');
    await choose(page, 'round-add-cp', '教学楼屋顶');
    await page.locator('[data-testid=round-cp-1][data-cp=cp-roof]').waitFor();
    await page.getByTestId('round-cp-1-up').click();
    await page.locator('[data-testid=round-cp-0][data-cp=cp-roof]').waitFor();
    await page.getByTestId('round-save').click();
    await page.getByTestId('round-form').waitFor({ state: 'detached' });
    await page.getByTestId('round-route-storm').getByText('1. 教学楼屋顶').waitFor();
    let rounds = (await boss.req('GET', '/api/facilities/rounds')).json.rounds;
    expect(rounds).toMatchObject([{ id: 'storm', name: '台风前巡检', checkpoints: ['cp-roof', 'cp-gate'], days: 'school', window: { from: '16:30', until: '17:30' }, order: 'warn' }]);

    // A window that ends before it starts: refused with the edge's words, the round unchanged.
    await page.getByTestId('round-edit-storm').click();
    await page.getByTestId('round-until').fill('16:00');
    await page.getByTestId('round-save').click();
    const err = page.getByTestId('round-error');
    await err.waitFor();
    expect(await err.textContent()).toMatch(/a window must end after it starts/);
    rounds = (await boss.req('GET', '/api/facilities/rounds')).json.rounds;
    expect(rounds[0].window).toEqual({ from: '16:30', until: '17:30' });
    await page.keyboard.press('Escape');
    await page.getByTestId('round-form').waitFor({ state: 'detached' });

    // A weather warning: an extra run of the round, now.
    await page.getByTestId('round-extra-storm').click();
    await page.getByTestId('extra-reason').fill('台风蓝色预警');
    await page.getByTestId('extra-start').click();
    await page.getByTestId('desk-notice').getByText('已开始临时巡检 storm').waitFor();
    const runs = (await boss.req('GET', '/api/facilities/runs?state=open')).json.runs;
    expect(runs.map((r: { roundId: string; checkpoints: string[] }) => [r.roundId, r.checkpoints])).toEqual([['storm', ['cp-roof', 'cp-gate']]]);

    // Tag sheets: every checkpoint, or the ones selected.
    const all = await page.getByTestId('cp-tag-sheet').getAttribute('href');
    expect(all).toBe('/api/facilities/tag-sheets/checkpoints');
    await page.locator('tr[data-row-key=cp-roof] input[type=checkbox]').check();
    await page.getByTestId('cp-tag-sheet').getByText('打印所选 1 个标签').waitFor();
    const one = (await page.getByTestId('cp-tag-sheet').getAttribute('href'))!;
    expect(one).toBe('/api/facilities/tag-sheets/checkpoints?ids=cp-roof');
    const pdf = await page.request.get(edge.httpUrl + one);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    expect(missingIds(page)).toEqual([]);
  }, 120_000);

  it('keeps the store: receipts, issues against an order, the minimum-stock alert, an issue past the stock refused', async () => {
    const page = await deskAs('boss', 'facilities/desk');
    await page.getByTestId('desk-tab-stores').click();
    await page.getByTestId('desk-stores').waitFor();
    await page.getByTestId('stock-new').click();
    await page.getByTestId('stock-id').fill('tube-t8');
    await page.getByTestId('stock-name').fill('T8 灯管');
    await page.getByTestId('stock-unit').fill('支');
    await num(page, 'stock-min', '10');
    await page.getByTestId('stock-save').click();
    await page.getByTestId('stock-row-tube-t8').click();
    await page.getByTestId('stock-drawer').waitFor();
    await num(page, 'stock-qty', '12');
    await page.getByTestId('stock-move').click();
    await page.locator('[data-testid=stock-row-tube-t8][data-qty="12"][data-low=false]').waitFor();
    await page.getByTestId('stock-kind').getByText('领用').click();
    await num(page, 'stock-qty', '5');
    await page.getByTestId('stock-note').fill('三楼走廊');
    await page.getByTestId('stock-move').click();
    await page.locator('[data-testid=stock-row-tube-t8][data-qty="7"][data-low=true]').waitFor();
    await page.getByTestId('stock-moves').getByText('三楼走廊').waitFor();
    // More than there is: the edge's words, nothing taken.
    await num(page, 'stock-qty', '100');
    await page.getByTestId('stock-move').click();
    await page.getByTestId('stock-move-error').getByText('T8 灯管 库存只有 7支，不够领用 100').waitFor();
    expect((await boss.req('GET', '/api/facilities/stock')).json.items).toMatchObject([{ id: 'tube-t8', qty: 7, low: true, minQty: 10 }]);
    await page.keyboard.press('Escape');
    await page.getByTestId('stock-low-alert').getByText('低于最低库存：T8 灯管 7支').waitFor();
    expect(missingIds(page)).toEqual([]);
  }, 90_000);

  it('imports the asset ledger all or nothing with a row report, prints tags, issues an asset', async () => {
    const page = await deskAs('boss', 'facilities/assets');
    await page.getByTestId('asset-register').waitFor();
    const head = ['资产编号', '名称', '类别', '购置日期', '原值', '楼宇', '房间'];
    const bad = await writeWorkbook([{ name: '台账', rows: [head, ['PJ-001', '投影仪', 'av', '2024-03-01', 4999, 'teach', '301'], ['PJ-001', '投影仪', 'av', '2024-03-01', 4999, 'teach', '302'], ['AC-009', '空调', 'hvac', '2024-13-45', 3200, 'teach', '303']] }]);
    await page.getByTestId('asset-import-file').setInputFiles({ name: '资产台账.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: bad });
    const rows = page.getByTestId('asset-import-rows');
    await rows.waitFor();
    await rows.getByText('与第 2 行编号重复').waitFor();
    expect(await rows.locator('tbody tr').count()).toBe(2);
    expect(await rows.locator('tbody tr').nth(1).textContent()).toMatch(/^4/);
    expect((await boss.req('GET', '/api/facilities/assets')).json.assets).toEqual([]);

    const good = await writeWorkbook([{ name: '台账', rows: [head, ['PJ-001', '投影仪', 'av', '2024-03-01', 4999, 'teach', '301'], ['AC-009', '空调', 'hvac', '2024-05-01', 3200, '', '']] }]);
    await page.getByTestId('asset-import-file').setInputFiles({ name: '资产台账.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: good });
    await page.getByTestId('asset-import-done').getByText('已从 资产台账.xlsx 导入 2 项资产').waitFor();
    await page.getByTestId('asset-row-PJ-001').waitFor();
    expect(await page.getByTestId('asset-tag-sheet').getAttribute('href')).toBe('/api/facilities/tag-sheets/assets');

    // Issue the air conditioner (in stock) to a teacher, from the register.
    await page.getByTestId('asset-row-AC-009').click();
    await page.locator('[data-testid=asset-card][data-state=in_stock]').waitFor();
    await page.getByTestId('asset-act').getByText('领用').click();
    await page.getByTestId('asset-custodian').fill('李老师');
    await page.getByTestId('asset-submit').click();
    await page.locator('[data-testid=asset-card][data-state=issued]').waitFor();
    expect((await boss.req('GET', '/api/facilities/assets/AC-009')).json.asset).toMatchObject({ state: 'issued', custodian: '李老师' });
    expect(missingIds(page)).toEqual([]);
  }, 90_000);

  it('draws the KPI charts from the edge’s KPIs, per worker and per category', async () => {
    const teacher = new ApiClient(edge.httpUrl);
    await teacher.login('teacher', PASSWORD);
    const elec = new ApiClient(edge.httpUrl);
    await elec.login('elec', PASSWORD);
    const aqua = new ApiClient(edge.httpUrl);
    await aqua.login('aqua', PASSWORD);
    const submit = async (category: string, priority: string) => {
      const r = await teacher.req('POST', '/api/facilities/orders', { category, priority, building: 'teach', place: '三楼', description: `${category} 故障` });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
      return r.json.order as { id: number; version: number; assignee: string };
    };
    const step = async (c: ApiClient, id: number, action: string, extra: Record<string, unknown> = {}) => {
      const o = (await c.req('GET', `/api/facilities/orders/${id}`)).json.order;
      const r = await c.req('POST', `/api/facilities/orders/${id}/${action}`, { version: o.version, ...extra });
      expect(r.status, JSON.stringify(r.json)).toBe(200);
    };
    const light = await submit('electrical', 'normal');
    expect(light.assignee).toBe('elec');
    const leak = await submit('plumbing', 'urgent');
    expect(leak.assignee).toBe('aqua');
    await time.advance(10 * 60_000);
    await step(elec, light.id, 'accept');
    await step(elec, light.id, 'start');
    await time.advance(50 * 60_000);
    await step(elec, light.id, 'done');
    await step(teacher, light.id, 'confirm', { rating: 4 });
    // The contractor accepts 40 minutes late: past the urgent 30-minute response.
    await time.advance(20 * 60_000);
    await step(aqua, leak.id, 'accept');

    const page = await deskAs('boss', 'facilities/kpi');
    const charts = page.getByTestId('kpi-charts');
    await charts.waitFor();
    const kpi = (await boss.req('GET', '/api/facilities/kpi?by=worker')).json.rows as Array<{ key: string; avgResponseMin: number | null; backlog: number; avgRating: number | null }>;
    const e = kpi.find((r) => r.key === 'elec')!;
    const a = kpi.find((r) => r.key === 'aqua')!;
    expect(e.avgResponseMin).toBe(10);
    expect(a.avgResponseMin).toBe(80);
    for (const [metric, key, value] of [
      ['response', 'elec', e.avgResponseMin],
      ['response', 'aqua', a.avgResponseMin],
      ['backlog', 'aqua', 1],
      ['backlog', 'elec', 0],
      ['rating', 'elec', 4],
      ['sla', 'elec', 1],
    ] as const) {
      await page.locator(`[data-testid=kpi-bar-${metric}-${key}][data-value="${value}"]`).waitFor();
    }
    // A longer bar for the slower response; the missed SLA drawn in the warning colour.
    const width = async (key: string) => Number(await page.locator(`[data-testid=kpi-bar-response-${key}] rect`).getAttribute('width'));
    expect(await width('aqua')).toBeGreaterThan((await width('elec')) * 7);
    await page.getByTestId('kpi-chart-response').getByText('80 分钟').waitFor();
    await page.getByTestId('kpi-by').getByText('类别').click();
    await page.locator('[data-testid=kpi-bar-response-plumbing]').waitFor();
    await page.getByTestId('kpi-chart-response').getByText('水暖').waitFor();
    expect(await page.getByTestId('kpi-xlsx').getAttribute('href')).toBe('/api/facilities/kpi.xlsx');
    expect(missingIds(page)).toEqual([]);
  }, 120_000);

  it('edits the duty rota (an unknown account refused, nothing changed), and the KPIs group by its teams', async () => {
    const page = await deskAs('boss', 'facilities/desk');
    await page.getByTestId('desk-tab-rota').click();
    await page.locator('[data-testid=rota-source][data-source=config]').waitFor();
    const line = (i: number, role: string) => page.locator(`[data-testid=rota-line-${i}] input[data-role=${role}]`);
    expect(await line(0, 'assignee').inputValue()).toBe('elec');
    expect(await page.locator('[data-testid^=rota-line-]').count()).toBe(3);
    await line(0, 'assignee').fill('inspector');
    await line(0, 'team').fill('电工班');
    await line(1, 'team').fill('外包水电');
    await page.getByTestId('rota-add').click();
    await line(3, 'assignee').fill('ghost');
    await page.getByTestId('rota-save').click();
    await page.getByTestId('rota-error').getByText('用户 ghost 不存在或已停用').waitFor();
    expect((await boss.req('GET', '/api/facilities/rota')).json.source).toBe('config');
    await page.locator('[data-testid=rota-line-3] [data-role=remove]').click();
    await page.getByTestId('rota-save').click();
    await page.getByTestId('rota-saved').waitFor();
    await page.locator('[data-testid=rota-source][data-source=desk]').waitFor();
    const rota = (await boss.req('GET', '/api/facilities/rota')).json;
    expect(rota.entries.map((e: { assignee: string; team?: string }) => [e.assignee, e.team ?? null])).toEqual([
      ['inspector', '电工班'],
      ['aqua', '外包水电'],
      ['bolt', null],
    ]);

    // The orders so far went to elec (now in no line: no team) and to aqua (外包水电).
    await page.evaluate(() => {
      window.location.hash = '/facilities/kpi';
    });
    await page.getByTestId('kpi-by').getByText('班组').click();
    await page.locator('[data-testid="kpi-bar-backlog-外包水电"][data-value="1"]').waitFor();
    await page.getByTestId('kpi-chart-backlog').getByText('（未分班组）').waitFor();
    expect(missingIds(page)).toEqual([]);
  }, 90_000);
});
