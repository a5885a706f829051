import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createTempDatabase, postgresUrl } from '@campus/testkit/postgres';
import { writeWorkbook } from '@campus/protocol/sheets/xlsx';
import { startEdge, type Edge } from '../../src/edge.js';
import { VERSION } from '../../src/version.js';
import { ADMIN, tempDir, waitFor } from '../helpers/edge.js';
import { GATES, TestIssuer, ZONES } from '../access/helpers.js';
import { startCloudProcess } from '../sync/cloud-process.js';
import { decodeQrOnPage, pdfText } from '../cards/fixtures.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CONSOLE_BUILD = new URL('../../../web-panel/dist-console/index.html', import.meta.url).pathname;
const STAFF = { username: 'e2e-admin', password: 'console-e2e-pass-1' };
const OFFICE_PHONE = '13700000042';
const PW_HEAD = 'head-teacher-pass-1';
const ROSTER = ['学号,姓名,身份,年级,班级,卡版本,子女学号,关系', 'S500,周小雨,学生,初二,3班,1,,', 'S501,吴小明,学生,初二,3班,1,,', 'G500,周妈妈,家长,,,,S500,母亲'].join('\n');
const HOLIDAY = '2026-11-20'; // a Friday

const pg = await postgresUrl();

/**
 * The console in Chromium against a real cloud process on PostgreSQL with a real edge
 * connected through the change feed: sign-in (password, and phone + code), a roster
 * import, a card revoked in the console that the edge's gate then refuses, a holiday
 * entered in the console that the edge's calendar then has, and the edge-health page
 * saying each change is applied.
 */
describe.skipIf(!pg)('console (学校管理后台) with a real edge', () => {
  const dir = tempDir('campus-console-e2e-');
  const dataDir = join(dir.path, 'edge');
  const issuer = new TestIssuer('K1');
  let db: Awaited<ReturnType<typeof createTempDatabase>>;
  let cloud: Awaited<ReturnType<typeof startCloudProcess>>;
  let edge: Edge;
  let browser: Browser;
  let page: Page;
  const decide = (text: string) => edge.access.engine!.decide(text, edge.access.gates.get('east')!, 'in', edge.clock.now());

  beforeAll(async () => {
    if (!existsSync(CONSOLE_BUILD)) throw new Error(`${CONSOLE_BUILD} is missing: run "npm run build -w web-panel" first.`);
    db = await createTempDatabase(pg!);
    // The cloud signs printed cards with the issuer key whose public half the edge holds.
    const keyFile = join(dir.path, `issuer-${issuer.kid}.key`);
    writeFileSync(keyFile, issuer.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), { mode: 0o600 });
    cloud = await startCloudProcess(dir.path, 'console-e2e', { DATABASE_URL: db.url, CAMPUS_CLOUD_CARD_KEY_FILE: keyFile });
    const first = await cloud.admin(`/api/admin/schools/${cloud.link.schoolId}/accounts`, { method: 'POST', body: JSON.stringify({ ...STAFF, displayName: '甲校管理员' }) });
    expect(first.status).toBe(201);
    issuer.install(join(dataDir, 'keys'));
    edge = await startEdge(
      {
        dataDir,
        site: { id: 'console-e2e', name: '控制台测试校区' },
        log: { level: 'silent' },
        http: { host: '127.0.0.1', port: 0, panelDir: join(dir.path, 'no-panel') },
        mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
        clock: { trust: 'always' },
        auth: { bootstrapAdmin: { username: ADMIN.username, password: ADMIN.password } },
        access: { zones: ZONES, gates: GATES, keysDir: join(dataDir, 'keys') },
        cloud: { enabled: true, linkFile: cloud.linkFile },
      },
      { logger: pino({ level: 'silent' }) },
    );
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'zh-CN', reducedMotion: 'reduce' });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await edge?.stop();
    await cloud?.stop();
    await db?.drop();
    dir.remove();
  });

  /** A staff API session outside the browser (another admin at another desk). */
  const staffSession = async (body: unknown) => {
    const r = await fetch(`${cloud.link.cloudUrl}/api/staff/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(r.status).toBe(201);
    const cookie = r.headers.getSetCookie()[0]!.split(';')[0]!;
    const { csrfToken } = (await r.json()) as { csrfToken: string };
    return (method: string, path: string, payload?: unknown) =>
      fetch(`${cloud.link.cloudUrl}/api/staff${path}`, { method, headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken }, ...(payload === undefined ? {} : { body: JSON.stringify(payload) }) });
  };
  const menu = (label: string) => page.locator('[data-testid=console-menu] .ant-menu-title-content', { hasText: label }).click();

  it('signs in with a password and shows the school admin the whole menu, zh-CN first', async () => {
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(`${cloud.link.cloudUrl}/console/`);
    await page.locator('#username').fill(STAFF.username);
    await page.locator('#password').fill('wrong-password');
    await page.locator('button[type=submit]').first().click();
    await expect.poll(() => page.locator('[data-testid=sign-in-error]').innerText()).toContain('用户名或密码错误');
    await page.locator('#password').fill(STAFF.password);
    await page.locator('button[type=submit]').first().click();
    const items = page.locator('[data-testid=console-menu] .ant-menu-title-content');
    await items.first().waitFor();
    expect(await items.allInnerTexts()).toEqual(['人员与班级', '网关状态', '卡片', '校历', '作息时间', '请假与访客', '家长与接送人', 'U 盘策略', '开放数据', '账号与日志', '校车档案', '校车申请', '校车实时', '行程报表', '区域报表']);
    expect(errors.filter((e) => e.includes('i18n'))).toEqual([]);
  });

  it('imports a roster in the console and the people reach the edge; their cards pass the gate', async () => {
    await page.locator('[data-testid=roster-import] input[type=file]').setInputFiles({ name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(ROSTER) });
    await page.locator('[data-testid=import-run]').click();
    await expect.poll(() => page.locator('[data-testid=import-report]').innerText()).toContain('已导入 3 行：新增 3，更新 0，家长关系 1');
    await page.locator('[data-testid=people-table]').getByText('周小雨').waitFor();
    const p = await waitFor(() => edge.access.people.get('S500'), 20_000, 50);
    expect(p.name).toBe('周小雨');
    await waitFor(() => edge.access.people.guardiansOf('S500').find((l) => l.guardianId === 'G500'), 20_000, 50);
    await waitFor(() => decide(issuer.card('S500', 1)).granted, 20_000, 50);
  }, 60_000);

  it('imports an Excel roster (.xlsx) in the console with the same row report; a bad sheet writes nothing, a good one reaches the edge', async () => {
    const header = ['学号', '姓名', '身份', '年级', '班级', '卡版本'];
    const input = page.locator('[data-testid=roster-import] input[type=file]');
    const xlsx = async (rows: Array<Array<string | number | null>>) => ({ name: '初二名单.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await writeWorkbook([{ name: '名单', rows }]) });
    await input.setInputFiles(await xlsx([header, ['S502', '郑小冬', '学生', '初二', '3班', 1], ['S502', '郑小秋', '学生', '初二', '3班', 1]]));
    await page.locator('[data-testid=import-run]').click();
    const report = page.locator('[data-testid=import-report]');
    await expect.poll(() => report.innerText()).toContain('名单有 1 处错误，未导入任何数据');
    expect(await report.innerText()).toContain('第 3 行的学号/工号「S502」与第 2 行重复');
    await input.setInputFiles(await xlsx([header, ['S502', '郑小冬', '学生', '初二', '3班', 1]]));
    await page.locator('[data-testid=import-run]').click();
    await expect.poll(() => report.innerText()).toContain('已导入 1 行：新增 1，更新 0，家长关系 0');
    const p = await waitFor(() => edge.access.people.get('S502'), 20_000, 50);
    expect(p.name).toBe('郑小冬');
    expect(edge.access.people.className(p.classId)).toBe('初二 3班');
  }, 60_000);

  it('shows what another admin changed meanwhile when a save comes second (409), and saves on the latest', async () => {
    const table = page.locator('[data-testid=people-table]');
    await table.locator('tr', { hasText: '吴小明' }).getByRole('button', { name: '编辑' }).click();
    const modal = page.locator('.ant-modal');
    await modal.locator('#name').fill('吴晓明');
    // Meanwhile another admin moves the student to another class.
    const other = await staffSession(STAFF);
    const cur = (await (await other('GET', `/schools/${cloud.link.schoolId}/roster/person/S501`)).json()) as { data: Record<string, unknown>; version: number };
    expect((await other('PUT', `/schools/${cloud.link.schoolId}/roster/person/S501`, { data: { ...cur.data, classId: '初二-4班' }, version: cur.version })).status).toBe(200);
    await modal.getByRole('button', { name: '保存' }).click();
    const conflict = modal.locator('[data-testid=conflict]');
    await conflict.waitFor();
    const text = await conflict.innerText();
    expect(text).toContain('该记录已被他人修改');
    expect(text).toContain('初二-4班');
    expect(text).toContain('吴晓明');
    await conflict.getByRole('button', { name: '载入最新内容' }).click();
    await modal.locator('#name').fill('吴晓明');
    await modal.getByRole('button', { name: '保存' }).click();
    await table.getByText('吴晓明').waitFor();
    const p = await waitFor(() => (edge.access.people.get('S501')?.name === '吴晓明' ? edge.access.people.get('S501') : undefined), 20_000, 50);
    expect(edge.access.people.className(p.classId)).toBe('初二 4班');
  }, 60_000);

  it('revokes a card in the console and the edge refuses it at the gate; the other card still passes', async () => {
    await menu('卡片');
    await page.locator('[data-testid=revoke-S500]').click();
    await page.locator('.ant-popconfirm .ant-btn-primary').click();
    const refused = await waitFor(() => {
      const d = decide(issuer.card('S500', 1));
      return d.granted ? undefined : d;
    }, 20_000, 50);
    expect(refused.reason).toBe('credential.revoked');
    expect(decide(issuer.card('S501', 1)).granted).toBe(true);
  }, 60_000);

  it('prints a card sheet in the console whose QR the edge lets through; a revoked card is not printed', async () => {
    const panel = page.locator('[data-testid=card-print]');
    const choose = async (id: string) => {
      await panel.locator('[data-testid=card-print-people] input').fill(id);
      await page.locator('.ant-select-dropdown .ant-select-item-option', { hasText: id }).first().click();
    };
    await choose('S500');
    await panel.locator('[data-testid=card-print-run]').click();
    await expect.poll(() => panel.locator('[data-testid=card-print-error]').innerText()).toContain('以下人员的卡已挂失，请先补办（提升卡版本）再打印：S500');
    await panel.locator('[data-testid=card-print-people] .ant-select-clear').click({ force: true });
    await choose('S501');
    const [download] = await Promise.all([page.waitForEvent('download'), panel.locator('[data-testid=card-print-run]').click()]);
    const pdf = join(dir.path, 'printed.pdf');
    await download.saveAs(pdf);
    await panel.locator('[data-testid=card-print-done]').getByText('已生成 1 张卡片的打印页').waitFor();
    expect(pdfText(pdf)).toContain('吴晓明');
    const qrs = decodeQrOnPage(pdf, 1, dir.path);
    expect(qrs).toHaveLength(1);
    // The printed card passes the edge's gate, as the card record's version.
    const d = decide(qrs[0]!);
    expect(d.granted).toBe(true);
    expect(qrs[0]).toBe(issuer.card('S501', 1));
  }, 60_000);

  it('enters a holiday in the console calendar and the edge has it', async () => {
    expect(edge.access.calendar.dayKind(HOLIDAY)).not.toBe('holiday');
    await menu('校历');
    await page.getByRole('button', { name: '新增' }).click();
    const modal = page.locator('.ant-modal');
    await modal.locator('#__key').fill(HOLIDAY);
    await modal.locator('#date').fill(HOLIDAY);
    await modal.locator('#note').fill('运动会调休');
    await modal.getByRole('button', { name: '保存' }).click();
    await page.locator('[data-testid=records-calendar]').getByText('运动会调休').waitFor();
    await waitFor(() => edge.access.calendar.dayKind(HOLIDAY) === 'holiday', 20_000, 50);
  }, 60_000);

  it('sets a grade timetable in the console and the edge judges lateness by it; a deleted one is gone from the edge', async () => {
    const grade = edge.access.people.gradeByName('初二')!;
    const MONDAY = '2026-11-23';
    expect(edge.access.calendar.schedule(grade.id, MONDAY)).toBeNull();
    await menu('作息时间');
    const list = page.locator('[data-testid=records-timetable]');
    const modal = page.locator('.ant-modal');
    // A grade the school has no class of: refused with the reason, nothing saved.
    await list.getByRole('button', { name: '新增' }).click();
    await modal.locator('#__key').fill('g9');
    await modal.locator('#grade').fill('初九');
    await modal.getByRole('button', { name: '保存' }).click();
    await expect.poll(() => list.locator('[data-testid=record-error]').innerText()).toContain('本校没有年级「初九」');
    await modal.getByRole('button', { name: '取消' }).click();
    await list.locator('[data-testid=record-error] .ant-alert-close-icon').click();
    // 初二: gates open 07:00 (the form's default), late after 08:05, dismissal from 16:30.
    await list.getByRole('button', { name: '新增' }).click();
    await modal.locator('#__key').fill('g8');
    await modal.locator('#grade').fill('初二');
    await modal.locator('#lateAfter').fill('08:05');
    await modal.getByRole('button', { name: '保存' }).click();
    await list.locator('tr', { hasText: 'g8' }).getByText('08:05').waitFor();
    const day = await waitFor(() => edge.access.calendar.schedule(grade.id, MONDAY) ?? undefined, 20_000, 50);
    expect(day).toMatchObject({ entryStart: 7 * 60, lateAfter: 8 * 60 + 5, dismissalStart: 16 * 60 + 30, dismissalEnd: 18 * 60 });
    expect(edge.access.calendar.cloudTimetables()).toEqual([{ gradeId: grade.id, weekday: null, entryStart: '07:00', lateAfter: '08:05', dismissalStart: '16:30', dismissalEnd: '18:00', lunch: [] }]);
    // Removed in the console: the edge no longer has it.
    await list.locator('tr', { hasText: 'g8' }).getByRole('button', { name: '删除' }).click();
    await page.locator('.ant-popconfirm .ant-btn-primary').click();
    await waitFor(() => edge.access.calendar.schedule(grade.id, MONDAY) === null, 20_000, 50);
    // Set again for the edge-health check below.
    await list.getByRole('button', { name: '新增' }).click();
    await modal.locator('#__key').fill('g8');
    await modal.locator('#grade').fill('初二');
    await modal.getByRole('button', { name: '保存' }).click();
    await waitFor(() => edge.access.calendar.schedule(grade.id, MONDAY)?.lateAfter === 7 * 60 + 50, 20_000, 50);
  }, 90_000);

  it("shows the edge's health and that each change made here is applied by the edge", async () => {
    await menu('网关状态');
    const table = page.locator('[data-testid=edges-table]');
    await table.getByText('已同步').waitFor();
    // The edge's own report on its feed requests: clock trusted (this edge trusts its clock), its version, its backlog.
    await table.getByText('可信').waitFor();
    const cells = await table.locator('tbody tr.ant-table-row').first().locator('td').allInnerTexts();
    expect(cells[6]).toBe(VERSION);
    expect(cells[4]).toMatch(/^\d+$/);
    const status = page.locator('[data-testid=write-status]');
    await expect.poll(() => status.locator('.ant-tag-green').count()).toBe(8);
    expect(await status.innerText()).toContain('已应用');
  }, 60_000);

  it('signs an office account in with phone and one-time code; its menu has no USB or edge pages', async () => {
    // The admin makes the account on the console's account page; the audit log shows it.
    await menu('账号与日志');
    await page.locator('[data-testid=accounts]').getByRole('button', { name: '新增' }).click();
    const modal = page.locator('.ant-modal');
    await modal.locator('#username').fill('e2e-office');
    await modal.locator('#displayName').fill('教务处');
    await modal.locator('#roles').fill('教务');
    await modal.locator('#roles').press('Enter');
    await modal.locator('#phone').fill(OFFICE_PHONE);
    await modal.getByRole('button', { name: '保存' }).click();
    await page.locator('[data-testid=accounts]').getByText('e2e-office').waitFor();
    await page.getByRole('tab', { name: '操作日志' }).click();
    await page.locator('[data-testid=audit] tr', { hasText: 'staff.account.create' }).filter({ hasText: 'e2e-admin' }).first().waitFor();
    const context = await browser.newContext({ locale: 'zh-CN', reducedMotion: 'reduce' });
    const p2 = await context.newPage();
    p2.setDefaultTimeout(20_000);
    await p2.goto(`${cloud.link.cloudUrl}/console/`);
    await p2.getByRole('tab', { name: '验证码登录' }).click();
    await p2.locator('#phone').fill(OFFICE_PHONE);
    await p2.getByRole('button', { name: '获取验证码' }).click();
    const code = await waitFor(() => new RegExp(`"phone":"${OFFICE_PHONE}","code":"(\\d{6})"`).exec(cloud.output())?.[1], 20_000, 50);
    await p2.locator('#code').fill(code);
    await p2.locator('button[type=submit]').last().click();
    const items = p2.locator('[data-testid=console-menu] .ant-menu-title-content');
    await items.first().waitFor();
    expect(await items.allInnerTexts()).toEqual(['人员与班级', '卡片', '校历', '作息时间', '请假与访客', '家长与接送人']);
    await context.close();
  }, 60_000);
  it('lets a head teacher see only their class and grant a leave that reaches the edge', async () => {
    const admin = await staffSession(STAFF);
    expect((await admin('POST', '/accounts', { username: 'e2e-head', displayName: '王老师', password: PW_HEAD, roles: ['head_teacher'], classes: ['初二-3班'] })).status).toBe(201);
    // Head teachers work on phones: a phone viewport, nothing wider than the screen.
    const context = await browser.newContext({ locale: 'zh-CN', reducedMotion: 'reduce', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const p3 = await context.newPage();
    p3.setDefaultTimeout(20_000);
    await p3.goto(`${cloud.link.cloudUrl}/console/`);
    await p3.locator('#username').fill('e2e-head');
    await p3.locator('#password').fill(PW_HEAD);
    await p3.locator('button[type=submit]').first().click();
    // On a phone the menu is folded away behind its trigger.
    await p3.locator('.ant-layout-sider-zero-width-trigger').click();
    const items = p3.locator('[data-testid=console-menu] .ant-menu-title-content');
    await items.first().waitFor();
    expect(await items.allInnerTexts()).toEqual(['我的班级']);
    await p3.locator('.ant-layout-sider-zero-width-trigger').click();
    const card = p3.locator('[data-testid="class-初二-3班"]');
    await card.locator('tr', { hasText: '周小雨' }).getByRole('button', { name: '批准请假' }).click();
    const modal = p3.locator('.ant-modal');
    await modal.locator('#reason').fill('看病');
    await modal.getByRole('button', { name: '保存' }).click();
    await card.getByText('看病').waitFor();
    expect(await p3.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
    const leave = await waitFor(() => edge.access.leaves.covering('S500', Date.now() + 60_000), 20_000, 50);
    expect(leave).toMatchObject({ reason: '看病', source: 'cloud' });
    // Another class is not theirs: the API refuses it.
    const head = await staffSession({ username: 'e2e-head', password: PW_HEAD });
    expect((await head('GET', `/schools/${cloud.link.schoolId}/classes/${encodeURIComponent('初二-4班')}/students`)).status).toBe(403);
    await context.close();
  }, 60_000);
});
