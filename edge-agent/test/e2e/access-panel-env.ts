import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { EdgeConfigInput } from '../../src/edge-config.js';
import type { StoredEvent } from '../../src/store/index.js';
import { TestIssuer, ZONES, b64 } from '../access/helpers.js';
import { eventsAfter, startRig, waitFor, waitOnline, type Rig } from '../access/rig.js';
import { ADMIN, ApiClient, startTestEdge, tempDir } from '../helpers/edge.js';

/**
 * The gate-access pages as staff use them: Debian's Chromium against a real edge serving
 * the built panel, QR readers on socat pty pairs (the QR simulator at the far end), a
 * Modbus RTU relay board behind an RS-485 pty, and a school clock that runs in real time
 * from a chosen school morning. Needs `npm run build` first.
 */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const panelDir = join(repoRoot, 'web-panel', 'dist');
const screenshots = join(repoRoot, 'test-results', 'screenshots');

export const GUARD = { username: 'guard', password: 'guard-password-1', displayName: '门卫王师傅' };
export { ADMIN };
export const SITE_NAME = '示范中学';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Shanghai school time → ms (UTC+8, no DST). */
export const sh = (local: string): number => Date.parse(`${local}+08:00`);

/** The edge's wall clock: a school morning that moves on in real time, and can jump. */
export class SchoolClock {
  #offset: number;
  constructor(local: string) {
    this.#offset = sh(local) - Date.now();
  }
  readonly now = (): number => Date.now() + this.#offset;
  set(local: string): void {
    this.#offset = sh(local) - Date.now();
  }
}

/** A class of 初一 and one of 初一 2班, a boarder, a teacher and a parent. */
export const ROSTER = [
  '学号,姓名,身份,年级,班级,住校,宿舍,子女学号,关系,可接送',
  '2026010001,张三,学生,初一,1班,否,,,,',
  '2026010002,李四,学生,初一,1班,否,,,,',
  '2026010003,王五,学生,初一,1班,是,宿舍A栋,,,',
  '2026010004,赵六,学生,初一,2班,否,,,,',
  'T001,陈老师,教师,,,,,,,',
  'P001,张爸爸,家长,,,,,2026010001,父亲,是',
].join('\r\n');

export const GATES = [
  { id: 'east', no: 1, name: '东门', zone: 'campus', turnstile: { board: 'board-1', in: 0, out: 1, pulseMs: 300 } },
  { id: 'north', no: 2, name: '北门', zone: 'campus' },
  { id: 'dorm-a-door', no: 3, name: '宿舍A栋门', zone: 'dorm-a' },
];

export interface AccessPanelEnv {
  edge: Awaited<ReturnType<typeof startTestEdge>>;
  rig: Rig;
  clock: SchoolClock;
  issuer: TestIssuer;
  admin: ApiClient;
  browser: Browser;
  /** A fresh browser profile (no cookies, no stored choices) on a tablet-sized window. */
  openPanel(viewport?: { width: number; height: number }): Promise<Page>;
  /** The reader reads `text`; resolves with the edge's decision event. */
  scan(readerId: string, text: string): Promise<StoredEvent>;
  /** Imports ROSTER and a 初一 timetable (07:00 entry, late after 07:30, dismissal 16:30). */
  seedSchool(): Promise<void>;
  close(): Promise<void>;
}

/** More edge settings for one test file, e.g. a cloud link (merged over the defaults above). */
export interface AccessPanelEnvOptions {
  config?: Partial<EdgeConfigInput>;
}

export async function startAccessPanelEnv(start: string, options: AccessPanelEnvOptions = {}): Promise<AccessPanelEnv> {
  if (!existsSync(join(panelDir, 'index.html'))) {
    throw new Error(`The panel is not built (${panelDir} has no index.html): run "npm run build" first.`);
  }
  mkdirSync(screenshots, { recursive: true });
  const clock = new SchoolClock(start);
  const issuer = new TestIssuer('K1');
  const keys = tempDir('campus-keys-');
  issuer.install(keys.path);
  const rig = await startRig([
    { id: 'east-in', gate: 'east', direction: 'in' },
    { id: 'east-out', gate: 'east', direction: 'out' },
    { id: 'north-in', gate: 'north', direction: 'in' },
  ]);
  const edge = await startTestEdge(
    {
      site: { id: 'demo-school', name: SITE_NAME },
      http: { host: '127.0.0.1', port: 0, panelDir },
      mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
      access: { zones: ZONES, gates: GATES, keysDir: keys.path, ...rig.config },
      ...options.config,
    },
    { wallNow: clock.now, logger: pino({ level: 'silent' }), users: [{ ...GUARD, roles: ['security'] }] },
  );
  const admin = new ApiClient(edge.httpUrl);
  expect((await admin.login(ADMIN.username, ADMIN.password)).status).toBe(200);
  await waitOnline(edge);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];

  return {
    edge,
    rig,
    clock,
    issuer,
    admin,
    browser,
    async openPanel(viewport = { width: 1280, height: 800 }) {
      const context = await browser.newContext({ viewport, locale: 'zh-CN', reducedMotion: 'reduce' });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(edge.httpUrl);
      return page;
    },
    async scan(readerId, text) {
      const from = edge.store.events.lastSeq();
      expect(await rig.readers.get(readerId)!.sim.scan(text), `${readerId} is connected`).toBe(1);
      return waitFor(() => eventsAfter(edge, from, 'access.decision').find((e) => e.data.reader === readerId), `decision at ${readerId}`);
    },
    async seedSchool() {
      expect((await admin.req('POST', '/api/access/roster/import', { fileName: 'roster.csv', contentBase64: b64(ROSTER) })).status).toBe(200);
      const grade = (await admin.req('GET', '/api/access/classes')).json.grades[0];
      const tt = await admin.req('PUT', '/api/access/timetables', {
        timetables: [{ gradeId: grade.id, entryStart: '07:00', lateAfter: '07:30', dismissalStart: '16:30', dismissalEnd: '18:00' }],
      });
      expect(tt.status).toBe(200);
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await edge.cleanup();
      await rig.close();
      keys.remove();
    },
  };
}

export async function signIn(page: Page, user: { username: string; password: string }): Promise<void> {
  await page.locator('#username').fill(user.username);
  await page.locator('#password').fill(user.password);
  await page.locator('button[type=submit]').click();
  await page.locator('[data-testid=live-status][data-status=connected]').waitFor();
}

export function menuItems(page: Page): Promise<string[]> {
  return page.locator('[data-testid=main-menu] .ant-menu-title-content').allInnerTexts();
}

/** Screenshot once drawers, dialogs and highlights have finished moving. */
export async function shot(page: Page, name: string): Promise<Buffer> {
  await page.evaluate(() => Promise.all(document.getAnimations().filter((a) => a.effect?.getComputedTiming().iterations !== Infinity).map((a) => a.finished.catch(() => undefined))));
  return page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}
