import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/edge.js';
import { GUARD, menuItems, shot, signIn, startAccessPanelEnv, type AccessPanelEnv } from './access-panel-env.js';

/**
 * 请假与通行证 as the gate and the school office use it: a guard registers a student's
 * leave (found by 学号) and cancels it, issues a visitor pass whose QR is shown large with
 * a print button, cancels it (refused at the gate from then on), and sees the edge's own
 * reason when it refuses a request. A second edge that syncs with a cloud refuses leave
 * changes; the page says plainly that the cloud owns them. Real edge, pty readers, Chromium.
 */
const SCHOOL_TZ = 'Asia/Shanghai';

/** A moment as school-local text: "2026-09-07T07:10:00" (what the datetime inputs and SchoolClock take). */
function schoolLocal(at: number): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: SCHOOL_TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .format(at)
    .replace(' ', 'T');
}

/** The edge's school clock runs at the real time here, so the browser's "now" and the edge's agree. */
const startNow = () => schoolLocal(Date.now());

const option = (page: Page, text: string) => page.locator('.ant-select-item-option', { hasText: text });

describe('请假与通行证 in Chromium: the guard registers leaves and visitor passes', () => {
  let env: AccessPanelEnv;
  let page: Page;

  beforeAll(async () => {
    env = await startAccessPanelEnv(startNow());
    await env.seedSchool();
    page = await env.openPanel();
    await signIn(page, GUARD);
  }, 90_000);

  afterAll(async () => {
    await env?.close();
  });

  it('lands the guard on 门岗实时 and offers 请假与通行证 in the menu', async () => {
    expect(page.url()).toMatch(/#\/access\/live$/);
    expect(await menuItems(page)).toContain('请假与通行证');
    await page.getByText('请假与通行证', { exact: true }).click();
    expect(page.url()).toMatch(/#\/access\/leaves$/);
    await page.getByTestId('leave-table').getByText('今天及以后没有请假记录').waitFor();
  });

  it('registers a leave for a student found by 学号, lists it, and cancels it with a reason', async () => {
    await page.getByTestId('leave-new').click();
    const form = page.getByTestId('leave-form');
    await page.getByTestId('leave-student').locator('input').fill('2026010001');
    await option(page, '张三（2026010001） · 初一 1班').click();
    await page.getByTestId('leave-student').getByText('张三（2026010001） · 初一 1班').waitFor();
    await form.locator('#leave-reason').fill('发烧，家长来接');
    await form.locator('#leave-approved-by').fill('班主任陈老师');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/access/leaves') && r.request().method() === 'POST'),
      page.getByTestId('leave-submit').click(),
    ]);
    expect(response.status()).toBe(201);
    const { leave } = (await response.json()) as { leave: { id: number; startsAt: number; endsAt: number } };
    // The form's default window: from now to the end of the school day (or four hours), in school time.
    expect(leave.endsAt).toBeGreaterThan(leave.startsAt);

    const row = page.locator('[data-testid=leave-table] tbody tr', { has: page.getByTestId(`leave-student-${leave.id}`) });
    await row.waitFor();
    const text = await row.innerText();
    for (const part of ['张三', '2026010001', '初一 1班', '发烧，家长来接', '班主任陈老师', '本机登记', GUARD.username, '进行中']) expect(text).toContain(part);
    const window = `${schoolLocal(leave.startsAt).slice(0, 16).replace('T', ' ')} 至 ${schoolLocal(leave.endsAt).slice(0, 16).replace('T', ' ')}`;
    expect(await page.getByTestId(`leave-window-${leave.id}`).innerText()).toBe(window);
    const stored = (await env.admin.req('GET', '/api/access/leaves')).json.leaves;
    expect(stored).toMatchObject([{ id: leave.id, personId: '2026010001', reason: '发烧，家长来接', approvedBy: '班主任陈老师', createdBy: GUARD.username, status: 'approved' }]);
    await shot(page, 'access-leaves');

    await page.getByTestId(`leave-cancel-${leave.id}`).click();
    const dialog = page.getByTestId('leave-cancel-dialog');
    await dialog.getByText('取消后，张三 在上课时间不能再凭此请假离校。').waitFor();
    await dialog.getByText('学生已返校', { exact: true }).click();
    await page.getByTestId('leave-cancel-dialog-submit').click();
    await page.getByText('已取消 张三 的请假').waitFor();
    await page.getByTestId('leave-table').getByText('今天及以后没有请假记录').waitFor();
    const all = (await env.admin.req('GET', '/api/access/leaves?includeCancelled=true')).json.leaves;
    expect(all).toMatchObject([{ id: leave.id, status: 'cancelled' }]);
  });

  it('issues a visitor pass with a large QR and a print button, lists it, and cancels it so the gate refuses it', async () => {
    await page.getByRole('tab', { name: '访客与接送证' }).click();
    await page.getByTestId('pass-table').getByText('没有有效的访客证或接送证').waitFor();
    await page.getByTestId('open-pass').click();
    const form = page.getByTestId('pass-form');
    await form.locator('#pass-visitor-name').fill('刘女士');
    await form.locator('#pass-phone').fill('13800001234');
    await form.locator('#pass-purpose').fill('家长会');
    await page.getByTestId('pass-host').locator('input').fill('陈');
    await option(page, '陈老师（T001）').click();
    await page.getByTestId('pass-host').getByText('陈老师（T001）').waitFor();
    await page.getByTestId('pass-gates').click();
    await option(page, '东门').click();
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
    const qr = page.getByTestId('pass-qr');
    const src = (await qr.getAttribute('src'))!;
    expect(decodeURIComponent(src.slice('data:image/svg+xml;charset=utf-8,'.length))).toBe(issued.qrSvg);
    // Big enough for a phone held up to the screen to read.
    const box = (await qr.boundingBox())!;
    expect(Math.min(box.width, box.height)).toBeGreaterThanOrEqual(300);
    await card.getByRole('button', { name: '打印' }).waitFor();
    await shot(page, 'access-pass-issued-by-guard');
    // antd spaces a two-character label: "关 闭".
    await card.getByRole('button', { name: /^关\s?闭$/ }).click();

    const row = page.locator('[data-testid=pass-table] tbody tr', { has: page.getByTestId(`pass-holder-${issued.pass.id}`) });
    await row.getByText('陈老师（T001）').waitFor();
    const text = await row.innerText();
    for (const part of [String(issued.pass.id), '访客证', '刘女士', '13800001234', '家长会', '一次性', '东门', GUARD.username, '进行中']) expect(text).toContain(part);
    await shot(page, 'access-passes');

    await page.getByTestId(`pass-cancel-${issued.pass.id}`).click();
    await page.getByTestId('pass-cancel-dialog').getByText('访客已离校', { exact: true }).click();
    await page.getByTestId('pass-cancel-dialog-submit').click();
    await page.getByText(`通行证 ${issued.pass.id} 已作废`).waitFor();
    await page.getByTestId('pass-table').getByText('没有有效的访客证或接送证').waitFor();
    const refused = await env.scan('east-in', issued.credential);
    expect(refused.data.granted).toBe(false);
  });

  it('shows the edge’s own reason when it refuses a pass (too long a visit)', async () => {
    await page.getByTestId('open-pass').click();
    const form = page.getByTestId('pass-form');
    await form.locator('#pass-visitor-name').fill('王先生');
    await page.getByTestId('pass-host').locator('input').fill('T001');
    await option(page, '陈老师（T001）').click();
    await page.getByTestId('pass-host').getByText('陈老师（T001）').waitFor();
    await form.locator('#pass-valid-until').fill(schoolLocal(Date.now() + 30 * 86_400_000).slice(0, 16));
    await page.getByTestId('pass-gates').click();
    await option(page, '北门').click();
    await page.getByTestId('pass-gates').getByText('北门').waitFor();
    await page.keyboard.press('Escape');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/access/passes') && r.request().method() === 'POST'),
      page.getByTestId('pass-submit').click(),
    ]);
    expect(response.status()).toBe(400);
    await page.getByTestId('pass-error').getByText('结束时间必须晚于开始时间，且最长 7 天').waitFor();
    await shot(page, 'access-pass-refused');
    expect((await env.admin.req('GET', '/api/access/passes')).json.passes).toEqual([]);
    await page.keyboard.press('Escape');
  });
});

describe('请假与通行证 on an edge linked to the cloud (ownership per record)', () => {
  let env: AccessPanelEnv;
  let page: Page;
  const keys = tempDir('campus-cloud-key-');

  beforeAll(async () => {
    // A cloud link that is configured but never answers (a closed local port): the edge
    // still refuses local writes of what the cloud owns, which is what is tested here.
    const keyFile = join(keys.path, 'edge.key');
    writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'), { mode: 0o600 });
    env = await startAccessPanelEnv(startNow(), {
      config: { cloud: { enabled: true, url: 'http://127.0.0.1:9', edgeId: 'demo-school-edge', keyId: 'k1', privateKeyFile: keyFile } },
    });
    // The roster would come from the cloud; this one student is put straight into the edge.
    const people = env.edge.access.people;
    const cls = people.ensureClass('初一', '1班');
    people.create({ id: '2026010001', name: '张三', roles: ['student'], classId: cls.id, boarder: false, dormitoryZone: null, phone: null, active: true, cardVersion: 1 });
    page = await env.openPanel();
    await signIn(page, GUARD);
  }, 90_000);

  afterAll(async () => {
    await env?.close();
    keys.remove();
  });

  it('ownership is per record: a leave registered at the gate office is the edge’s own; one the cloud sent is cancelled in the cloud', async () => {
    // A leave the cloud sent down (as the change feed projects it).
    const now = Date.now();
    const sent = env.edge.access.leaves.create({ personId: '2026010001', startsAt: now - 60_000, endsAt: now + 3_600_000, reason: '看病', approvedBy: '班主任', source: 'cloud', createdBy: 'cloud:leave:L-1' });
    await page.evaluate(() => (window.location.hash = '/access/leaves'));
    await page.getByTestId('leave-new').click();
    await page.getByTestId('leave-student').locator('input').fill('张三');
    await option(page, '张三（2026010001） · 初一 1班').click();
    await page.getByTestId('leave-student').getByText('张三（2026010001） · 初一 1班').waitFor();
    await page.getByTestId('leave-form').locator('#leave-reason').fill('事假');
    await page.getByTestId('leave-form').locator('#leave-approved-by').fill('门卫室登记');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/access/leaves') && r.request().method() === 'POST'),
      page.getByTestId('leave-submit').click(),
    ]);
    // Registered at the gate office: the edge's own record, even with the cloud on.
    expect(response.status()).toBe(201);
    const own = ((await response.json()) as { leave: { id: number } }).leave.id;
    await page.getByTestId(`leave-cancel-${own}`).waitFor();
    expect(await page.getByTestId(`leave-cancel-${own}`).isDisabled()).toBe(false);
    // The cloud's leave cannot be cancelled here, and says where it is.
    await page.getByTestId(`leave-cancel-${sent.id}`).waitFor();
    expect(await page.getByTestId(`leave-cancel-${sent.id}`).isDisabled()).toBe(true);
    expect(await page.getByTestId(`leave-cancel-${sent.id}`).getAttribute('title')).toContain('云端');
    expect((await env.admin.req('POST', `/api/access/leaves/${sent.id}/cancel`, { why: 'x' })).status).toBe(409);
    await shot(page, 'access-leaves-cloud-owned');
  });
});
