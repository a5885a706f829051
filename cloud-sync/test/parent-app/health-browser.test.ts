import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appGuardianSignIn, appStaffSignIn } from '@campus/testkit';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import jsQR from 'jsqr';
import { pgliteBackend } from '../helpers/backends.js';
import { startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { staffSignIn, type StaffClient } from '../helpers/staff-client.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM) && process.env.CI) throw new Error('chromium is required in CI');

const C1 = '五年级1班';
const MUM = '13700000001';
const PW = 'browser-health-pw-1';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };

/**
 * Health, medical notes and the visitor pass QR in the home-school app, on a phone in
 * Chromium: the guardian declares and enters the notes with consent; the head teacher
 * takes the morning check and opens the notes (refused without a reason); the nurse
 * sees the roll-up and requires declarations; the guardian sees who read the notes and
 * why, and the visit pass as a QR image that decodes to the signed credential.
 */
describe.skipIf(!existsSync(CHROMIUM))('home-school health in Chromium on a phone', () => {
  let cloud: TestCloud;
  let sms: HttpSink;
  let browser: Browser;
  let schoolId: string;
  let admin: StaffClient;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    sms = await startHttpSink();
    cloud = await startTestCloud(pgliteBackend, { channels: { sms: { url: sms.url } } });
    schoolId = (await cloud.provisionEdge({ schoolName: '健康二小', site: 'health-browser' })).schoolId;
    await cloud.records.write(schoolId, [
      { kind: 'person', key: 's1', data: { name: '林小一', roles: ['student'], classId: C1 } },
      { kind: 'person', key: 's2', data: { name: '高小二', roles: ['student'], classId: C1 } },
      { kind: 'person', key: 'mum', data: { name: '林妈妈', roles: ['guardian'], phone: MUM } },
      { kind: 'person', key: 't-gao', data: { name: '高老师', roles: ['teacher'] } },
      { kind: 'guardianship', key: 's1.mum', data: { studentId: 's1', guardianId: 'mum', relation: '母亲', mayPickUp: true, receivesNotices: true } },
    ]);
    expect((await cloud.admin('POST', `/schools/${schoolId}/accounts`, { username: 'hb-admin', displayName: '管理员', password: PW })).status).toBe(201);
    admin = await staffSignIn(cloud.url, 'hb-admin', PW);
    expect((await admin.call('POST', '/accounts', { username: 'gao', displayName: '高老师', personKey: 't-gao', password: PW, roles: ['head_teacher'], classes: [C1] })).status).toBe(201);
    expect((await admin.call('POST', '/accounts', { username: 'nurse', displayName: '校医刘', password: PW, roles: ['nurse'] })).status).toBe(201);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  }, 120_000);
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await cloud?.dispose();
    await sms?.close();
  });

  const phonePage = async (): Promise<Page> => {
    const ctx = await browser.newContext(PHONE);
    contexts.push(ctx);
    return ctx.newPage();
  };
  const guardian = async (phone: string) => {
    const page = await phonePage();
    await appGuardianSignIn(page, `${cloud.url}/parent/`, phone, () => sms.received.map((m) => m.body));
    return page;
  };
  const staffPage = async (username: string) => {
    const page = await phonePage();
    await appStaffSignIn(page, cloud.url, username, PW);
    return page;
  };
  const noSideways = (page: Page) => page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth');

  it('runs the day: declaration, notes with consent, morning check, a reasoned read the guardian sees, the nurse roll-up', async () => {
    const mum = await guardian(MUM);
    const card = mum.locator('.health-child[data-student="s1"]');
    await card.waitFor();
    expect(await card.locator('.declared-state').innerText()).toBe('今日未申报');
    await card.locator('input[name=temperature]').fill('37.6');
    await card.locator('input[name=symptom][value=cough]').check();
    await card.locator('input[name=note]').fill('<b>轻咳</b>');
    await card.locator('.declare-form button[type=submit]').click();
    await mum.locator('.health-child[data-student="s1"] .declared-state', { hasText: '今日已申报' }).waitFor();
    expect(await mum.locator('.health-child[data-student="s1"] .declared-state').innerText()).toContain('37.6°C · 咳嗽 · <b>轻咳</b>');
    // Medical notes: without the consent box the browser does not send; with it they are sealed.
    const med = mum.locator('.health-child[data-student="s1"] details.medical');
    await med.locator('summary').click();
    await med.locator('input[name=allergies]').fill('花生过敏');
    await med.locator('select[name=bloodType]').selectOption('O');
    await med.locator('button[type=submit]').click();
    expect((await cloud.db.query('SELECT 1 FROM hs_medical_notes')).rows).toEqual([]);
    await med.locator('input[name=consent]').check();
    await med.locator('button[type=submit]').click();
    await med.locator('[role=status]', { hasText: '已加密保存' }).waitFor();
    expect((await cloud.db.query<{ sealed: string }>('SELECT sealed FROM hs_medical_notes')).rows[0]!.sealed).not.toContain('花生');
    expect(await noSideways(mum)).toBe(true);

    // The head teacher: the morning check of the class, then the notes (a reason first).
    const gao = await staffPage('gao');
    await gao.locator('.health-checks input[name=classId]').waitFor();
    expect(await gao.inputValue('.health-checks input[name=classId]')).toBe(C1);
    await gao.click('.health-load');
    await gao.locator('.health-list li[data-student="s1"]').waitFor();
    expect(await gao.locator('.health-list li[data-student="s1"]').innerText()).toContain('37.6°C');
    await gao.fill('.health-list input[data-student="s1"]', '38.4');
    await gao.selectOption('.health-list select[data-symptom="s1"]', 'fever');
    await gao.fill('.health-list input[data-student="s2"]', '36.5');
    await gao.click('.health-checks button[type=submit]');
    await gao.locator('.health-checks [role=status]', { hasText: '已保存 2 人，异常 1 人' }).waitFor();
    await gao.fill('.medical-open input[name=studentKey]', 's1');
    await gao.click('.medical-open button[type=submit]');
    await gao.locator('.medical-open .flag', { hasText: '须填写查看原因' }).waitFor();
    expect((await cloud.db.query('SELECT 1 FROM hs_medical_reads')).rows).toEqual([]);
    await gao.fill('.medical-open input[name=reason]', '晨检发热，确认过敏史');
    await gao.click('.medical-open button[type=submit]');
    await gao.locator('.medical-open [data-field=allergies]', { hasText: '花生过敏' }).waitFor();
    expect(await gao.locator('.medical-open [data-field=bloodType]').innerText()).toContain('O');
    expect(await noSideways(gao)).toBe(true);

    // The nurse: the roll-up, and the epidemic switch.
    const nurse = await staffPage('nurse');
    const table = nurse.locator('table.health-summary');
    await table.waitFor();
    expect(await table.locator('tr').nth(1).innerText()).toMatch(new RegExp(`${C1}\\s+2\\s+2\\s+1\\s+1\\s+1`));
    await nurse.click('button.policy');
    await nurse.locator('button.policy', { hasText: '关闭每日健康申报' }).waitFor();
    expect(await noSideways(nurse)).toBe(true);

    // The guardian: the school asks for declarations now, and the read is listed with its reason.
    await mum.reload();
    await mum.locator('.health-child[data-student="s1"] .required').waitFor();
    await mum.locator('.health-child[data-student="s1"] details.medical summary').click();
    const reads = mum.locator('.health-child[data-student="s1"] .medical-reads li');
    await reads.first().waitFor();
    expect(await reads.count()).toBe(1);
    expect(await reads.first().innerText()).toMatch(/高老师（班主任）：晨检发热，确认过敏史/);
  }, 180_000);

  it('shows an approved visit pass as a QR image that decodes to the signed credential', async () => {
    const mum = await guardian(MUM);
    await mum.fill('#visit-form input[name=hostKey]', 't-gao');
    await mum.fill('#visit-form input[name=purpose]', '送药');
    await mum.click('#visit-form button[type=submit]');
    await mum.locator('#my-visits li .status-pending').waitFor();
    const id = (await cloud.db.query<{ id: string }>('SELECT id FROM hs_visit_requests')).rows[0]!.id;
    expect((await admin.call('POST', `/schools/${schoolId}/visit-requests/${id}/decision`, { approve: true })).status).toBe(200);
    await mum.reload();
    const img = mum.locator('#my-visits img.pass-qr');
    await img.waitFor();
    await mum.waitForFunction(() => {
      const i = document.querySelector('#my-visits img.pass-qr') as HTMLImageElement | null;
      return !!i && i.complete && i.naturalWidth > 0;
    });
    const credential = (await cloud.db.query<{ credential: string }>('SELECT credential FROM hs_visit_requests WHERE id = $1', [id])).rows[0]!.credential;
    // Rasterise the image as shown and decode it.
    const px = await mum.evaluate(() => {
      const i = document.querySelector('#my-visits img.pass-qr') as HTMLImageElement;
      const size = 600;
      const c = document.createElement('canvas');
      c.width = c.height = size;
      const g = c.getContext('2d')!;
      g.fillStyle = '#fff';
      g.fillRect(0, 0, size, size);
      g.imageSmoothingEnabled = false;
      g.drawImage(i, 0, 0, size, size);
      return Array.from(g.getImageData(0, 0, size, size).data);
    });
    const decoded = jsQR(Uint8ClampedArray.from(px), 600, 600);
    expect(decoded?.data).toBe(credential);
    expect(credential).toMatch(/^SC1:/);
    // Another family cannot fetch the image.
    expect((await fetch(`${cloud.url}/api/home/guardian/visits/${id}/qr.svg`)).status).toBe(401);
  }, 120_000);
});
