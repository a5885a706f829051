import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutProblems } from './layout-checks';

/**
 * The attendant's screen on a phone (390×844) in Debian's Chromium against a real bus box:
 * the built `campus-edge start` with the bus profile, its door QR reader on a socat pty
 * pair (the test writes card texts into the other end, as a reader would), cards signed by
 * the `campus-edge keys init` / `cards issue` tools. An afternoon trip: boarding at the
 * door, a repeat scan and another school's card shown red live, the pickup step at a
 * handover stop (a refused code, nobody came → returned), a manual record with a reason,
 * the end-of-trip check and the report. Needs `npm run build` first.
 */
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const daemon = join(repoRoot, 'edge-agent', 'dist', 'bin', 'campus-edge.js');
const panelIndex = join(repoRoot, 'web-panel', 'dist', 'index.html');
const screens = join(repoRoot, 'web-panel', 'test-results', 'screens');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ADMIN = { username: 'admin', password: 'admin-password-1' };
const ATTENDANT = { username: 'chen', password: 'attendant-pass-1' };
const ZHANG = '2026010001';
const LI = '2026010002';
/** The screen follows the socket; a loaded machine may take a few seconds (a wait, not a timing target). */
const POLL = { timeout: 15_000, interval: 100 };

function run(args: string[], cwd: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [daemon, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (out += d.toString()));
    c.once('exit', (code) => resolve({ code: code ?? -1, out }));
  });
}

/** Card texts by person id from `cards issue --csv`. */
function issuedCards(file: string): Map<string, string> {
  const lines = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/).slice(1);
  return new Map(lines.map((l) => l.split(',')).map((f) => [f[0]!, f[5]!]));
}

let dir: string;
let socat: ChildProcess | null = null;
let edge: ChildProcess | null = null;
let browser: Browser;
let url = '';
let doorSim = '';
const cards = new Map<string, string>();
let foreignCard = '';

/** What a reader sends for one scan: the QR text and CR LF. */
function readerScan(text: string): void {
  const fd = openSync(doorSim, 'w');
  writeSync(fd, `${text}\r\n`);
  closeSync(fd);
}

async function api(method: string, path: string, body: unknown, session: { cookie: string; csrf: string }): Promise<{ status: number; json: any }> {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', cookie: session.cookie, 'x-csrf-token': session.csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, json: await r.json().catch(() => null) };
}

beforeAll(async () => {
  for (const f of [daemon, panelIndex]) if (!existsSync(f)) throw new Error(`${f} is missing: run "npm run build" first.`);
  mkdirSync(screens, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'campus-bus-e2e-'));
  // The school's issuer key and cards, made with the edge's own tools; a second "school" for a foreign card.
  expect((await run(['keys', 'init', '--dir', 'issuer', '--kid', 'K1'], dir)).code).toBe(0);
  expect((await run(['keys', 'init', '--dir', 'other', '--kid', 'K9'], dir)).code).toBe(0);
  writeFileSync(join(dir, 'cards.csv'), `学号,姓名,年级,班级\n${ZHANG},张小明,一年级,1班\n${LI},李小红,一年级,1班\n`);
  const issued = await run(['cards', 'issue', '--roster', 'cards.csv', '--out', 'cards.pdf', '--keys', 'issuer', '--kid', 'K1', '--school', '测试小学', '--csv', 'issued.csv'], dir);
  expect(issued.code, issued.out).toBe(0);
  for (const [k, v] of issuedCards(join(dir, 'issued.csv'))) cards.set(k, v);
  expect((await run(['cards', 'issue', '--roster', 'cards.csv', '--out', 'other.pdf', '--keys', 'other', '--kid', 'K9', '--school', '别的学校', '--csv', 'other.csv'], dir)).code).toBe(0);
  foreignCard = issuedCards(join(dir, 'other.csv')).get(ZHANG)!;
  mkdirSync(join(dir, 'keys'));
  writeFileSync(join(dir, 'keys', 'issuer-K1.pub'), readFileSync(join(dir, 'issuer', 'issuer-K1.pub')));

  // The door reader's serial line: a socat pty pair.
  const doorEdge = join(dir, 'door-edge');
  doorSim = join(dir, 'door-sim');
  socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${doorEdge}`, `pty,raw,echo=0,link=${doorSim}`], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !(existsSync(doorEdge) && existsSync(doorSim)); i++) await new Promise((r) => setTimeout(r, 50));

  const config = join(dir, 'bus.json');
  writeFileSync(
    config,
    JSON.stringify({
      dataDir: join(dir, 'data'),
      site: { id: 'bus-e2e', name: '校车测试' },
      http: { host: '127.0.0.1', port: 0 },
      mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
      auth: { bootstrapAdmin: ADMIN },
      energy: { enabled: false },
      access: { keysDir: join(dir, 'keys') },
      bus: {
        enabled: true,
        keysDir: join(dir, 'keys'),
        vehicle: { plate: '沪A12345', seats: 45 },
        repeatWindowS: 5,
        readers: [{ id: 'door', transport: { kind: 'serial', path: doorEdge, baudRate: 9600 }, feedback: { granted: 'A1', denied: 'D0' } }],
        routes: [
          {
            id: 'R1',
            name: '1号线',
            stops: [
              { id: 'S1', name: '幸福小区', lat: 31.2, lon: 121.4, afternoonAt: '17:05', handover: true },
              { id: 'S2', name: '阳光花园', lat: 31.21, lon: 121.4, afternoonAt: '16:55' },
              { id: 'SCH', name: '学校', lat: 31.22, lon: 121.4, afternoonAt: '16:40', depot: true },
            ],
          },
        ],
        assignments: [
          { personId: ZHANG, routeId: 'R1', stopId: 'S1', direction: 'afternoon', from: '2026-01-01' },
          { personId: LI, routeId: 'R1', stopId: 'S2', direction: 'afternoon', from: '2026-01-01' },
        ],
      },
    }),
  );
  edge = spawn(process.execPath, [daemon, 'start', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bus box did not start:\n${output.slice(-3000)}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /(?:面板 Panel):\s+(http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    edge!.stdout!.on('data', onData);
    edge!.stderr!.on('data', onData);
    edge!.once('exit', (code) => reject(new Error(`the bus box exited with ${code}:\n${output.slice(-3000)}`)));
  });

  // The admin registers the children and the attendant (least privilege: transport only).
  const login = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) });
  const admin = { cookie: (login.headers.get('set-cookie') ?? '').split(';')[0]!, csrf: ((await login.json()) as { csrfToken: string }).csrfToken };
  for (const [id, name] of [
    [ZHANG, '张小明'],
    [LI, '李小红'],
  ]) expect((await api('POST', '/api/access/people', { id, name, roles: ['student'] }, admin)).status).toBe(201);
  const user = await api('POST', '/api/users', { username: ATTENDANT.username, displayName: '陈老师', password: ATTENDANT.password, roles: ['transport'] }, admin);
  expect(user.status).toBe(201);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const c of [edge, socat]) {
    if (!c || c.exitCode !== null) continue;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function settle(page: Page): Promise<void> {
  await page.locator('.page-spinner').waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
  await page.waitForTimeout(300);
}

describe('the attendant’s bus screen on a phone', () => {
  it('runs an afternoon trip: door scans live, red reasons, the pickup step, manual record, the check and the report', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', reducedMotion: 'reduce', deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const missingIds: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && m.text().includes('i18n: missing message id')) missingIds.push(m.text());
    });
    const problems: string[] = [];
    const check = async (name: string) => {
      await settle(page);
      await page.screenshot({ path: join(screens, `phone-bus-${name}.png`), fullPage: true });
      for (const p of await layoutProblems(page)) problems.push(`${name}: ${p}`);
    };
    try {
      await page.goto(url);
      await page.locator('#username').fill(ATTENDANT.username);
      await page.locator('#password').fill(ATTENDANT.password);
      await page.locator('button[type=submit]').click();
      await page.locator('[data-testid=live-status][data-status=connected]').waitFor();
      // The attendant lands on the bus screen; no trip yet.
      await page.getByTestId('bus-start').waitFor();
      expect(page.url()).toContain('#/bus/trip');
      await check('start');
      await page.getByTestId('bus-route-select').click();
      await page.locator('.ant-select-item-option').filter({ hasText: '1号线' }).click();
      await page.locator('.ant-segmented-item').filter({ hasText: '晚班' }).click();
      await page.getByTestId('bus-start').click();
      await page.getByTestId('bus-trip-head').waitFor();
      await expect.poll(() => page.getByTestId('bus-stop').textContent(), POLL).toContain('下一站：学校');

      // Boarding at the door reader (the pty): the screen follows live.
      readerScan(cards.get(ZHANG)!);
      await expect.poll(() => page.getByTestId('bus-counts').textContent(), POLL).toContain('车上 1 人');
      // Scanned twice, and another school's card: red, with the reason, live.
      readerScan(cards.get(ZHANG)!);
      readerScan(foreignCard);
      await expect.poll(() => page.getByTestId('bus-red-scans').textContent(), POLL).toContain('已在车上（重复刷卡）');
      await expect.poll(() => page.getByTestId('bus-red-scans').textContent(), POLL).toContain('不是本校签发的卡');
      await check('boarding');

      // Li forgot her card: recorded by hand, with a reason.
      await page.getByTestId('bus-manual-open').click();
      const dialog = page.locator('[role=dialog]').filter({ visible: true }).first();
      await dialog.waitFor();
      await page.getByTestId('manual-save').click();
      await expect.poll(() => dialog.textContent(), POLL).toContain('请填写原因');
      await page.getByTestId('manual-child').click();
      await page.locator('.ant-select-item-option').filter({ hasText: '李小红' }).click();
      await page.getByTestId('manual-why').fill('忘带卡，班主任确认');
      await page.getByTestId('manual-save').click();
      await dialog.waitFor({ state: 'hidden' });
      await expect.poll(() => page.getByTestId('bus-counts').textContent(), POLL).toContain('车上 2 人');
      await expect.poll(() => page.getByTestId('bus-last-result').getAttribute('data-reason'), POLL).toBe('bus.boarded.manual');

      // Zhang gets off at his stop (a handover stop): he waits for his pickup person.
      await page.waitForTimeout(5_500); // past the repeat window
      readerScan(cards.get(ZHANG)!);
      const pickup = page.getByTestId(`pickup-${ZHANG}`);
      await pickup.waitFor();
      expect(await pickup.textContent()).toContain('没有授权接送人');
      await check('pickup');
      // A code nobody issued is refused with its reason.
      await pickup.getByTestId('pickup-proof').fill('123456');
      await pickup.getByTestId('pickup-confirm').click();
      await expect.poll(() => page.getByTestId('bus-last-result').getAttribute('data-reason'), POLL).toBe('bus.handover.no_codes');
      expect(await page.getByTestId('bus-last-result').getAttribute('data-ok')).toBe('false');
      // Nobody came: Zhang stays on board and goes back to school.
      await pickup.getByTestId('pickup-failed').click();
      await pickup.waitFor({ state: 'detached' });
      await expect.poll(() => page.getByTestId('bus-on-board').textContent(), POLL).toContain('张小明 · 随车返校');
      await expect.poll(() => page.getByTestId('bus-red-scans').textContent(), POLL).toContain('无授权接送人');
      await check('returned');

      // The end of the trip: closing with children aboard is refused with the names.
      await page.getByTestId('bus-close').click();
      await expect.poll(() => page.getByTestId('bus-error').textContent(), POLL).toContain('还有 2 名学生未下车');
      // Both recorded off by hand: Zhang back at school to the duty teacher, Li at her own stop.
      const offByHand: Array<[string, string]> = [
        ['张小明', '无人接送，交学校值班老师'],
        ['李小红', '读卡器未识别，照管员核对后下车'],
      ];
      for (const [name, why] of offByHand) {
        await page.getByTestId('bus-manual-open').click();
        await dialog.waitFor();
        await page.getByTestId('manual-child').click();
        await page.locator('.ant-select-item-option').filter({ hasText: name }).filter({ visible: true }).click();
        await dialog.locator('.ant-segmented-item').filter({ hasText: '下车' }).click();
        await page.getByTestId('manual-why').fill(why);
        await page.getByTestId('manual-save').click();
        await dialog.waitFor({ state: 'hidden' });
      }
      await expect.poll(() => page.getByTestId('bus-counts').textContent(), POLL).toContain('车上 0 人');
      await page.getByTestId('bus-last-stop').click();
      await page.getByTestId('bus-last-stop').waitFor({ state: 'detached' });
      await page.getByTestId('bus-check-input').fill('CAMPUS-BUS-REAR-CHECK');
      await page.getByTestId('bus-check').click();
      await expect.poll(() => page.getByTestId('bus-end').textContent(), POLL).toContain('已完成车内检查');
      await page.getByTestId('bus-close').click();
      const report = page.getByTestId('bus-report');
      await report.waitFor();
      const text = (await report.textContent()) ?? '';
      expect(text).toContain('上车 2 人，下车 2 人，交接 0 人，返校 1 人');
      expect(text).toContain('学校：计划 16:40');
      expect(text).toContain('张小明 · 随车返校');
      await check('report');
      await page.getByTestId('bus-report-done').click();
      await page.getByTestId('bus-start').waitFor();
    } finally {
      await context.close();
    }
    expect(missingIds).toEqual([]);
    expect(problems).toEqual([]);
  }, 240_000);
});
