import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWorkbook } from '@campus/protocol/sheets/xlsx';
import { ADMIN, ROSTER, shot, signIn, startAccessPanelEnv, type AccessPanelEnv } from './access-panel-env.js';

/**
 * The school's admin in Chromium: imports the roster (a bad file is refused row by row
 * in Chinese and nothing is imported), revokes a lost card (refused at the gate from the
 * next scan), exports the card roster for the issuing PC, issues a visitor pass whose QR
 * opens the gate, and reads today's attendance per class. Real edge, pty readers, relay.
 */
let env: AccessPanelEnv;
let page: Page;
const CSV = 'text/csv';

/** The roster with two broken rows: an unknown role and a student without a class. */
const BAD_ROSTER = ROSTER.replace('2026010002,李四,学生,', '2026010002,李四,学升,').replace('2026010004,赵六,学生,初一,2班,', '2026010004,赵六,学生,初一,,');

/** The fixed roster as Excel would save it, with the version of the cards already printed. */
function rosterXlsx(): Promise<Buffer> {
  const rows = ROSTER.split('\r\n').map((line) => line.split(','));
  rows[0]!.push('卡版本');
  for (const r of rows.slice(1)) r.push(r[2] === '学生' ? '1' : '');
  return writeWorkbook([{ name: '名单', rows }]);
}

beforeAll(async () => {
  env = await startAccessPanelEnv('2026-09-07T07:10:00'); // a Monday morning
  page = await env.openPanel();
  await signIn(page, ADMIN);
}, 90_000);

afterAll(async () => {
  await env?.close();
});

const peopleTotal = async () => (await env.admin.req('GET', '/api/access/people')).json.total as number;

describe('人员与卡片 and 今日考勤 in Chromium: the admin', () => {
  it('refuses a roster with bad rows in Chinese, imports nothing, then imports the fixed Excel file', async () => {
    await page.getByText('人员与卡片', { exact: true }).click();
    expect(page.url()).toMatch(/#\/access\/people$/);
    await page.getByTestId('people-table').getByText('名单为空', { exact: false }).waitFor();

    await page.getByTestId('open-import').click();
    await page.getByTestId('roster-file').setInputFiles({ name: '初一名单.csv', mimeType: CSV, buffer: Buffer.from(BAD_ROSTER) });
    const verdict = page.locator('[data-testid=roster-verdict][data-ok=false]');
    await verdict.getByText('初一名单.csv 有 2 处错误，未导入任何数据。请修改文件后重新选择。').waitFor();
    const errors = page.getByTestId('roster-errors');
    await errors.getByText('第 3 行的身份「学升」不认识：可填 学生、家长、教师、职工、访客（多个用顿号分隔）').waitFor();
    await errors.getByText('第 5 行是学生，必须填写年级和班级').waitFor();
    expect(await page.getByTestId('roster-confirm').count()).toBe(0);
    expect(await peopleTotal()).toBe(0);
    await shot(page, 'access-import-errors');

    await page.getByTestId('roster-file').setInputFiles({
      name: '初一名单.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: await rosterXlsx(),
    });
    await page.locator('[data-testid=roster-verdict][data-ok=true]').getByText('初一名单.xlsx 检查通过：共 6 行，可以导入').waitFor();
    expect(await peopleTotal()).toBe(0); // checking writes nothing
    await page.getByTestId('roster-confirm').click();
    await page.getByTestId('roster-imported').getByText('导入完成：新增 6 人，更新 0 人，家长关联 1 条').waitFor();
    expect(await peopleTotal()).toBe(6);
    await shot(page, 'access-import-done');

    await page.locator('.ant-drawer-close').click();
    await page.getByTestId('people-total').getByText('共 6 人').waitFor();
    await page.getByTestId('people-table').getByText('张三', { exact: true }).waitFor();
    await shot(page, 'access-people');
  });

  it('revokes a lost card: refused at the gate from the next scan, listed for a version-2 card', async () => {
    await page.getByTestId('people-search').locator('input').fill('张三');
    await page.getByTestId('people-search').locator('input').press('Enter');
    await page.getByTestId('people-total').getByText('共 1 人').waitFor();

    await page.getByTestId('revoke-2026010001').click();
    const dialog = page.getByTestId('revoke-dialog');
    await dialog.getByText('作废后，第 2 版以前的卡在所有闸机都会被拒绝。补办的新卡应为第 2 版。').waitFor();
    await dialog.getByText('挂失', { exact: true }).click();
    await page.getByTestId('revoke-dialog-submit').click();
    await page.getByText('张三 的卡已作废，补卡请制作第 2 版').waitFor();
    await page.getByTestId('card-reissue-2026010001').getByText('待补卡（第 2 版）').waitFor();
    expect(await page.getByTestId('revoke-2026010001').count()).toBe(0);
    const person = (await env.admin.req('GET', '/api/access/people/2026010001')).json.person;
    expect(person).toMatchObject({ cardVersion: 1, minCardVersion: 2 });
    expect(person.cards.find((c: { version: number }) => c.version === 1).revokedWhy).toBe('挂失');

    const old = await env.scan('east-in', env.issuer.card('2026010001', 1));
    expect(old).toMatchObject({ reason: 'credential.revoked', data: { granted: false } });

    // The replacement goes to the issuing PC as a roster for `campus-edge cards issue`.
    await page.getByTestId('people-table').locator('tbody .ant-checkbox-input').first().check();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-cards').click()]);
    expect(download.suggestedFilename()).toBe('制卡名单.csv');
    expect(readFileSync((await download.path())!, 'utf8')).toBe('\uFEFF学号,姓名,年级,班级,卡版本\r\n2026010001,张三,初一,1班,2\r\n');
    await shot(page, 'access-card-revoked');
  });

  it('issues a visitor pass and shows its QR, drawn in the browser; the QR text opens the gate', async () => {
    await page.getByTestId('open-pass').click();
    const form = page.getByTestId('pass-form');
    await form.locator('#pass-visitor-name').fill('刘女士');
    await form.locator('#pass-phone').fill('13800001234');
    await form.locator('#pass-purpose').fill('家长会');
    await page.getByTestId('pass-host').locator('input').fill('陈');
    await page.locator('.ant-select-item-option', { hasText: '陈老师（T001）' }).click();
    // Under load the dropdown can still be animating: make sure the choice landed before going on.
    await page.getByTestId('pass-host').getByText('陈老师（T001）').waitFor();
    // School time: the edge's clock says 2026-09-07 07:1x.
    await form.locator('#pass-valid-from').fill('2026-09-07T07:00');
    await form.locator('#pass-valid-until').fill('2026-09-07T18:00');
    await page.getByTestId('pass-gates').click();
    await page.locator('.ant-select-item-option', { hasText: '东门' }).click();
    await page.getByTestId('pass-gates').getByText('东门').waitFor();
    await page.keyboard.press('Escape');

    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/access/passes') && r.request().method() === 'POST', { timeout: 30_000 }),
      page.getByTestId('pass-submit').click(),
    ]);
    expect(response.status()).toBe(201);
    const issued = (await response.json()) as { pass: { id: number }; credential: string; qrSvg: string };
    const card = page.getByTestId('pass-issued');
    await card.getByText(`访客通行证 ${issued.pass.id}`).waitFor();
    await card.getByText('2026-09-07 07:00 至 2026-09-07 18:00').waitFor();
    await card.getByText('陈老师（T001）').waitFor();
    expect(await page.getByTestId('pass-credential').innerText()).toContain(issued.credential);

    // The browser drew the same QR the edge would (same library and settings) from the text.
    const src = (await page.getByTestId('pass-qr').getAttribute('src'))!;
    const prefix = 'data:image/svg+xml;charset=utf-8,';
    expect(src.startsWith(prefix)).toBe(true);
    expect(decodeURIComponent(src.slice(prefix.length))).toBe(issued.qrSvg);
    expect(await page.getByTestId('pass-qr').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await shot(page, 'access-pass-qr');

    // Scanned at the east gate, the text on screen lets the visitor in.
    const visit = await env.scan('east-in', issued.credential);
    expect(visit).toMatchObject({ reason: 'access.granted.visitor', data: { granted: true, passId: issued.pass.id } });
    await page.getByRole('button', { name: '关闭' }).last().click();
  });

  it("rolls today's attendance up per class and drills down to the students", async () => {
    // Independent of the previous case: no dialog of it may stay in front of the menu.
    if (await page.locator('.ant-modal-wrap:visible').count()) await page.keyboard.press('Escape');
    const grade = (await env.admin.req('GET', '/api/access/classes')).json.grades[0];
    const [class1, class2] = grade.classes.map((c: { id: number }) => c.id) as [number, number];
    const tt = await env.admin.req('PUT', '/api/access/timetables', {
      timetables: [{ gradeId: grade.id, entryStart: '07:00', lateAfter: '07:30', dismissalStart: '16:30', dismissalEnd: '18:00' }],
    });
    expect(tt.status).toBe(200);
    const leave = await env.admin.req('POST', '/api/access/leaves', { personId: '2026010004', startsAt: '2026-09-07T07:00', endsAt: '2026-09-07T18:00', reason: '发烧', approvedBy: '陈老师' });
    expect(leave.status).toBe(201);
    env.clock.set('2026-09-07T07:15:00');
    expect((await env.scan('east-in', env.issuer.card('2026010002'))).reason).toBe('access.granted');
    env.clock.set('2026-09-07T07:40:00');
    expect((await env.scan('east-in', env.issuer.card('2026010003'))).reason).toBe('access.granted');

    await page.getByText('今日考勤', { exact: true }).click();
    await page.getByTestId('attendance-day').getByText('2026-09-07 · 上课日').waitFor();
    const total = (status: string) => page.getByTestId(`att-total-${status}`).innerText();
    expect(await total('students')).toBe('4');
    expect([await total('arrived'), await total('late'), await total('absent'), await total('on_leave')]).toEqual(['1', '1', '1', '1']);
    // Two of the three expected (one is on leave) came in.
    expect(await total('turnout')).toBe('66%');
    const cell = (classId: number, status: string) => page.getByTestId(`att-${classId}-${status}`).innerText();
    expect([await cell(class1, 'arrived'), await cell(class1, 'late'), await cell(class1, 'absent'), await cell(class1, 'on_leave')]).toEqual(['1', '1', '1', '0']);
    expect([await cell(class2, 'absent'), await cell(class2, 'on_leave')]).toEqual(['0', '1']);
    await shot(page, 'access-attendance');

    await page.getByTestId(`att-class-${class1}`).click();
    const drawer = page.getByTestId('class-drawer');
    await drawer.locator('[data-testid=student-status-2026010003][data-status=late]').getByText('迟到').waitFor();
    expect(await drawer.getByTestId('student-status-2026010001').innerText()).toBe('缺勤');
    expect(await drawer.getByTestId('student-status-2026010002').innerText()).toBe('已到校');
    // Times are school time, whatever the browser's zone: 王五 came in at 07:40.
    expect(await drawer.getByTestId('class-students').innerText()).toContain('07:40:');
    await drawer.getByTestId('class-students').getByText('东门').first().waitFor();
    // Those who need a call come first.
    const order = await drawer.locator('[data-testid^=student-status-]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    expect(order).toEqual(['absent', 'late', 'arrived']);
    await shot(page, 'access-attendance-class');

    await drawer.getByTestId('class-status-filter').getByText('迟到 1').click();
    expect(await drawer.locator('[data-testid^=student-status-]').count()).toBe(1);

    await page.locator('.ant-drawer-close').click();
    await page.getByText('English', { exact: true }).click();
    await page.getByTestId('attendance-day').getByText('2026-09-07 · School day').waitFor();
    await page.getByTestId('attendance-totals').getByText('Absent', { exact: true }).waitFor();
    await shot(page, 'access-attendance-en');
  });
});
