import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, ApiClient, startTestEdge, waitFor } from '../helpers/edge.js';
import { startSimCampus, type SimCampus } from '../energy/helpers/campus-sim.js';
import { FakeTime, PASSWORD, USERS, cst, makePng } from '../facilities/helpers.js';
import { qrVideo } from './fake-camera.js';

/**
 * Issue 14's "done means": a school week of facilities work on one real edge (facilities and
 * energy domains, fake time moved by the test), a real Modbus TCP slave with a three-phase
 * building meter, a classroom meter and a relay board, and the phone screens of the built
 * panel in Debian's Chromium at 390×844 with a fake camera playing real signed tags.
 *
 * Monday: the morning round, scanned out of order with the camera; the distribution box is
 * red with a photo and becomes an order dispatched by the rota; the electrician accepts it;
 * he and the supervisor finish it at once (the supervisor wins, the phone says why); the
 * inspector confirms it with a rating and the KPI page shows its numbers.
 * Tuesday: the building meter runs over its rating (readings after readings, cleared and
 * raised again): one order. Wednesday: the after-school check switches a classroom's
 * circuits off through the relay board (audited as the inspector's manual switch).
 * Thursday: a stock-take with two scanners on one session finds a missing and a moved
 * asset. Friday: a teacher scans a water heater's tag with the camera and reports a leak;
 * the plumbing contractor gets it, the other contractor cannot read it.
 * Needs `npm run build -w web-panel` first.
 */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const panelDir = join(repoRoot, 'web-panel', 'dist');
const screenshots = join(repoRoot, 'test-results', 'screenshots');
const PHONE = { width: 390, height: 844 };
const DESK = { width: 1280, height: 800 };
const BASE_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const MON = '2026-09-07';
const TUE = '2026-09-08';
const WED = '2026-09-09';
const THU = '2026-09-10';
const FRI = '2026-09-11';

const ROTA = [
  { category: 'electrical', building: 'teach', assignee: 'elec', days: 'school' as const, from: '07:00', until: '18:00' },
  { category: 'plumbing', building: '*', assignee: 'aqua', kind: 'contractor' as const },
  { category: 'glazing', building: '*', assignee: 'bolt', kind: 'contractor' as const },
];

const time = new FakeTime(cst(`${MON} 06:30`));
let sim: SimCampus;
let edge: Awaited<ReturnType<typeof startTestEdge>>;
let boss: ApiClient;
let work: string;
const browsers: Browser[] = [];
const contexts: BrowserContext[] = [];
const tags: Record<string, string> = {};
let redOrder = 0;

/** Chromium whose fake camera films one printed tag. */
async function launchWithCamera(tag: string, name: string): Promise<Browser> {
  const video = join(work, `${name}.y4m`);
  writeFileSync(video, qrVideo(tag));
  const b = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...BASE_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  });
  browsers.push(b);
  return b;
}

/** A signed-in phone (or desk) on a page of the panel; i18n misses are collected. */
async function phoneAs(browser: Browser, username: string, path: string, viewport = PHONE): Promise<Page> {
  const phone = viewport === PHONE;
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce', isMobile: phone, hasTouch: phone, permissions: ['camera'] });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(30_000); // a loaded machine shares two cores with other agents
  const missing: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && m.text().includes('i18n: missing message id')) missing.push(m.text());
  });
  missingIds.set(page, missing);
  await page.goto(edge.httpUrl);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(username === 'admin' ? ADMIN.password : PASSWORD);
  await page.locator('button[type=submit]').click();
  await page.locator('[data-testid=live-status][data-status=connected]').waitFor();
  await go(page, path);
  return page;
}
const missingIds = new WeakMap<Page, string[]>();

/** Yesterday's phones are put away (a loaded machine keeps only today's pages open). */
async function closePhones(): Promise<void> {
  for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
}

async function go(page: Page, path: string): Promise<void> {
  await page.evaluate((p) => {
    window.location.hash = `/${p}`;
  }, path);
}

async function fitsWidth(page: Page): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width + 1);
}

async function scanTyped(page: Page, testId: string, text: string): Promise<void> {
  const input = page.getByTestId(`${testId}-input`);
  await input.fill(text);
  await input.press('Enter');
}

/** The latest reading of a meter point, stamped by the poller with the edge's (fake) clock. */
function readingAt(meter: string, point: string): number {
  return edge.energy.services?.live.values(meter)?.get(point)?.at ?? 0;
}

/**
 * Fake seconds pass one at a time; each time the meter poller (on its real tick) reads both
 * meters at the new instant before the next second, as a running edge would.
 */
async function pump(seconds: number): Promise<void> {
  for (let i = 0; i < seconds; i++) {
    await time.advance(1000);
    const at = time.now();
    await waitFor(() => readingAt('m-teach', 'current_l1') >= at && readingAt('m-101', 'power_active_total') >= at, 10_000, 20);
  }
}

async function user(name: keyof typeof USERS): Promise<ApiClient> {
  const c = new ApiClient(edge.httpUrl);
  expect((await c.login(name, PASSWORD)).status).toBe(200);
  return c;
}

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'fac-week-'));
  sim = await startSimCampus({
    meters: [
      { unit: 1, model: 'eastron-sdm630', baseLoadW: 2000 },
      { unit: 2, model: 'eastron-sdm120', baseLoadW: 1200 },
    ],
    relays: [{ unit: 10, channels: 4 }],
  });
  const fast = { fastMs: 1000, slowMs: 1000 };
  edge = await startTestEdge(
    {
      site: { id: 'demo-school', name: '示范中学' },
      http: { host: '127.0.0.1', port: 0, panelDir, sessionTtlHours: 24 * 10 },
      mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
      clock: { trust: 'always', checkIntervalSeconds: 3600 },
      energy: {
        enabled: true,
        buildings: [{ id: 'teach', name: '教学楼' }],
        rooms: [{ id: 'r101', name: '101教室', building: 'teach', kind: 'classroom' }],
        buses: [
          {
            id: 'gw',
            transport: { kind: 'tcp', host: '127.0.0.1', port: sim.slave.port },
            timeoutMs: 500,
            meters: [
              { id: 'm-teach', name: '教学楼总表', unit: 1, model: 'eastron-sdm630', building: 'teach', ratedCurrentA: 20, intervals: fast },
              { id: 'm-101', name: '101电表', unit: 2, model: 'eastron-sdm120', building: 'teach', room: 'r101', intervals: fast },
            ],
            relays: [{ id: 'relay-a', name: '教学楼继电器箱', unit: 10, channels: 4 }],
          },
        ],
        circuits: [
          { id: 'r101-light', name: '101照明', building: 'teach', room: 'r101', kind: 'lighting', relay: { board: 'relay-a', channel: 1 } },
          { id: 'r101-ac', name: '101空调', building: 'teach', room: 'r101', kind: 'ac', relay: { board: 'relay-a', channel: 2 } },
        ],
        // Relay boards read back hourly: fake days pass without 86,400 Modbus reads each.
        control: { retries: 1, retryDelayMs: 0, stateReadSeconds: 3600, overrideDefaultMinutes: 60 },
        alarms: { raiseAfterSeconds: 0, clearAfterSeconds: 0, afterHoursPowerW: 100_000 },
      },
      facilities: { enabled: true, supervisors: ['boss'], rota: ROTA },
    },
    { wallNow: time.now, time, users: Object.entries(USERS).map(([username, roles]) => ({ username, password: PASSWORD, roles: [...roles] })), energy: { pollTickMs: 50 } },
  );
  boss = await user('boss');

  const checkpoints = {
    hall: { name: '教学楼大厅', building: 'teach', place: '教学楼大厅', checklist: [{ id: 'exit', kind: 'check', label: '安全出口通畅' }] },
    'box-east': {
      name: '东门配电箱',
      building: 'teach',
      place: '教学楼东门',
      category: 'electrical',
      checklist: [{ id: 'door', kind: 'check', label: '箱门关闭上锁', photo: 'on_fail', orderPriority: 'high' }],
    },
    'cp-101': { name: '101教室', building: 'teach', place: '教学楼101', checklist: [{ id: 'off', kind: 'check', label: '灯和空调已关', failResult: 'yellow', room: 'r101' }] },
  };
  for (const [id, cp] of Object.entries(checkpoints)) {
    const r = await boss.req('PUT', `/api/facilities/checkpoints/${id}`, cp);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    tags[id] = r.json.tag;
  }
  expect((await boss.req('PUT', '/api/facilities/rounds/morning', { name: '早间巡检', checkpoints: ['hall', 'box-east'], window: { from: '07:00', until: '07:40' } })).status).toBe(200);
  expect((await boss.req('PUT', '/api/facilities/rounds/evening', { name: '放学后巡检', checkpoints: ['cp-101'], window: { from: '17:00', until: '17:40' } })).status).toBe(200);
  for (const a of [
    { code: 'PJ-101', name: '投影仪', category: 'av', building: 'teach', room: 'r101' },
    { code: 'AC-101', name: '空调', category: 'hvac', building: 'teach', room: 'r101' },
    { code: 'PC-102', name: '教师电脑', category: 'it', building: 'teach', room: 'r102' },
    { code: 'WH-201', name: '热水器', category: 'plumbing', building: 'office', room: 'o201', warrantyEnd: '2027-06-30' },
  ]) {
    const r = await boss.req('POST', '/api/facilities/assets', a);
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    tags[a.code] = (await boss.req('GET', `/api/facilities/assets/${a.code}`)).json.tag;
  }
  tags.r101 = (await boss.req('GET', '/api/facilities/rooms/r101/tag')).json.tag;
  // Both meters answer before the week starts.
  await pump(2);
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  for (const b of browsers) await b.close().catch(() => undefined);
  await edge?.cleanup();
  await sim?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a facilities week', () => {
  it('Monday: a red item becomes an order — dispatched, accepted, finished by two at once, confirmed, counted in the KPI', async () => {
    // The inspector's camera films the distribution box's tag.
    const browser = await launchWithCamera(tags['box-east']!, 'box-east');
    await time.advanceTo(cst(`${MON} 07:10`));
    const inspector = await phoneAs(browser, 'inspector', 'facilities/inspect');
    await inspector.getByTestId('runs-today').getByText('早间巡检').waitFor();
    await inspector.getByTestId('inspect-scanner-camera').click();
    await inspector.getByTestId('checklist').getByText('东门配电箱').waitFor();
    await inspector.getByTestId('fail-door').click();
    await inspector.getByTestId('photo-door-file').setInputFiles({ name: 'IMG_0001.png', mimeType: 'image/png', buffer: makePng(4000, 3000) });
    await inspector.getByTestId('photo-door-size').getByText(/（1600×1200）/).waitFor();
    await inspector.getByTestId('inspect-submit').click();
    // Red, and out of order: the hall was due first (the round warns, the answer is kept).
    const result = inspector.locator('[data-testid=inspect-result][data-result=red]');
    await result.waitFor();
    await result.getByText('未按顺序（应先检 教学楼大厅）').waitFor();
    const opened = await result.getByTestId('inspect-orders').textContent();
    redOrder = Number(/#(\d+)/.exec(opened ?? '')![1]);
    await fitsWidth(inspector);
    await inspector.screenshot({ path: join(screenshots, 'facilities-week-red.png'), fullPage: true });

    // The hall by handheld scanner: green. The box again: refused in words, the red answer stays.
    await scanTyped(inspector, 'inspect-scanner', tags.hall!);
    await inspector.getByTestId('pass-exit').click();
    await inspector.getByTestId('inspect-submit').click();
    await inspector.locator('[data-testid=inspect-result][data-result=green]').waitFor();
    await scanTyped(inspector, 'inspect-scanner', tags['box-east']!);
    await inspector.getByTestId('pass-door').click();
    await inspector.getByTestId('inspect-submit').click();
    await inspector.getByTestId('inspect-error').getByText(`巡检点 东门配电箱 已于 ${MON} 07:10 由 inspector 巡检过`, { exact: false }).waitFor();
    const run = (await boss.req('GET', '/api/facilities/runs?state=open')).json.runs.find((r: { roundId: string }) => r.roundId === 'morning');
    const stored = (await boss.req('GET', `/api/facilities/runs/${run.id}`)).json.inspections;
    expect(stored.map((i: { checkpointId: string; result: string; outOfOrder: boolean }) => [i.checkpointId, i.result])).toEqual([
      ['box-east', 'red'],
      ['hall', 'green'],
    ]);

    // The electrician on duty has it on his phone (pushed by the rota), with the photo and the place.
    const elec = await phoneAs(browser, 'elec', 'facilities/orders');
    const card = elec.locator(`[data-testid=order-${redOrder}][data-state=dispatched]`);
    await card.waitFor();
    await card.getByText(/电气 · teach · 教学楼东门/).waitFor();
    expect(await card.locator('img').count()).toBe(1);
    await time.advanceTo(cst(`${MON} 07:30`));
    await elec.getByTestId(`accept-${redOrder}`).click();
    await elec.locator(`[data-testid=order-${redOrder}][data-state=accepted]`).waitFor();
    await elec.getByTestId(`start-${redOrder}`).click();
    await elec.locator(`[data-testid=order-${redOrder}][data-state=in_progress]`).waitFor();

    // 09:10: the electrician and the supervisor finish it at once; the supervisor's request lands first.
    await time.advanceTo(cst(`${MON} 09:10`));
    await elec.getByTestId(`done-${redOrder}`).click();
    await elec.getByTestId('order-dialog-note').fill('换了门锁');
    const before = (await boss.req('GET', `/api/facilities/orders/${redOrder}`)).json.order;
    const sup = await boss.req('POST', `/api/facilities/orders/${redOrder}/done`, { version: before.version, note: '主管代为完成' });
    expect(sup.status).toBe(200);
    await elec.locator('#order-dialog-ok').click();
    // The phone says who finished it; the stale dialog closes so the words are not hidden behind it.
    const error = elec.getByTestId('orders-error');
    await error.getByText(/已完成/).waitFor();
    await elec.locator('.ant-modal-wrap').waitFor({ state: 'hidden' });
    expect(await error.textContent()).toContain(`工单已被 boss 于 ${MON} 09:10 改为“已完成待确认”`);
    await elec.locator(`[data-testid=order-${redOrder}][data-state=done]`).waitFor();
    await fitsWidth(elec);
    await elec.screenshot({ path: join(screenshots, 'facilities-week-finish-race.png'), fullPage: true });
    const finished = (await boss.req('GET', `/api/facilities/orders/${redOrder}`)).json.order;
    expect(finished.steps.filter((s: { action: string }) => s.action === 'done')).toEqual([expect.objectContaining({ actor: 'boss', note: '主管代为完成' })]);

    // Only the requester confirms: the supervisor and another teacher are refused in words.
    const bySup = await boss.req('POST', `/api/facilities/orders/${redOrder}/confirm`, { version: finished.version, rating: 5 });
    expect(bySup.status).toBe(403);
    expect(bySup.json.error.message['zh-CN']).toContain('inspector');
    const byTeacher = await (await user('teacher')).req('POST', `/api/facilities/orders/${redOrder}/confirm`, { version: finished.version, rating: 5 });
    expect(byTeacher.status).toBe(403);
    expect(byTeacher.json.error.message['zh-CN']).toMatch(/无权|只有/);

    // The inspector (who reported it) confirms it with four stars.
    await go(inspector, 'facilities/orders');
    await inspector.getByTestId('orders-mine').getByText('我报修的').click();
    await inspector.locator(`[data-testid=order-${redOrder}][data-state=done]`).waitFor();
    await inspector.getByTestId(`confirm-${redOrder}`).click();
    await inspector.getByTestId('confirm-rating').locator('.ant-rate-star').nth(3).click();
    await inspector.locator('#order-dialog-ok').click();
    await inspector.locator(`[data-testid=order-${redOrder}][data-state=confirmed]`).waitFor();
    const confirmed = (await boss.req('GET', `/api/facilities/orders/${redOrder}`)).json.order;
    expect(confirmed).toMatchObject({ state: 'confirmed', rating: 4, requester: 'inspector', assignee: 'elec', source: 'inspection', respondBreached: false, fixBreached: false });
    expect(confirmed.steps.map((s: { action: string; actor: string }) => `${s.action}:${s.actor}`)).toEqual(['submit:inspector', 'dispatch:system', 'accept:elec', 'start:elec', 'done:boss', 'confirm:inspector']);

    // The supervisor's KPI page: 20 min to respond (07:10 → 07:30), 120 to repair (→ 09:10), SLA met, rated 4.
    await time.advanceTo(cst(`${MON} 18:00`));
    const desk = await phoneAs(browser, 'boss', 'facilities/kpi', DESK);
    const row = desk.getByTestId('fac-kpi').locator('.ant-table tr[data-row-key=elec]');
    await row.waitFor();
    expect((await row.locator('td').allTextContents()).map((s) => s.trim())).toEqual(['elec', '1', '0', '20', '120', '1/1', '0%', '4.0']);
    await desk.screenshot({ path: join(screenshots, 'facilities-week-kpi.png') });
    for (const p of [inspector, elec, desk]) expect(missingIds.get(p)).toEqual([]);
  }, 150_000);

  it('Tuesday: the building meter runs over its rating again and again — one order', async () => {
    await time.advanceTo(cst(`${TUE} 10:00`));
    // Meanwhile the supervisor was told how the rounds closed: Monday morning done (one scan out
    // of order), Monday after school and Tuesday morning missed.
    const closed = edge.store.events.list({ limit: 20, typePrefix: 'facilities.inspection.round_closed' });
    const summaries = closed.map((e) => e.data as { roundId: string; done: number; missed: number; outOfOrder: number }).reverse();
    expect(summaries.map((c) => [c.roundId, c.done, c.missed, c.outOfOrder])).toEqual([
      ['morning', 2, 0, 1],
      ['evening', 0, 1, 0],
      ['morning', 0, 2, 0],
    ]);
    const alerts = edge.store.events.list({ limit: 20, typePrefix: 'facilities.inspection.alert' });
    expect(alerts.map((e) => `${e.reason}:${e.subject}`).sort()).toEqual(['facilities.round.missed:box-east', 'facilities.round.missed:cp-101', 'facilities.round.missed:hall', 'facilities.round.out_of_order:box-east']);
    await pump(2);
    const alarmOrders = async () => (await boss.req('GET', '/api/facilities/orders')).json.orders.filter((o: { source: string }) => o.source === 'alarm');
    expect(await alarmOrders()).toEqual([]);
    // 2 kW a phase ≈ 10 A; × 3 ≈ 30 A on a 20 A feeder, every phase, every second.
    const meter = sim.meter(1);
    meter.physics.loadFactor = 3;
    await pump(8);
    meter.physics.loadFactor = 1; // it drops, the alarms clear …
    await pump(3);
    meter.physics.loadFactor = 3; // … and it comes back
    await pump(5);
    meter.physics.loadFactor = 1;
    await pump(2);
    const raised = edge.store.events.list({ limit: 100, typePrefix: 'alarm.energy.raised' }).filter((e) => (e.data as { rule?: string }).rule === 'over_current');
    const cleared = edge.store.events.list({ limit: 100, typePrefix: 'alarm.energy.cleared' }).filter((e) => (e.data as { rule?: string }).rule === 'over_current');
    // It cleared in between and was raised again.
    expect(raised.some((r) => cleared.some((c) => c.seq < r.seq))).toBe(true);
    const orders = await alarmOrders();
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ category: 'electrical', building: 'teach', assignee: 'elec', state: 'dispatched' });
    const full = (await boss.req('GET', `/api/facilities/orders/${orders[0].id}`)).json.order;
    expect(full.steps.filter((s: { action: string }) => s.action === 'alarm_again').length).toBe(raised.length - 1);
  }, 60_000);

  it('Wednesday: the after-school check switches a classroom’s circuits off through the relay board', async () => {
    const browser = browsers[0]!;
    await closePhones();
    sim.relay(10).states.fill(true, 0, 2); // lights and AC left on
    await time.advanceTo(cst(`${WED} 17:05`));
    await pump(3);
    const inspector = await phoneAs(browser, 'inspector', 'facilities/inspect');
    await inspector.getByTestId('runs-today').getByText('放学后巡检').waitFor();
    await scanTyped(inspector, 'inspect-scanner', tags['cp-101']!);
    const room = inspector.locator('[data-testid=room-r101][data-off=false]');
    await room.getByText(/未关：101照明、101空调|未关：101空调、101照明/).waitFor();
    await room.getByText(/当前功率 \d+ W/).waitFor();
    await inspector.locator('[data-testid=item-off][data-result=yellow]').waitFor();
    await inspector.getByTestId('room-r101-off').click();
    await inspector.locator('[data-testid=room-r101][data-off=true]').getByText('全部回路已关').waitFor();
    expect(sim.relay(10).states.slice(0, 2)).toEqual([false, false]);
    await inspector.locator('[data-testid=item-off][data-result=green]').waitFor();
    await inspector.getByTestId('inspect-submit').click();
    await inspector.locator('[data-testid=inspect-result][data-result=green]').waitFor();
    await fitsWidth(inspector);
    const switches = edge.store.audit.list(100).filter((a) => a.action === 'energy.circuit.switch');
    expect(switches.map((a) => [a.actor, a.target]).sort()).toEqual([
      ['inspector', 'r101-ac'],
      ['inspector', 'r101-light'],
    ]);
    expect(switches[0]!.detail).toMatchObject({ on: false, why: 'facilities:cp-101' });
    const circuits = (await boss.req('GET', '/api/energy/circuits')).json.circuits.filter((c: { id: string }) => c.id.startsWith('r101-'));
    expect(circuits.map((c: { on: boolean; lastChange: { by: { kind: string; id: string } } }) => [c.on, c.lastChange.by])).toEqual([
      [false, { kind: 'user', id: 'inspector' }],
      [false, { kind: 'user', id: 'inspector' }],
    ]);
    expect(missingIds.get(inspector)).toEqual([]);
  }, 60_000);

  it('Thursday: two scanners on one stock-take; the duplicate counts once; the report finds the missing and the moved asset', async () => {
    const browser = browsers[0]!;
    await closePhones();
    await time.advanceTo(cst(`${THU} 10:00`));
    const st = await boss.req('POST', '/api/facilities/stocktakes', { name: '学期中盘点', building: 'teach' });
    expect(st.status).toBe(201);
    const id = st.json.stocktake.id as number;
    const scanners = [await phoneAs(browser, 'inspector', 'facilities/stocktake'), await phoneAs(browser, 'teacher', 'facilities/stocktake')];
    for (const p of scanners) {
      await p.locator('[data-testid=stocktake-id] input, input[data-testid=stocktake-id]').fill(String(id));
      await p.getByTestId('stocktake-join').click();
      await scanTyped(p, 'stocktake-scanner', tags.r101!);
      await p.getByText('房间 r101：逐个扫描资产').waitFor();
    }
    const [a, b] = scanners as [Page, Page];
    // Both scan the projector at the same moment.
    await Promise.all([scanTyped(a, 'stocktake-scanner', tags['PJ-101']!), scanTyped(b, 'stocktake-scanner', tags['PJ-101']!)]);
    await a.locator('[data-testid=scan-PJ-101][data-outcome=found]').waitFor();
    await b.locator('[data-testid=scan-PJ-101][data-outcome=found]').waitFor();
    const dupes = (await a.getByTestId('scan-PJ-101').getByText('重复').count()) + (await b.getByTestId('scan-PJ-101').getByText('重复').count());
    expect(dupes).toBe(1);
    // The teacher's computer from room 102 stands in 101.
    await scanTyped(b, 'stocktake-scanner', tags['PC-102']!);
    await b.locator('[data-testid=scan-PC-102][data-outcome=moved]').waitFor();

    // The supervisor closes the session; the final report names the missing and the moved asset.
    const sup = await phoneAs(browser, 'boss', 'facilities/stocktake');
    await sup.locator('[data-testid=stocktake-id] input, input[data-testid=stocktake-id]').fill(String(id));
    await sup.getByTestId('stocktake-join').click();
    await sup.getByTestId('stocktake-close').click();
    await sup.getByText('AC-101 未找到（登记在 r101）').waitFor();
    await sup.getByText('PC-102 在 r101，登记在 r102').waitFor();
    await fitsWidth(sup);
    await sup.screenshot({ path: join(screenshots, 'facilities-week-stocktake.png'), fullPage: true });
    const report = (await boss.req('GET', `/api/facilities/stocktakes/${id}`)).json;
    expect(report.stocktake.closedAt).not.toBeNull();
    expect(report.counts).toMatchObject({ expected: 3, found: 1, moved: 1, missing: 1 });
    expect(report.missing.map((m: { code: string }) => m.code)).toEqual(['AC-101']);
    expect(report.moved.map((m: { code: string; room: string }) => [m.code, m.room])).toEqual([['PC-102', 'r101']]);
    for (const p of [a, b, sup]) expect(missingIds.get(p)).toEqual([]);
  }, 90_000);

  it('Friday: a teacher scans the water heater’s tag with the camera and reports a leak; only the plumbing contractor reads it', async () => {
    await closePhones();
    await browsers[0]!.close();
    await time.advanceTo(cst(`${FRI} 10:00`));
    const browser = await launchWithCamera(tags['WH-201']!, 'wh-201');
    const teacher = await phoneAs(browser, 'teacher', 'facilities/report');
    await teacher.getByTestId('report-category').click();
    await teacher.locator('.ant-select-item-option', { hasText: '水暖' }).click();
    await teacher.getByTestId('report-building').locator('input').fill('office');
    await teacher.getByTestId('report-place').fill('201教师办公室');
    await teacher.getByTestId('report-description').fill('热水器下方漏水');
    await teacher.getByTestId('report-photo-file').setInputFiles({ name: 'leak.png', mimeType: 'image/png', buffer: makePng(3000, 4000) });
    await teacher.getByTestId('report-photo-size').getByText(/（1200×1600）/).waitFor();
    await teacher.getByTestId('report-scan-asset').click();
    await teacher.getByTestId('report-asset-scanner-camera').click();
    await teacher.getByTestId('report-asset').getByText('资产 WH-201').waitFor();
    await fitsWidth(teacher);
    await teacher.getByTestId('report-submit').click();
    const created = teacher.getByTestId('report-created');
    await created.getByText('已派给 aqua').waitFor();
    await created.getByText('热水器 在保修期内（至 2027-06-30）').waitFor();
    const id = Number(await created.getAttribute('data-order'));
    await teacher.screenshot({ path: join(screenshots, 'facilities-week-report.png'), fullPage: true });
    const order = (await boss.req('GET', `/api/facilities/orders/${id}`)).json.order;
    expect(order).toMatchObject({ requester: 'teacher', assignee: 'aqua', category: 'plumbing', state: 'dispatched', asset: 'WH-201', building: 'office' });
    expect(order.photos).toHaveLength(1);

    // The other contractor can neither read nor list it, and its phone stays empty.
    const bolt = await user('bolt');
    const read = await bolt.req('GET', `/api/facilities/orders/${id}`);
    expect(read.status).toBe(403);
    expect(read.json.error.message['zh-CN']).toContain('无权');
    expect((await bolt.req('GET', '/api/facilities/orders')).json.orders).toEqual([]);
    const boltPhone = await phoneAs(browser, 'bolt', 'facilities/orders');
    await boltPhone.getByText('没有工单').waitFor();
    const aqua = await phoneAs(browser, 'aqua', 'facilities/orders');
    await aqua.locator(`[data-testid=order-${id}][data-state=dispatched]`).getByText('热水器下方漏水').waitFor();
    expect(await boltPhone.locator('[data-testid^=order-]').count()).toBe(0);

    // The week in the KPI: the electrician's two orders (the alarm's still open), the contractor's one.
    const kpi = (await boss.req('GET', '/api/facilities/kpi?by=worker')).json.rows;
    expect(kpi.map((r: { key: string; orders: number; backlog: number }) => [r.key, r.orders, r.backlog])).toEqual([
      ['aqua', 1, 1],
      ['elec', 2, 1],
    ]);
    for (const p of [teacher, boltPhone, aqua]) expect(missingIds.get(p)).toEqual([]);
  }, 90_000);
});
