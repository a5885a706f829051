import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsAfter, waitFor } from '../access/rig.js';
import { GUARD, menuItems, shot, signIn, startAccessPanelEnv, type AccessPanelEnv } from './access-panel-env.js';

/**
 * The guard at the east gate on a tablet: scans arrive live, a refusal is let through by
 * hand with a reason the edge records, a fire alarm cannot be missed, and a reader that
 * drops off the line shows on the status page. Real readers (pty), relay board (Modbus
 * RTU over pty), edge and Chromium.
 */
let env: AccessPanelEnv;
let page: Page;

beforeAll(async () => {
  env = await startAccessPanelEnv('2026-09-07T07:10:00'); // a Monday morning
  await env.seedSchool();
  page = await env.openPanel();
  await signIn(page, GUARD);
}, 90_000);

afterAll(async () => {
  await env?.close();
});

const hero = () => page.getByTestId('decision-hero');
/** Openings of one relay channel (0 = east IN, 1 = east OUT). */
const pulses = (channel: number) => env.rig.board.pulses.filter((p) => p.channel === channel && p.via === 'flash').length;

describe('门岗实时 in Chromium: the guard at the east gate', () => {
  it('shows the guard the pages of the security role', async () => {
    expect(await menuItems(page)).toEqual(['实时事件', '门岗实时', '请假与通行证', '今日考勤', '闸机状态', '报修', '我的工单']);
    // The guard lands here after sign-in; the menu item opens it too.
    expect(page.url()).toMatch(/#\/access\/live$/);
    await page.getByTestId('main-menu').getByText('门岗实时', { exact: true }).click();
    expect(page.url()).toMatch(/#\/access\/live$/);
    await page.getByTestId('decision-waiting').getByText('等待刷卡…').waitFor();
  });

  it('shows a scan the moment it happens: photo, name, class, 通过, reason, gate and direction', async () => {
    const granted = await env.scan('east-in', env.issuer.card('2026010001'));
    expect(granted.reason).toBe('access.granted');
    await page.locator(`[data-testid=decision-hero][data-decision-id="${granted.id}"]`).waitFor();
    expect(await hero().getAttribute('data-granted')).toBe('true');
    expect(await hero().getByTestId('decision-name').innerText()).toBe('张三');
    expect(await hero().innerText()).toContain('初一 1班');
    expect(await hero().getByTestId('decision-verdict').innerText()).toContain('通过');
    expect(await hero().getByTestId('decision-reason').innerText()).toBe('张三（初一 1班）通过东门');
    expect(await hero().getByTestId('decision-gate').innerText()).toBe('东门 · 进');
    // School time, whatever zone the tablet is set to (this browser runs in UTC).
    expect(await hero().innerText()).toMatch(/07:10:\d\d/);
    // No photo on the edge for this student: the placeholder stands in.
    await hero().getByTestId('person-photo-placeholder').waitFor();
    await waitFor(() => pulses(0) === 1, 'east IN pulse');
    await shot(page, 'access-live-granted');
  });

  it('lets a refused student through by hand, with the reason recorded by the edge', async () => {
    env.clock.set('2026-09-07T10:00:00'); // school hours
    const refused = await env.scan('east-out', env.issuer.card('2026010001'));
    expect(refused.reason).toBe('access.school_hours');
    await page.locator(`[data-testid=decision-hero][data-decision-id="${refused.id}"][data-granted=false]`).waitFor();
    expect(await hero().getByTestId('decision-verdict').innerText()).toContain('拒绝');
    expect(await hero().getByTestId('decision-reason').innerText()).toBe('上课时间，张三（初一 1班）没有已批准的请假，不能离校');
    expect(await hero().getByTestId('decision-gate').innerText()).toBe('东门 · 出');
    // The earlier entry moved into the list below.
    await page.getByTestId('decision-list').getByTestId('decision-name').getByText('张三').waitFor();
    expect(pulses(1)).toBe(0);
    await shot(page, 'access-live-refused');

    await hero().getByTestId('decision-override').click();
    const dialog = page.getByTestId('override-dialog');
    await dialog.getByText('上课时间，张三（初一 1班）没有已批准的请假，不能离校', { exact: false }).waitFor();
    // No reason, no opening.
    const before = env.edge.store.events.lastSeq();
    await page.getByTestId('override-dialog-submit').click();
    await dialog.getByText('请填写原因').waitFor();
    expect(eventsAfter(env.edge, before, 'access.decision')).toEqual([]);
    await shot(page, 'access-override-dialog');

    const why = '家长到校接走，已电话确认';
    await page.getByTestId('override-dialog-why').fill(why);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/access/gates/east/open') && r.request().method() === 'POST'),
      page.getByTestId('override-dialog-submit').click(),
    ]);
    expect(response.status()).toBe(201);

    // The edge recorded who and why, linked to the refusal, and pulsed the OUT relay.
    const override = eventsAfter(env.edge, before, 'access.decision').find((e) => e.reason === 'access.override')!;
    expect(override.data).toMatchObject({ granted: true, gate: 'east', direction: 'out', personId: '2026010001', overrideBy: GUARD.username, overrideWhy: why, overriddenDecision: refused.id });
    await waitFor(() => pulses(1) === 1, 'east OUT pulse');
    const audit = env.edge.store.audit.list(20).find((a) => a.action === 'access.gate.override');
    expect(audit).toMatchObject({ actor: GUARD.username });

    // On screen: the override on top, the refusal below marked as answered, no second button.
    await page.locator(`[data-testid=decision-hero][data-decision-id="${override.id}"][data-granted=true]`).waitFor();
    expect(await hero().innerText()).toContain('人工放行');
    expect(await hero().getByTestId('decision-reason').innerText()).toBe(`${GUARD.username} 手动放行东门：${why}`);
    const answered = page.locator(`[data-testid=decision-row][data-decision-id="${refused.id}"]`);
    expect(await answered.getByTestId('decision-answered').innerText()).toContain(`${GUARD.username} 已放行：${why}`);
    expect(await answered.getByTestId('decision-override').count()).toBe(0);
    await page.getByTestId('override-dialog').waitFor({ state: 'hidden' });
    await shot(page, 'access-live-override');
  });

  it('filters by gate, remembers the gate on this tablet, and switches to English', async () => {
    await page.getByTestId('gate-filter').getByText('北门', { exact: true }).click();
    await page.getByTestId('decision-waiting').getByText('此闸机还没有通行记录').waitFor();
    const late = await env.scan('north-in', env.issuer.card('2026010002'));
    expect(late.reason).toBe('access.granted');
    await page.locator(`[data-testid=decision-hero][data-decision-id="${late.id}"]`).waitFor();
    expect(await page.getByTestId('decision-row').count()).toBe(0); // the east gate's decisions are hidden

    await page.reload();
    await page.locator(`[data-testid=decision-hero][data-decision-id="${late.id}"]`).waitFor();
    await page.getByTestId('gate-filter').locator('.ant-segmented-item-selected', { hasText: '北门' }).waitFor();

    await page.getByText('English', { exact: true }).click();
    expect(await hero().getByTestId('decision-verdict').innerText()).toContain('Granted');
    expect(await hero().getByTestId('decision-reason').innerText()).toBe('李四（初一 1班） passed 北门');
    expect(await hero().getByTestId('decision-gate').innerText()).toBe('北门 · In');
    await shot(page, 'access-live-en');
    await page.getByText('中文', { exact: true }).click();
    await page.getByTestId('gate-filter').getByText('全部闸机', { exact: true }).click();
    // The list fills again once the filter is off (the rows render after the click returns).
    await expect.poll(() => page.getByTestId('decision-row').count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
  });

  it('puts an active fire alarm on top of the page, and the guard clears it with a reason', async () => {
    const on = await env.admin.req('POST', '/api/access/fire-alarm', { active: true, why: '消防演练' });
    expect(on.json.fireAlarm.active).toBe(true);
    const banner = page.getByTestId('fire-banner');
    await banner.getByText('消防联动中：全部闸机常开').waitFor();
    await shot(page, 'access-live-fire');

    await page.getByTestId('fire-clear').click();
    await page.getByTestId('fire-dialog-why').fill('演练结束');
    await page.getByTestId('fire-dialog-submit').click();
    await banner.waitFor({ state: 'detached' });
    const gates = await env.admin.req('GET', '/api/access/gates');
    expect(gates.json.fireAlarm.active).toBe(false);
    const cleared = env.edge.store.events.list({ typePrefix: 'access.fire_alarm' })[0]!;
    expect(cleared).toMatchObject({ reason: 'access.fire_alarm.cleared', source: `guard:${GUARD.username}` });
  });

  it('reads on a portrait tablet', async () => {
    const tablet = await env.openPanel({ width: 820, height: 1180 });
    await signIn(tablet, GUARD);
    await tablet.evaluate(() => (window.location.hash = '/access/live'));
    await tablet.getByTestId('decision-hero').waitFor();
    const box = await tablet.getByTestId('decision-hero').boundingBox();
    expect(box!.width).toBeLessThanOrEqual(820);
    await shot(tablet, 'access-live-portrait');
  });

  it('shows each reader online or not on 闸机状态, live as a reader drops off and comes back', async () => {
    await page.getByText('闸机状态', { exact: true }).click();
    await page.getByTestId('readers-online').getByText('读卡器在线 3/3').waitFor();
    expect(await page.locator('[data-testid=reader-link-east-in]').getAttribute('data-state')).toBe('open');
    expect(await page.getByTestId('reader-east-in').innerText()).not.toContain('从未刷卡');
    expect(await page.getByTestId('gate-east').getAttribute('data-health')).toBe('ok');

    const reader = env.rig.readers.get('east-out')!;
    await reader.line.unplug();
    await page.locator('[data-testid=reader-link-east-out]:not([data-state=open])').waitFor();
    await page.getByTestId('readers-online').getByText('读卡器在线 2/3').waitFor();
    expect(await page.getByTestId('gate-east').getAttribute('data-health')).toBe('degraded');
    await shot(page, 'access-gates-reader-down');

    await reader.line.replug();
    await page.locator('[data-testid=reader-link-east-out][data-state=open]').waitFor({ timeout: 20_000 });
    await page.getByTestId('readers-online').getByText('读卡器在线 3/3').waitFor();
    await shot(page, 'access-gates');
  }, 60_000);
});
