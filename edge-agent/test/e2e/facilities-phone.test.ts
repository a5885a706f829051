import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, ApiClient, startTestEdge, waitFor } from '../helpers/edge.js';
import { startSimCampus } from '../energy/helpers/campus-sim.js';
import { FakeTime, PASSWORD, ROTA, USERS, cst, makePng } from '../facilities/helpers.js';
import { qrVideo } from './fake-camera.js';

/**
 * The facilities phone screens in Debian's Chromium at 390×844 against a real edge serving
 * the built panel: the inspector points the phone's camera (Chromium's fake capture device
 * playing a y4m video of a real signed checkpoint tag, drawn from the tag sheets' QR code)
 * at a checkpoint, answers its checklist with a photo resized in the browser, and the red
 * result reaches the supervisor's board live; a handheld scanner types the next tag; a
 * teacher reports a leak with a photo, it is dispatched to the plumbing contractor, whose
 * "my orders" screen shows it live; the contractor finishes it with a photo and the teacher
 * confirms it. Needs `npm run build` first.
 */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const panelDir = join(repoRoot, 'web-panel', 'dist');
const screenshots = join(repoRoot, 'test-results', 'screenshots');
const PHONE = { width: 390, height: 844 };
const BASE_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** An RGB PNG of random noise: a "phone photo" that no resize makes small. */
function noisePng(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  let seed = 12345;
  for (let i = 0; i < raw.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    raw[i] = seed >>> 24;
  }
  for (let row = 0; row < h; row++) raw[row * (w * 3 + 1)] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 1 })), chunk('IEND', Buffer.alloc(0))]);
}

const CHECKPOINTS = {
  'cp-gate': {
    name: '东门配电箱',
    building: 'teach',
    place: '教学楼东门',
    category: 'electrical',
    checklist: [
      { id: 'door', kind: 'check', label: '箱门关闭上锁', photo: 'on_fail' },
      { id: 'temp', kind: 'reading', label: '母排温度', unit: '°C', thresholds: { warnHigh: 50, alarmHigh: 70 } },
    ],
  },
  'cp-101': { name: '101教室', building: 'teach', place: '教学楼101', checklist: [{ id: 'lights', kind: 'check', label: '灯和空调已关', failResult: 'yellow' }] },
} as const;

const time = new FakeTime(cst('2026-09-07 07:05'));
let edge: Awaited<ReturnType<typeof startTestEdge>>;
let boss: ApiClient;
let browser: Browser;
let work: string;
const tags: Record<string, string> = {};
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true });
  work = mkdtempSync(join(tmpdir(), 'fac-phone-'));
  edge = await startTestEdge(
    {
      site: { id: 'demo-school', name: '示范中学' },
      http: { host: '127.0.0.1', port: 0, panelDir },
      mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
      clock: { trust: 'always', checkIntervalSeconds: 3600 },
      facilities: { enabled: true, supervisors: ['boss'], rota: ROTA, photoMaxKb: 200 },
    },
    { wallNow: time.now, time, users: Object.entries(USERS).map(([username, roles]) => ({ username, password: PASSWORD, roles: [...roles] })) },
  );
  boss = new ApiClient(edge.httpUrl);
  expect((await boss.login('boss', PASSWORD)).status).toBe(200);
  for (const [id, cp] of Object.entries(CHECKPOINTS)) {
    const r = await boss.req('PUT', `/api/facilities/checkpoints/${id}`, cp);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    tags[id] = r.json.tag;
  }
  expect((await boss.req('PUT', '/api/facilities/rounds/storm', { name: '台风前巡检', checkpoints: ['cp-gate', 'cp-101'], days: 'none', window: { from: '00:00', until: '24:00' } })).status).toBe(200);
  expect((await boss.req('POST', '/api/facilities/rounds/storm/extra', { minutes: 120, reason: '台风蓝色预警' })).status).toBe(201);
  // The camera films the gate's tag, as printed on the tag sheet.
  const video = join(work, 'cp-gate.y4m');
  writeFileSync(video, qrVideo(tags['cp-gate']!));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [...BASE_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${video}`],
  });
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await edge?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function phoneAs(username: string, path: string, viewport = PHONE): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', reducedMotion: 'reduce', isMobile: viewport === PHONE, hasTouch: viewport === PHONE, permissions: ['camera'] });
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
  await page.locator('#password').fill(username === 'admin' ? ADMIN.password : PASSWORD);
  await page.locator('button[type=submit]').click();
  await page.locator('[data-testid=live-status][data-status=connected]').waitFor();
  await page.evaluate((p) => {
    window.location.hash = `/${p}`;
  }, path);
  return page;
}

/** The page is no wider than the phone (no sideways scrolling). */
async function fitsWidth(page: Page): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(PHONE.width + 1);
}

describe('inspector and supervisor on phones', () => {
  it('camera scan → checklist with a resized photo → red result, live on the supervisor’s board', async () => {
    const board = await phoneAs('boss', 'facilities/board', { width: 1280, height: 800 });
    const run = (await boss.req('GET', '/api/facilities/runs?state=open')).json.runs[0];
    await board.locator(`[data-testid=board-${run.id}-cp-gate][data-result=""]`).waitFor();

    const phone = await phoneAs('inspector', 'facilities/inspect');
    await phone.getByTestId('runs-today').getByText('台风前巡检').waitFor();
    await fitsWidth(phone);
    await phone.getByTestId('inspect-scanner-camera').click();
    // jsQR reads the tag from the fake camera; the checklist of that checkpoint opens.
    const checklist = phone.getByTestId('checklist');
    await checklist.getByText('东门配电箱').waitFor();
    expect(await phone.getByTestId('inspect-scanner').count()).toBe(0); // the camera is closed again
    await phone.getByTestId('fail-door').click();
    await phone.locator('[data-testid=item-door][data-result=red]').waitFor();
    // A failed item needs a photo: a 4000×3000 "phone photo" is shrunk to 1600 px before upload.
    expect(await phone.getByTestId('inspect-submit').isDisabled()).toBe(true);
    await phone.getByTestId('photo-door-file').setInputFiles({ name: 'IMG_0001.png', mimeType: 'image/png', buffer: makePng(4000, 3000) });
    await phone.getByTestId('photo-door-size').getByText(/（1600×1200）/).waitFor();
    await phone.locator('[data-testid=value-temp] input, input[data-testid=value-temp]').fill('75');
    await phone.locator('[data-testid=item-temp][data-result=red]').waitFor();
    await fitsWidth(phone);
    await phone.screenshot({ path: join(screenshots, 'facilities-phone-checklist.png'), fullPage: true });
    await phone.getByTestId('inspect-submit').click();

    const result = phone.locator('[data-testid=inspect-result][data-result=red]');
    await result.waitFor();
    await result.getByTestId('inspect-orders').waitFor();
    // The supervisor's board turns the checkpoint red without a reload, and the feed says why.
    await board.locator(`[data-testid=board-${run.id}-cp-gate][data-result=red]`).waitFor();
    await board.getByTestId('board-feed').locator('[data-reason="facilities.checkpoint.red"]').first().waitFor();
    await phone.screenshot({ path: join(screenshots, 'facilities-phone-red.png'), fullPage: true });

    const stored = (await boss.req('GET', `/api/facilities/runs/${run.id}`)).json.inspections[0];
    expect(stored).toMatchObject({ checkpointId: 'cp-gate', inspector: 'inspector', result: 'red' });
    const photoId = stored.answers.find((a: { item: string }) => a.item === 'door').photo;
    const photo = await fetch(`${edge.httpUrl}/api/facilities/photos/${photoId}`, { headers: { cookie: boss.cookie } });
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    expect((await photo.arrayBuffer()).byteLength).toBeLessThan(200 * 1024);
    expect(page_missing(phone)).toEqual([]);
  }, 120_000);

  it('a handheld scanner types the next tag; a forged tag is refused in words', async () => {
    const phone = await phoneAs('inspector', 'facilities/inspect');
    const input = phone.getByTestId('inspect-scanner-input');
    const forged = tags['cp-101']!.replace(':cp-101:', ':cp-gate:');
    await input.fill(forged);
    await input.press('Enter');
    await phone.getByTestId('inspect-error').getByText(/伪造/).waitFor();

    await phone.getByTestId('inspect-scanner-input').fill(tags['cp-101']!);
    await phone.getByTestId('inspect-scanner-input').press('Enter');
    await phone.getByTestId('checklist').getByText('101教室').waitFor();
    await phone.getByTestId('pass-lights').click();
    await phone.getByTestId('inspect-submit').click();
    await phone.locator('[data-testid=inspect-result][data-result=green]').waitFor();

    // Scanning the gate again: the first answer stays, the edge says who scanned it.
    await phone.getByTestId('inspect-scanner-input').fill(tags['cp-gate']!);
    await phone.getByTestId('inspect-scanner-input').press('Enter');
    await phone.getByTestId('fail-door').click();
    await phone.getByTestId('photo-door-file').setInputFiles({ name: 'a.png', mimeType: 'image/png', buffer: makePng(40, 30) });
    await phone.getByTestId('photo-door-size').waitFor();
    await phone.locator('[data-testid=value-temp] input, input[data-testid=value-temp]').fill('30');
    await phone.getByTestId('inspect-submit').click();
    await phone.getByTestId('inspect-error').getByText(/inspector/).waitFor();
    expect(page_missing(phone)).toEqual([]);
  }, 120_000);
});

describe('a fault report dispatched to a contractor', () => {
  it('teacher reports with a photo → contractor sees it live, finishes it with a photo → teacher confirms', async () => {
    const contractor = await phoneAs('aqua', 'facilities/orders');
    await contractor.getByText('没有工单').waitFor();

    const teacher = await phoneAs('teacher', 'facilities/report');
    // A file that is not an image, and a photo too big even after resizing: the edge's own words.
    await teacher.getByTestId('report-photo-file').setInputFiles({ name: 'leak.jpg', mimeType: 'image/jpeg', buffer: Buffer.from('this is not a picture') });
    await teacher.getByTestId('report-photo-error').getByText('上传的文件不是 JPEG 或 PNG 图片').waitFor();
    await teacher.getByTestId('report-photo-file').setInputFiles({ name: 'noise.png', mimeType: 'image/png', buffer: noisePng(2400, 1800) });
    await teacher.getByTestId('report-photo-error').getByText(/照片太大（上限 200 KB）/).waitFor();
    await teacher.getByTestId('report-photo-file').setInputFiles({ name: 'leak.png', mimeType: 'image/png', buffer: makePng(3000, 4000) });
    await teacher.getByTestId('report-photo-size').getByText(/（1200×1600）/).waitFor();

    await teacher.getByTestId('report-category').click();
    await teacher.locator('.ant-select-item-option', { hasText: '水暖' }).click();
    await teacher.getByTestId('report-building').locator('input').fill('teach');
    await teacher.getByTestId('report-place').fill('三楼男厕');
    await teacher.getByTestId('report-description').fill('水龙头漏水，地面有积水');
    await fitsWidth(teacher);
    await teacher.getByTestId('report-submit').click();
    const created = teacher.getByTestId('report-created');
    await created.getByText('已派给 aqua').waitFor();
    const id = Number(await created.getAttribute('data-order'));
    await teacher.screenshot({ path: join(screenshots, 'facilities-phone-report.png'), fullPage: true });

    // The contractor's open screen gets the order pushed (no reload), with a notice.
    const card = contractor.locator(`[data-testid=order-${id}][data-state=dispatched]`);
    await card.waitFor();
    await contractor.getByText(`新工单 #${id} 派给了你`).waitFor();
    await card.getByText('水龙头漏水，地面有积水').waitFor();
    await fitsWidth(contractor);
    await contractor.screenshot({ path: join(screenshots, 'facilities-phone-contractor.png'), fullPage: true });
    await contractor.getByTestId(`accept-${id}`).click();
    await contractor.locator(`[data-testid=order-${id}][data-state=accepted]`).waitFor();
    await contractor.getByTestId(`done-${id}`).click();
    await contractor.getByTestId('done-photo-file').setInputFiles({ name: 'fixed.png', mimeType: 'image/png', buffer: makePng(2000, 1500) });
    await contractor.getByTestId('done-photo-size').waitFor();
    await contractor.getByTestId('order-dialog-note').fill('已更换阀芯');
    await contractor.locator('#order-dialog-ok').click();
    await contractor.locator(`[data-testid=order-${id}][data-state=done]`).waitFor();

    // The teacher's "reported by me" list follows live; confirming with a rating closes it.
    await teacher.evaluate(() => {
      window.location.hash = '/facilities/orders';
    });
    await teacher.getByTestId('orders-mine').getByText('我报修的').click();
    await teacher.locator(`[data-testid=order-${id}][data-state=done]`).waitFor();
    await teacher.getByTestId(`confirm-${id}`).click();
    await teacher.getByTestId('confirm-rating').locator('.ant-rate-star').nth(3).click();
    await teacher.locator('#order-dialog-ok').click();
    await teacher.locator(`[data-testid=order-${id}][data-state=confirmed]`).waitFor();

    const order = (await boss.req('GET', `/api/facilities/orders/${id}`)).json.order;
    expect(order).toMatchObject({ state: 'confirmed', assignee: 'aqua', requester: 'teacher', rating: 4, category: 'plumbing' });
    expect(order.photos).toHaveLength(2); // the teacher's and the contractor's
    expect(order.steps.map((s: { action: string }) => s.action)).toEqual(['submit', 'dispatch', 'accept', 'done', 'confirm']);
    expect(order.steps.find((s: { action: string }) => s.action === 'done')).toMatchObject({ actor: 'aqua', note: '已更换阀芯' });
    expect(page_missing(teacher)).toEqual([]);
    expect(page_missing(contractor)).toEqual([]);
  }, 180_000);

  it('another contractor neither sees the order nor gets it pushed', async () => {
    const other = await phoneAs('bolt', 'facilities/orders');
    await other.getByText('没有工单').waitFor();
    const bolt = new ApiClient(edge.httpUrl);
    await bolt.login('bolt', PASSWORD);
    expect((await bolt.req('GET', '/api/facilities/orders')).json.orders).toEqual([]);
    // Nothing arrives on its screen either (the teacher's order changes were pushed to aqua and teacher only).
    await boss.req('GET', '/api/facilities/orders?state=open');
    await waitFor(async () => (await other.getByText('没有工单').count()) === 1);
    expect(await other.locator('[data-testid^=order-]').count()).toBe(0);
  }, 60_000);
});

function page_missing(page: Page): string[] {
  return (page as Page & { missingIds?: string[] }).missingIds ?? [];
}

describe('assets and stock-take on the phone', () => {
  it('scans a room then its assets (found, wrong room, duplicate, forged tag); the supervisor scans a tag and transfers the asset', async () => {
    for (const a of [
      { code: 'PJ-101', name: '投影仪', category: 'av', model: 'EB-X51', building: 'teach', room: 'r101', warrantyEnd: '2027-08-31', price: 4200, purchaseDate: '2024-09-01' },
      { code: 'PC-102', name: '教师电脑', category: 'it', building: 'teach', room: 'r102' },
      { code: 'AC-101', name: '空调', category: 'hvac', building: 'teach', room: 'r101' },
    ]) expect((await boss.req('POST', '/api/facilities/assets', a)).status).toBe(201);
    const assetTag = async (code: string) => (await boss.req('GET', `/api/facilities/assets/${code}`)).json.tag as string;
    const room101 = (await boss.req('GET', '/api/facilities/rooms/r101/tag')).json.tag as string;
    const st = await boss.req('POST', '/api/facilities/stocktakes', { name: '期末盘点', building: 'teach' });
    expect(st.status).toBe(201);
    const id = st.json.stocktake.id as number;

    const phone = await phoneAs('inspector', 'facilities/stocktake');
    await phone.locator('[data-testid=stocktake-id] input, input[data-testid=stocktake-id]').fill(String(id));
    await phone.getByTestId('stocktake-join').click();
    const input = phone.getByTestId('stocktake-scanner-input');
    const scan = async (text: string) => {
      await input.fill(text);
      await input.press('Enter');
    };
    // An asset before the room: told to scan the room first.
    await scan(await assetTag('PJ-101'));
    await phone.getByTestId('stocktake-error').getByText('请先扫描房间标签').waitFor();
    await scan(room101);
    await phone.getByText('房间 r101：逐个扫描资产').waitFor();
    await scan(await assetTag('PJ-101'));
    await phone.locator('[data-testid=scan-PJ-101][data-outcome=found]').waitFor();
    await scan(await assetTag('PC-102'));
    await phone.locator('[data-testid=scan-PC-102][data-outcome=moved]').waitFor();
    await scan(await assetTag('PJ-101'));
    await phone.locator('[data-testid=scan-PJ-101]').getByText('重复').waitFor();
    const forged = (await assetTag('AC-101')).replace(':AC-101:', ':AC-999:');
    await scan(forged);
    await phone.getByTestId('stocktake-error').getByText(/伪造/).waitFor();
    const counts = phone.getByTestId('stocktake-counts');
    await counts.getByText('盘到', { exact: true }).waitFor();
    await waitFor(async () => (await boss.req('GET', `/api/facilities/stocktakes/${id}`)).json.counts.found === 1);
    await phone.getByText('AC-101 未找到（登记在 r101）').waitFor();
    await fitsWidth(phone);
    await phone.screenshot({ path: join(screenshots, 'facilities-phone-stocktake.png'), fullPage: true });
    const report = (await boss.req('GET', `/api/facilities/stocktakes/${id}`)).json;
    expect(report.counts).toMatchObject({ expected: 3, found: 1, moved: 1, missing: 1 });

    // The supervisor scans the projector's tag: its card, then a transfer to room 102.
    const sup = await phoneAs('boss', 'facilities/assets');
    await sup.getByTestId('asset-scanner-input').fill(await assetTag('PJ-101'));
    await sup.getByTestId('asset-scanner-input').press('Enter');
    const card = sup.getByTestId('asset-card');
    await card.getByText('投影仪（PJ-101）').waitFor();
    await card.getByText('在保').waitFor();
    await sup.getByTestId('asset-room').fill('r102');
    await sup.getByTestId('asset-submit').click();
    await sup.getByTestId('asset-card').getByText('teach · r102').waitFor();
    await fitsWidth(sup);
    expect((await boss.req('GET', '/api/facilities/assets/PJ-101')).json.asset.room).toBe('r102');
    expect(page_missing(phone)).toEqual([]);
    expect(page_missing(sup)).toEqual([]);
  }, 120_000);
});

describe('lights and AC off after school, from the inspector’s phone', () => {
  it('shows the room’s live power, switches its circuits off through a Modbus relay board and pre-fills the answer', async () => {
    // Energy needs the edge's real clock (meters are polled): its own edge, real time, a Modbus TCP campus.
    const sim = await startSimCampus({ meters: [{ unit: 2, model: 'eastron-sdm120', baseLoadW: 1500 }], relays: [{ unit: 10, channels: 4 }] });
    const energyEdge = await startTestEdge(
      {
        site: { id: 'demo-school', name: '示范中学' },
        http: { host: '127.0.0.1', port: 0, panelDir },
        mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
        energy: {
          enabled: true,
          buildings: [{ id: 'teach', name: '教学楼' }],
          rooms: [{ id: 'r101', name: '101教室', building: 'teach', kind: 'classroom' }],
          buses: [
            {
              id: 'gw',
              transport: { kind: 'tcp', host: '127.0.0.1', port: sim.slave.port },
              timeoutMs: 300,
              meters: [{ id: 'm-101', name: '101电表', unit: 2, model: 'eastron-sdm120', building: 'teach', room: 'r101', intervals: { fastMs: 300, slowMs: 1000 } }],
              relays: [{ id: 'relay-a', name: '继电器箱', unit: 10, channels: 4 }],
            },
          ],
          circuits: [
            { id: 'r101-light', name: '101照明', building: 'teach', room: 'r101', kind: 'lighting', relay: { board: 'relay-a', channel: 1 } },
            { id: 'r101-ac', name: '101空调', building: 'teach', room: 'r101', kind: 'ac', relay: { board: 'relay-a', channel: 2 } },
          ],
          control: { retries: 1, retryDelayMs: 0, stateReadSeconds: 1, overrideDefaultMinutes: 60 },
        },
        facilities: { enabled: true },
      },
      { users: [{ username: 'boss', password: PASSWORD, roles: ['facility'] }, { username: 'inspector', password: PASSWORD, roles: ['staff'] }], energy: { pollTickMs: 100 } },
    );
    try {
      const sup = new ApiClient(energyEdge.httpUrl);
      await sup.login('boss', PASSWORD);
      const cp = await sup.req('PUT', '/api/facilities/checkpoints/cp-101', { name: '101教室', building: 'teach', place: '教学楼101', checklist: [{ id: 'off', kind: 'check', label: '灯和空调已关', failResult: 'yellow', room: 'r101' }] });
      await sup.req('PUT', '/api/facilities/rounds/evening', { name: '放学后巡检', checkpoints: ['cp-101'], days: 'none', window: { from: '00:00', until: '24:00' } });
      expect((await sup.req('POST', '/api/facilities/rounds/evening/extra', { minutes: 60 })).status).toBe(201);
      sim.relay(10).states.fill(true, 0, 2); // left on after school
      await waitFor(async () => (await sup.req('GET', '/api/energy/circuits')).json.circuits.every((c: { on: boolean | null }) => c.on === true), 15_000, 200);

      const context = await browser.newContext({ viewport: PHONE, locale: 'zh-CN', reducedMotion: 'reduce', isMobile: true, hasTouch: true });
      contexts.push(context);
      const phone = await context.newPage();
      phone.setDefaultTimeout(20_000);
      await phone.goto(energyEdge.httpUrl);
      await phone.locator('#username').fill('inspector');
      await phone.locator('#password').fill(PASSWORD);
      await phone.locator('button[type=submit]').click();
      await phone.getByTestId('fac-inspect').waitFor(); // a staff member lands on 巡检
      await phone.getByTestId('inspect-scanner-input').fill(cp.json.tag);
      await phone.getByTestId('inspect-scanner-input').press('Enter');
      const room = phone.locator('[data-testid=room-r101][data-off=false]');
      await room.getByText(/未关：101照明、101空调|未关：101空调、101照明/).waitFor();
      await room.getByText(/当前功率 \d+ W/).waitFor();
      // Pre-filled from the live state: still on → fail (yellow).
      await phone.locator('[data-testid=item-off][data-result=yellow]').waitFor();
      await fitsWidth(phone);
      await phone.screenshot({ path: join(screenshots, 'facilities-phone-lights-on.png'), fullPage: true });
      await phone.getByTestId('room-r101-off').click();
      await phone.locator('[data-testid=room-r101][data-off=true]').getByText('全部回路已关').waitFor();
      expect([sim.relay(10).states[0], sim.relay(10).states[1]]).toEqual([false, false]);
      await phone.locator('[data-testid=item-off][data-result=green]').waitFor();
      await phone.getByTestId('inspect-submit').click();
      await phone.locator('[data-testid=inspect-result][data-result=green]').waitFor();
      const audit = energyEdge.store.audit.list(50).filter((a) => a.action === 'energy.circuit.switch');
      expect(audit.map((a) => a.actor)).toEqual(['inspector', 'inspector']);
    } finally {
      await energyEdge.cleanup();
      await sim.close();
    }
  }, 120_000);
});
