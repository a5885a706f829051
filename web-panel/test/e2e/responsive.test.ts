import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoEdge, type DemoEdge } from './demo-edge';
import { layoutProblems } from './layout-checks';

/**
 * Every page of the panel on a phone (390×844) and a 10-inch tablet in landscape
 * (1024×768), in Debian's Chromium against the real demo campus (`campus-edge demo`:
 * SQLite, aedes, simulated gates, meters and PCs behind the real drivers). Each page and
 * each of its tabs must fit the viewport (no horizontal scrolling), must not wrap text
 * one character per line, must not wrap a table header, and the header's items must not
 * overlap. A missing translation id logged by the panel fails the page that rendered it, and
 * so does a request that fails (the gate page asked for photos of people who have none).
 * Screenshots of every page land in web-panel/test-results/screens/.
 * Needs `npm run build` first.
 */
const panelRoot = fileURLToPath(new URL('../../', import.meta.url));
const screens = join(panelRoot, 'test-results', 'screens');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet', width: 1024, height: 768 },
] as const;

/** Dialogs and drawers with forms, opened from their pages. */
const DIALOGS = [
  { name: 'visitor-pass', path: 'access/people', button: 'open-pass' },
  { name: 'leave', path: 'access/leaves', button: 'leave-new' },
  { name: 'manual-open', path: 'access/live', button: 'manual-open' },
  { name: 'register-agent', path: 'endpoints', button: 'register-agent' },
] as const;

let demo: DemoEdge;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  mkdirSync(screens, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'campus-panel-screens-'));
  demo = await startDemoEdge(dataDir);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Waits until lazy chunks, spinners and antd's transitions have settled. */
async function settle(page: Page): Promise<void> {
  await page.locator('.page-spinner').waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
  await page.waitForFunction(() => document.querySelectorAll('.ant-spin-spinning').length === 0, undefined, { timeout: 15_000 }).catch(() => undefined);
  await page.waitForTimeout(400);
  await page.evaluate(() => Promise.all(document.getAnimations().filter((a) => a.effect?.getComputedTiming().iterations !== Infinity).map((a) => a.finished.catch(() => undefined))));
}

async function signIn(page: Page): Promise<void> {
  await page.goto(demo.url);
  await page.locator('#username').fill(demo.admin.username);
  await page.locator('#password').fill(demo.admin.password);
  await page.locator('button[type=submit]').click();
  await page.locator('[data-testid=live-status][data-status=connected]').waitFor();
}

describe.each(VIEWPORTS)('the panel at $width×$height ($name)', (vp) => {
  it('fits every page and tab, with screenshots', async () => {
    const context = await browser.newContext({ viewport: { width: vp.width, height: vp.height }, locale: 'zh-CN', reducedMotion: 'reduce', deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const missingIds: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && m.text().includes('i18n: missing message id')) missingIds.push(m.text());
    });
    const problems: string[] = [];
    // After sign-in no page may ask for something that is not there (e.g. photos of people who have none).
    const failedRequests: string[] = [];
    let signedIn = false;
    page.on('response', (r) => {
      if (signedIn && r.status() >= 400) failedRequests.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
    });
    try {
      await signIn(page);
      signedIn = true;
      await settle(page);

      if (vp.name === 'phone') {
        // The menu is a drawer behind the top bar's button; there is no side rail.
        expect(await page.locator('.ant-layout-sider').count()).toBe(0);
        await page.locator('[data-testid=menu-button]').click();
        await page.locator('[data-testid=main-menu]').waitFor();
        await settle(page);
        await page.screenshot({ path: join(screens, `${vp.name}-menu.png`) });
      }
      const paths = await page.locator('[data-page-path]').evaluateAll((els) => els.map((e) => e.getAttribute('data-page-path')!));
      expect(paths.length).toBeGreaterThan(10);
      if (vp.name === 'phone') {
        await page.keyboard.press('Escape');
        await page.locator('.menu-drawer').waitFor({ state: 'hidden' });
      }

      for (const path of paths) {
        await page.evaluate((p) => {
          window.location.hash = `/${p}`;
        }, path);
        await settle(page);
        const name = path.replace(/\//g, '-');
        const tabs = page.locator('.shell-content .ant-tabs-nav .ant-tabs-tab');
        const tabCount = await tabs.count();
        for (let i = 0; i < Math.max(1, tabCount); i++) {
          const label = tabCount > 0 ? `${name}.tab${i + 1}` : name;
          if (i > 0) {
            await tabs.nth(i).click();
            await settle(page);
          }
          await page.screenshot({ path: join(screens, `${vp.name}-${label}.png`), fullPage: true });
          for (const p of await layoutProblems(page)) problems.push(`${label}: ${p}`);
        }
      }

      // Forms and dialogs fit the screen: each opens whole inside the viewport.
      for (const d of DIALOGS) {
        await page.evaluate((p) => {
          window.location.hash = `/${p}`;
        }, d.path);
        await settle(page);
        const open = page.getByTestId(d.button).first();
        if (!(await open.isEnabled())) {
          problems.push(`dialog ${d.name}: its button is disabled`);
          continue;
        }
        await open.click();
        const dialog = page.locator('[role=dialog]').filter({ visible: true }).first();
        await dialog.waitFor();
        await settle(page);
        await page.screenshot({ path: join(screens, `${vp.name}-dialog-${d.name}.png`) });
        const box = (await dialog.boundingBox())!;
        if (box.x < 0 || box.x + box.width > vp.width + 1) problems.push(`dialog ${d.name} is ${Math.round(box.width)}px wide at x=${Math.round(box.x)} in a ${vp.width}px viewport`);
        for (const p of await layoutProblems(page)) problems.push(`dialog ${d.name}: ${p}`);
        await page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'hidden' });
      }
    } finally {
      await context.close();
    }
    expect(missingIds).toEqual([]);
    expect(problems).toEqual([]);
    expect(failedRequests).toEqual([]);
  }, 300_000);
});

describe('crossing the phone breakpoint', () => {
  it('keeps the open page, its dialog and what was typed (a tablet turned, a window narrowed)', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', reducedMotion: 'reduce' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    try {
      await signIn(page);
      await page.goto(`${demo.url}/#/access/people`);
      await settle(page);
      await page.getByTestId('open-pass').click();
      await page.locator('#pass-visitor-name').fill('刘女士');
      for (const size of [{ width: 390, height: 844 }, { width: 1280, height: 800 }]) {
        await page.setViewportSize(size);
        await page.locator(size.width < 600 ? '.shell-phone' : '.shell:not(.shell-phone)').waitFor();
        await settle(page);
        // Same dialog, same text: the page under the frame was not mounted again.
        expect(await page.locator('#pass-visitor-name').inputValue()).toBe('刘女士');
      }
    } finally {
      await context.close();
    }
  }, 120_000);
});

// The screenshot folder is for people: say where it is once the files exist.
afterAll(() => {
  if (existsSync(screens)) writeFileSync(join(screens, 'README.txt'), 'Screenshots of every panel page at 390×844 (phone-*) and 1024×768 (tablet-*), written by web-panel/test/e2e/responsive.test.ts.\n');
});
