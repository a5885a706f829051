import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appGuardianSignIn } from '@campus/testkit';
import { chromium, type Browser } from 'playwright-core';
import { pgliteBackend } from '../helpers/backends.js';
import { seedSchool, startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { BusBox, KM, ROUTE, today } from '../bus/bus-fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM) && process.env.CI) throw new Error('chromium is required in CI');
const SITE = 'pwa-bus-box';
const MOTHER = '13600000031';

/** The parent app on a phone (390×844): the bus card appears with the trip, moves live with the bus, and disappears when the child got off. */
describe.skipIf(!existsSync(CHROMIUM))('parent app live bus card in Chromium', () => {
  let cloud: TestCloud;
  let sms: HttpSink;
  let browser: Browser;

  beforeAll(async () => {
    sms = await startHttpSink();
    cloud = await startTestCloud(pgliteBackend, { channels: { sms: { url: sms.url } } });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await cloud?.dispose();
    await sms?.close();
  });

  it('shows the bus and the ETA at the child’s stop only while the trip runs, updating live', async () => {
    const edge = await seedSchool(cloud, SITE, { mother: MOTHER, father: '13600000032' });
    const box = new BusBox(cloud, SITE, edge.credentials);
    await cloud.records.write(edge.schoolId, [
      { kind: 'bus_vehicle', key: 'v1', data: { plate: '沪A12345', seats: 45 } },
      { kind: 'bus_route', key: 'r1', data: ROUTE },
      { kind: 'bus_assignment', key: 'a1', data: { personId: 'stu-1', routeId: 'r1', stopId: 'b', direction: 'morning', from: '2026-01-01' } },
    ]);
    const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    // Polling every 10 minutes: whatever changes on the card within the test came through the live stream.
    await appGuardianSignIn(page, `${cloud.url}/parent/?busPollMs=600000`, MOTHER, () => sms.received.map((m) => m.body));
    await page.locator('#children .card').first().waitFor();
    const card = page.locator('.bus-card');
    // No trip: no bus at all.
    await page.waitForTimeout(700);
    expect(await card.isVisible()).toBe(false);

    await box.open('trip-1', 'r1', 'morning', today());
    const now = Date.now();
    await box.positions('沪A12345', [{ at: now - 1000, lat: 31.2 + 0.5 * KM, lon: 121.4, speedKmh: 36 }], 'trip-1');
    await card.waitFor({ state: 'visible' });
    await page.locator('.bus-eta', { hasText: '到达人民公园' }).waitFor();
    const first = await card.innerText();
    expect(first).toContain('校车 1号线（沪A12345）');
    expect(first).toContain('等车站点：人民公园');
    expect(first).toMatch(/预计 \d{2}:\d{2} 到达人民公园（约 \d+ 分钟）/);
    expect(await page.locator('.bus-stops li.bus-here').count()).toBe(1);
    // The bus moves on: the card follows without a reload.
    await box.positions('沪A12345', [{ at: Date.now(), lat: 31.2 + 2 * KM, lon: 121.4, speedKmh: 5 }], 'trip-1');
    await page.locator('.bus-eta', { hasText: '校车已到达人民公园' }).waitFor();
    // Fits the phone: nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: '/tmp/parent-bus-390.png', fullPage: true });
    await box.ride('board', 'trip-1', 'stu-1', 'b', '人民公园');
    await page.locator('.bus-child', { hasText: '孩子已上车' }).waitFor();
    await box.ride('alight', 'trip-1', 'stu-1', 'school', '学校');
    await card.waitFor({ state: 'hidden' });
    await page.close();
  }, 90_000);
});
