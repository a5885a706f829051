import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appGuardianSignIn } from '@campus/testkit';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { wgs84ToGcj02 } from '@campus/protocol/bus/gcj02';
import { postgresBackend } from '../helpers/backends.js';
import { seedSchool, startTestCloud, waitFor, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { BusBox, KM, ROUTE, tinyPng, today } from './bus-fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM) && process.env.CI) throw new Error('chromium is required in CI');
const PG = await postgresBackend.available();
if (!PG && process.env.CI) throw new Error('PostgreSQL is required in CI');

const SITE = 'bus-console-e2e';
const MOTHER = '13500000031';
const PW = 'bus-console-pw-1';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
const DESK = { viewport: { width: 1366, height: 860 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
const at = (date: string, hhmm: string) => Date.parse(`${date}T${hhmm}:00+08:00`);

/** A tile server on loopback: any /z/x/y.png is a small PNG; every request is counted. */
async function tileServer(): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const png = Buffer.from(tinyPng([230, 236, 240], 16).split(',')[1]!, 'base64');
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(/^\/\d+\/\d+\/\d+\.png$/.test(req.url ?? '') ? 200 : 404, { 'content-type': 'image/png', 'access-control-allow-origin': '*' });
    res.end(png);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * The school bus in Chromium against a cloud on PostgreSQL: a guardian asks for a stop
 * change and names a pickup person (with a photo) on a phone; the transport manager
 * decides in the console on a desk; the guardian sees the result. The manager's bus pages:
 * the model with GB 24407 seat errors, the live view (schematic and a tile map in GCJ-02),
 * trip reports with the Excel export.
 */
describe.skipIf(!existsSync(CHROMIUM) || !PG)('school bus: parent requests on a phone, the transport manager in the console', () => {
  let cloud: TestCloud;
  let sms: HttpSink;
  let tiles: Awaited<ReturnType<typeof tileServer>>;
  let browser: Browser;
  let school: string;
  let box: BusBox;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  // A past school day, never today in school time (the live-view case runs a trip today): two days back.
  const D = today(Date.now() - 48 * 3600_000);

  const newPage = async (opts: typeof PHONE | typeof DESK): Promise<Page> => {
    const ctx = await browser.newContext(opts);
    contexts.push(ctx);
    const page = await ctx.newPage();
    page.on('console', (m) => {
      if (m.type() !== 'error' || m.text().includes('Failed to load resource')) return;
      void Promise.all(m.args().map((a) => a.jsonValue().catch(() => '?'))).then((args) => errors.push(`${page.url()} ${m.text()} ${JSON.stringify(args).slice(0, 400)}`));
    });
    page.on('pageerror', (e) => errors.push(`${page.url()} ${String(e)} ${JSON.stringify(e).slice(0, 300)}`));
    return page;
  };
  const noSideways = (page: Page) => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');
  const parentSignIn = (page: Page) => appGuardianSignIn(page, `${cloud.url}/parent/`, MOTHER, () => sms.received.map((m) => m.body));
  const consoleAt = async (page: Page, path: string) => {
    await page.goto(`${cloud.url}/console/${path}`);
    await page.locator('input#username').or(page.getByTestId('console-menu')).first().waitFor();
    if (await page.locator('input#username').isVisible()) {
      await page.fill('input#username', 'bc-tm');
      await page.fill('input#password', PW);
      await page.locator('input#password').press('Enter');
    }
    await page.getByTestId('console-menu').waitFor();
  };

  beforeAll(async () => {
    sms = await startHttpSink();
    tiles = await tileServer();
    cloud = await startTestCloud(postgresBackend, { channels: { sms: { url: sms.url } }, busMap: { url: `${tiles.url}/{z}/{x}/{y}.png`, coords: 'gcj02', attribution: '测试底图' } });
    const edge = await seedSchool(cloud, SITE, { mother: MOTHER, father: '13500000032' });
    school = edge.schoolId;
    box = new BusBox(cloud, SITE, edge.credentials);
    await cloud.records.write(school, [
      { kind: 'bus_vehicle', key: 'v1', data: { plate: '沪A12345', seats: 45 } },
      { kind: 'bus_route', key: 'r1', data: ROUTE },
      { kind: 'bus_assignment', key: 'a1', data: { personId: 'stu-1', routeId: 'r1', stopId: 'a', direction: 'morning', from: '2026-01-01' } },
    ]);
    expect((await cloud.admin('POST', `/schools/${school}/accounts`, { username: 'bc-admin', displayName: '管理员', password: PW })).status).toBe(201);
    const login = await fetch(`${cloud.url}/api/staff/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bc-admin', password: PW }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
    const made = await fetch(`${cloud.url}/api/staff/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
      body: JSON.stringify({ username: 'bc-tm', displayName: '周校车', password: PW, roles: ['transport_manager'] }),
    });
    expect(made.status).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await cloud?.dispose();
    await sms?.close();
    await tiles?.close();
  });

  it('lets a guardian on a phone ask for a stop change and name a pickup person with a photo', async () => {
    const mum = await newPage(PHONE);
    await parentSignIn(mum);
    const form = mum.locator('#busreq-form');
    await form.locator('select[name=routeId] option[value=r1]').waitFor({ state: 'attached' });
    expect(await mum.locator('#busreq-current').innerText()).toBe('当前：早班（上学） 1号线 幸福小区北门');
    await form.locator('select[name=stopId]').selectOption('b');
    await form.locator('input[name=note]').fill('搬家到人民公园附近');
    await form.locator('button[type=submit]').click();
    await mum.locator('#busreq-msg', { hasText: '已提交，等待校车管理员处理' }).waitFor();
    await mum.locator('#my-busreqs li .status-pending').first().waitFor();
    expect(await mum.locator('#my-busreqs').innerText()).toContain('早班（上学）：1号线 人民公园，自');

    // A pickup person with a photo: the photo is shrunk on the phone and sent as JPEG.
    await form.locator('select[name=kind]').selectOption('pickup_person');
    await form.locator('input[name=name]').fill('王奶奶');
    await form.locator('input[name=relation]').fill('奶奶');
    await form.locator('input[name=phone]').fill('13800000001');
    await form.locator('input[name=photo]').setInputFiles({ name: 'nainai.png', mimeType: 'image/png', buffer: Buffer.from(tinyPng([180, 120, 90], 640).split(',')[1]!, 'base64') });
    await mum.locator('#busreq-preview').waitFor({ state: 'visible' });
    await form.locator('button[type=submit]').click();
    await mum.locator('#my-busreqs li', { hasText: '接送人：王奶奶（奶奶）' }).waitFor();
    expect(await noSideways(mum)).toBe(true);
    const rows = (await cloud.db.query<{ kind: string; status: string }>('SELECT kind, status FROM bus_requests ORDER BY created_at')).rows;
    expect(rows).toEqual([{ kind: 'stop', status: 'pending' }, { kind: 'pickup_person', status: 'pending' }]);
    const photo = (await cloud.db.query<{ mime: string; data_b64: string }>('SELECT mime, data_b64 FROM bus_photos')).rows[0]!;
    expect(photo.mime).toBe('image/jpeg');
    expect(Buffer.from(photo.data_b64, 'base64').length).toBeLessThan(40 * 1024);
  }, 120_000);

  it('lets the transport manager accept the stop change and reject the pickup person with a reason; the guardian sees both', async () => {
    const tm = await newPage(DESK);
    await consoleAt(tm, 'bus-requests');
    const stopRow = tm.locator('tr', { hasText: '1号线 人民公园' });
    await stopRow.waitFor();
    expect(await stopRow.innerText()).toContain('家长说明：搬家到人民公园附近');
    await stopRow.locator('button.accept').click();
    await tm.getByText('已处理').first().waitFor();
    const pickupRow = tm.locator('tr', { hasText: '王奶奶（奶奶）' });
    // The photo the guardian sent, for the manager to look at.
    await pickupRow.getByRole('button', { name: '查看照片' }).click();
    await tm.locator('.ant-image-preview img').first().waitFor();
    expect(await tm.locator('.ant-image-preview img').first().getAttribute('src')).toMatch(/^data:image\/jpeg;base64,/);
    await tm.keyboard.press('Escape');
    await pickupRow.locator('button.reject').click();
    // A reason is required (the dialog fully open first: a click during its opening animation may miss the form).
    await tm.locator('.ant-modal textarea').waitFor({ state: 'visible' });
    await tm.locator('.ant-modal .ant-btn-primary').click();
    await tm.locator('.ant-modal .ant-form-item-explain-error').waitFor();
    await tm.locator('.ant-modal textarea').fill('请监护人带身份证到校登记');
    await tm.locator('.ant-modal .ant-btn-primary').click();
    await tm.locator('.ant-modal').waitFor({ state: 'hidden' });
    await waitFor(async () => (await cloud.db.query(`SELECT 1 FROM bus_requests WHERE status = 'rejected'`)).rows.length === 1 || undefined, 'rejected');
    expect(await cloud.records.get(school, 'bus_assignment', `stu-1.morning.${today(Date.now() + 86_400_000)}`)).toMatchObject({ personId: 'stu-1', routeId: 'r1', stopId: 'b' });
    const audit = await cloud.db.query<{ n: string }>(`SELECT count(*) AS n FROM staff_audit WHERE action = 'bus.request.decide' AND actor_name = 'bc-tm'`);
    expect(Number(audit.rows[0]!.n)).toBe(2);

    const mum = await newPage(PHONE);
    await parentSignIn(mum);
    await mum.locator('#my-busreqs li .status-accepted').waitFor();
    const list = await mum.locator('#my-busreqs').innerText();
    expect(list).toContain('已同意');
    expect(list).toContain('结果：1号线 人民公园，自');
    expect(list).toContain('未同意');
    expect(list).toContain('管理员说明：请监护人带身份证到校登记');
    expect(await noSideways(mum)).toBe(true);
  }, 120_000);

  it('shows a GB 24407 seat limit as an error in the bus model, and the routes with their stops in order', async () => {
    const tm = await newPage(DESK);
    await consoleAt(tm, 'bus');
    const vehicles = tm.getByTestId('bus-bus_vehicle');
    await vehicles.getByText('沪A12345').waitFor();
    await vehicles.getByRole('button', { name: /新\s*增|添\s*加/ }).first().click();
    const modal = tm.locator('.ant-modal');
    await modal.getByLabel('编号').or(modal.locator('#__key')).first().fill('v9');
    // The plate of v1: the form cannot know, the cloud refuses it.
    await modal.getByLabel('车牌').fill('沪A12345');
    await modal.getByLabel('校车类型').click();
    await tm.locator('.ant-select-item-option', { hasText: '幼儿专用校车' }).click();
    await modal.getByLabel('座位数').fill('50');
    await modal.locator('.ant-btn-primary').click();
    // GB 24407: the form says it at once; nothing is sent.
    await modal.locator('.ant-form-item-explain-error', { hasText: '幼儿专用校车（≤45座）最多 45 座（GB 24407）' }).waitFor();
    await modal.getByLabel('座位数').fill('45');
    await modal.locator('.ant-form-item-explain-error', { hasText: 'GB 24407' }).waitFor({ state: 'detached' });
    await modal.locator('.ant-btn-primary').click();
    await vehicles.getByTestId('record-error').waitFor();
    expect(await vehicles.getByTestId('record-error').innerText()).toContain('车牌 沪A12345 已登记在车辆 v1 上');
    expect(await cloud.records.get(school, 'bus_vehicle', 'v9')).toBeNull();
    await modal.getByLabel('车牌').fill('沪K00009');
    await modal.locator('.ant-btn-primary').click();
    await vehicles.getByText('沪K00009').waitFor();
    expect(await cloud.records.get(school, 'bus_vehicle', 'v9')).toMatchObject({ plate: '沪K00009', kind: 'kindergarten', seats: 45 });
    await tm.getByRole('tab', { name: '路线与站点' }).click();
    const routes = tm.getByTestId('bus-bus_route');
    await routes.getByText('幸福小区北门 07:10 → 人民公园 07:20 → 学校 07:40').waitFor();
    // A stop added at the end and moved up before the school, in the stops editor.
    await routes.locator('tr', { hasText: '1号线' }).getByRole('button', { name: /编\s*辑/ }).click();
    const editor = tm.getByTestId('stops-editor');
    await editor.waitFor();
    await editor.getByRole('button', { name: '添加站点' }).click();
    const row = editor.locator('.cbus-stop-row[data-index="3"]');
    await row.getByLabel('编号').fill('c');
    await row.getByLabel('站名').fill('新华书店');
    await row.getByLabel('纬度').fill('31.23');
    await row.getByLabel('经度').fill('121.41');
    await row.getByLabel('早班').fill('07:30');
    await row.getByRole('button', { name: '上移' }).click();
    await tm.locator('.ant-modal .ant-btn-primary').click();
    await routes.getByText('幸福小区北门 07:10 → 人民公园 07:20 → 新华书店 07:30 → 学校 07:40').waitFor();
    const r1 = (await cloud.records.get(school, 'bus_route', 'r1')) as { stops: { id: string; lat: number; radiusM: number }[] };
    expect(r1.stops.map((s) => s.id)).toEqual(['a', 'b', 'c', 'school']);
    expect(r1.stops[2]).toMatchObject({ id: 'c', lat: 31.23, radiusM: 60 });
  }, 120_000);

  it('plans a trip and assigns a child by picking names, not typing ids; the tables show the names', async () => {
    await cloud.records.write(school, [
      { kind: 'person', key: 'drv-1', data: { name: '李师傅', roles: ['staff'] } },
      { kind: 'person', key: 'att-1', data: { name: '陈老师', roles: ['teacher'] } },
    ]);
    const tm = await newPage(DESK);
    await consoleAt(tm, 'bus');
    const modal = tm.locator('.ant-modal');
    const pick = async (fieldLabel: string, typed: string, option: string) => {
      await modal.getByLabel(fieldLabel, { exact: true }).fill(typed);
      await tm.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: option }).first().click();
    };
    await tm.getByRole('tab', { name: '行程计划' }).click();
    const trips = tm.getByTestId('bus-bus_trip');
    await trips.getByRole('button', { name: /新\s*增|添\s*加/ }).first().click();
    await modal.locator('#__key').fill('plan-1');
    await pick('路线', '1号', '1号线');
    await modal.getByLabel('日期', { exact: true }).fill('2026-12-07');
    await pick('车辆', '沪A', '沪A12345');
    // Only staff are offered as driver and attendant (张伟, a teacher and a father, is): the child is not.
    await modal.getByLabel('司机', { exact: true }).fill('小明');
    await tm.locator('.ant-select-dropdown:visible .ant-select-item-empty').waitFor();
    await pick('司机', '李', '李师傅');
    await pick('随车照管人员', '陈', '陈老师');
    await modal.locator('.ant-btn-primary').click();
    await modal.waitFor({ state: 'hidden' });
    const row = trips.locator('tr', { hasText: 'plan-1' });
    await row.waitFor();
    const text = await row.innerText();
    for (const name of ['1号线', '沪A12345', '李师傅', '陈老师']) expect(text).toContain(name);
    expect(await cloud.records.get(school, 'bus_trip', 'plan-1')).toMatchObject({ routeId: 'r1', vehicleId: 'v1', driverId: 'drv-1', attendantId: 'att-1', date: '2026-12-07', direction: 'morning' });

    // An assignment: the child by name, then a stop of the chosen route.
    await tm.getByRole('tab', { name: '学生乘车安排' }).click();
    const assignments = tm.getByTestId('bus-bus_assignment');
    await assignments.locator('tr', { hasText: 'a1' }).getByText('张小明').waitFor();
    await assignments.getByRole('button', { name: /新\s*增|添\s*加/ }).first().click();
    await modal.locator('#__key').fill('a-pick');
    await pick('学生', '张小', '张小明');
    await pick('路线', '1号', '1号线');
    await pick('站点', '人民', '人民公园');
    await modal.getByLabel('起始日期', { exact: true }).fill('2026-12-07');
    await modal.locator('.ant-btn-primary').click();
    await modal.waitFor({ state: 'hidden' });
    await assignments.locator('tr', { hasText: 'a-pick' }).getByText('人民公园').waitFor();
    expect(await cloud.records.get(school, 'bus_assignment', 'a-pick')).toMatchObject({ personId: 'stu-1', routeId: 'r1', stopId: 'b' });
  }, 120_000);

  it('shows the manager every running bus on the route schematic, and on a tile map in GCJ-02', async () => {
    const now = Date.now();
    await box.send([box.event('bus.trip', 'bus.trip.opened', { tripId: 'live-1', routeId: 'r1', routeName: '1号线', direction: 'morning', date: today(), expected: 1 }, { occurredAt: now - 600_000 })]);
    await box.send([box.event('bus.stop', 'bus.stop.arrived', { tripId: 'live-1', routeId: 'r1', stopId: 'a', stopName: '幸福小区北门', last: false }, { occurredAt: now - 300_000 })]);
    await box.ride('board', 'live-1', 'stu-1', 'a', '幸福小区北门', now - 290_000);
    await box.positions('沪A12345', [{ at: Date.now(), lat: 31.2 + 1.5 * KM, lon: 121.4, speedKmh: 32 }], 'live-1');
    const tm = await newPage(DESK);
    await consoleAt(tm, 'bus-live?busPollMs=1000');
    const line = tm.getByTestId('schematic-r1-live-1');
    await line.waitFor();
    // Three quarters of the way from 幸福小区北门 (0) to 人民公园 (1).
    expect(Number(await line.getAttribute('data-where'))).toBeCloseTo(0.75, 1);
    expect(await tm.getByTestId('route-r1').innerText()).toContain('沪A12345 · 早班（上学） · 车上 1 人');
    // The bus moves on: the schematic follows without a reload.
    await box.positions('沪A12345', [{ at: Date.now(), lat: 31.2 + 2 * KM, lon: 121.4, speedKmh: 5 }], 'live-1');
    await box.send([box.event('bus.stop', 'bus.stop.arrived', { tripId: 'live-1', routeId: 'r1', stopId: 'b', stopName: '人民公园', last: false })]);
    await waitFor(async () => (Number(await line.getAttribute('data-where')) >= 0.99 ? true : undefined), 'bus at 人民公园');
    await tm.getByText('地图', { exact: true }).click();
    const map = tm.getByTestId('bus-map');
    await map.waitFor();
    expect(await map.getAttribute('data-coords')).toBe('gcj02');
    await waitFor(() => (tiles.hits.length > 0 ? true : undefined), 'tiles requested');
    const bus = map.locator('[data-kind=bus]').first();
    const g = wgs84ToGcj02(31.2 + 2 * KM, 121.4);
    expect(Number(await bus.getAttribute('data-lat'))).toBeCloseTo(g.lat, 5);
    expect(Number(await bus.getAttribute('data-lon'))).toBeCloseTo(g.lon, 5);
    expect(await map.innerText()).toContain('测试底图');
  }, 120_000);

  it('lists trip reports, shows a trip stop by stop and exports Excel', async () => {
    const ev = (type: string, reason: string, hhmm: string, data: Record<string, unknown>, subject?: string) =>
      box.event(type, reason, { tripId: 'past-9', routeId: 'r1', ...data }, { occurredAt: at(D, hhmm), ...(subject ? { subject } : {}) });
    await box.send([
      ev('bus.trip', 'bus.trip.opened', '07:00', { routeName: '1号线', direction: 'morning', date: D, expected: 2 }),
      ev('bus.stop', 'bus.stop.arrived', '07:17', { stopId: 'a', stopName: '幸福小区北门', scheduledAt: '07:10', last: false }),
      ev('bus.boarding', 'bus.boarded', '07:18', { stopId: 'a', stopName: '幸福小区北门', personName: '张小明' }, 'stu-1'),
      ev('bus.overspeed', 'bus.overspeed.started', '07:25', { speedKmh: 66, limitKmh: 60 }),
      ev('bus.stop', 'bus.stop.arrived', '07:41', { stopId: 'school', stopName: '学校', scheduledAt: '07:40', last: true }),
      ev('bus.alighting', 'bus.alighted', '07:42', { stopId: 'school', stopName: '学校', personName: '张小明' }, 'stu-1'),
      ev('bus.check', 'bus.check.done', '07:45', { lastStopAt: at(D, '07:41') }),
      ev('bus.trip', 'bus.trip.closed', '07:46', { routeName: '1号线', direction: 'morning', date: D, boarded: 1, checkedAt: at(D, '07:45') }),
    ]);
    const tm = await newPage(DESK);
    await consoleAt(tm, 'bus-reports');
    await tm.getByTestId('rep-from').fill(D);
    await tm.getByTestId('rep-until').fill(D);
    await tm.getByRole('button', { name: '查 询' }).or(tm.getByRole('button', { name: '查询' })).first().click();
    const row = tm.locator('tr', { hasText: D });
    await row.waitFor();
    const text = await row.innerText();
    expect(text).toContain('1 / 2');
    expect(text).toContain('07:45（到终点后 4 分钟）');
    await row.getByText('1号线').click();
    const detail = tm.getByTestId('trip-detail');
    await detail.waitFor();
    const late = detail.locator('tr.cbus-late');
    expect(await late.count()).toBe(1);
    expect(await late.innerText()).toContain('幸福小区北门');
    expect(await detail.innerText()).toContain('超速 66 km/h（限速 60');
    await tm.keyboard.press('Escape');
    const [download] = await Promise.all([tm.waitForEvent('download'), tm.getByTestId('rep-export').click()]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await download.path())!);
    expect(wb.getWorksheet('行程')!.getRow(2).values).toEqual(expect.arrayContaining([D, '1号线', 'past-9']));
    // Header and the route's four stops (新华书店 was added in the console above).
    expect(wb.getWorksheet('站点')!.rowCount).toBe(5);
    expect(errors).toEqual([]);
  }, 120_000);
});
