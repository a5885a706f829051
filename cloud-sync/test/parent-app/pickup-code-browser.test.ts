import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appGuardianSignIn } from '@campus/testkit';
import { chromium, type Browser } from 'playwright-core';
import { checkPickupCode } from '@campus/protocol/bus/pickup';
import { pgliteBackend } from '../helpers/backends.js';
import { seedSchool, startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { ROUTE } from '../bus/bus-fixtures.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM) && process.env.CI) throw new Error('chromium is required in CI');
const MOTHER = '13600000041';

/** The parent app on a phone: the pickup code shows big with a countdown once the child has a bus assignment, and the box's copy of the record accepts it. */
describe.skipIf(!existsSync(CHROMIUM))('parent app pickup code in Chromium', () => {
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

  it('shows the code only with a bus assignment, and it is the code the bus box accepts', async () => {
    const edge = await seedSchool(cloud, 'pwa-pickup-code', { mother: MOTHER, father: '13600000042' });
    await cloud.records.write(edge.schoolId, [
      { kind: 'bus_vehicle', key: 'v1', data: { plate: '沪A12345', seats: 45 } },
      { kind: 'bus_route', key: 'r1', data: ROUTE },
      { kind: 'pickup_person', key: 'pp-1', data: { studentId: 'stu-1', name: '李芳', relation: '母亲', phone: MOTHER } },
    ]);
    const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await appGuardianSignIn(page, `${cloud.url}/parent/?busPollMs=600000`, MOTHER, () => sms.received.map((m) => m.body));
    await page.locator('#children .card').first().waitFor();
    const card = page.locator('.pickup-card');
    // A pickup person but no bus assignment: no code.
    await page.waitForTimeout(700);
    expect(await card.isVisible()).toBe(false);

    await cloud.records.write(edge.schoolId, [{ kind: 'bus_assignment', key: 'a1', data: { personId: 'stu-1', routeId: 'r1', stopId: 'b', direction: 'afternoon', from: '2026-01-01', handover: true } }]);
    // Reload (the app also refreshes every minute).
    await page.reload();
    await card.waitFor({ state: 'visible' });
    const code = (await page.locator('.pickup-code-digits').innerText()).trim();
    expect(code).toMatch(/^\d{6}$/);
    expect(await card.innerText()).toContain('接送码（李芳，母亲）');
    await page.locator('.pickup-countdown', { hasText: /\d+ 秒后更新/ }).waitFor();
    const page1 = (await cloud.records.changesAfter(edge.schoolId, 0, 1000)).changes.find((c) => c.key === 'pp-1')!;
    expect(checkPickupCode(String(page1.data!.codeKey), 'stu-1', code, Date.now())).toBe('ok');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: '/tmp/parent-pickup-code-390.png', fullPage: true });
    await page.close();
  }, 90_000);
});
