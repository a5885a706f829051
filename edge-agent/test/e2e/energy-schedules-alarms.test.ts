import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshots, startEnergyPanelEnv, type EnergyPanelEnv } from '../energy/helpers/panel.js';

/** 后勤 staff setting up the evening shut-off and the holidays, and answering an electrical alarm. */
let env: EnergyPanelEnv;

beforeAll(async () => {
  env = await startEnergyPanelEnv();
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe('schedules, calendar and alarms in Chromium', () => {
  it('creates "on school days at 18:30 switch off classroom lighting and AC, except booked rooms"', async () => {
    const page = await env.openAs('energy/schedules');
    await page.getByTestId('new-schedule').click();
    const form = page.getByTestId('schedule-form');
    await form.waitFor();
    await page.getByTestId('schedule-id').fill('evening-off');
    await page.getByTestId('schedule-name').fill('上学日18:30关教室灯和空调');
    await page.getByTestId('schedule-time').fill('18:30');
    await page.getByTestId('schedule-room-kinds').click();
    await page.locator('.ant-select-item-option', { hasText: '教室' }).first().click();
    await page.keyboard.press('Escape');
    await page.getByTestId('schedule-circuit-kinds').click();
    await page.locator('.ant-select-item-option', { hasText: '照明' }).click();
    await page.locator('.ant-select-item-option', { hasText: '空调' }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('schedule-except-booked').check();
    await page.getByTestId('schedule-save').click();
    await page.getByTestId('schedule-evening-off').waitFor();
    const row = page.locator('[data-testid=schedule-table] tbody tr', { hasText: '上学日18:30关教室灯和空调' });
    expect(await row.innerText()).toMatch(/18:30[\s\S]*上学日（含调休）[\s\S]*关闭[\s\S]*3 路[\s\S]*预约教室除外/);
    const saved = env.edge.energy.services!.schedules.get('evening-off');
    expect(saved).toMatchObject({ cron: '30 18 * * *', days: 'school', action: 'off', exceptBooked: true, target: { roomKinds: ['classroom'], circuitKinds: ['lighting', 'ac'] } });
    expect(env.edge.energy.services!.runner.nextRun('evening-off')).not.toBeNull();
  });

  it('refuses a bad cron expression with the reason', async () => {
    const page = await env.openAs('energy/schedules');
    await page.getByTestId('new-schedule').click();
    await page.getByTestId('schedule-id').fill('bad-one');
    await page.getByTestId('schedule-name').fill('错误的时间');
    await page.getByTestId('schedule-cron').fill('61 25 * * *');
    await page.getByTestId('schedule-save').click();
    await page.getByTestId('schedule-error').getByText(/定时表达式“61 25 \* \* \*”无效/).waitFor();
    expect(env.edge.energy.services!.schedules.get('bad-one')).toBeUndefined();
  });

  it('adds a holiday range to the school calendar', async () => {
    const page = await env.openAs('energy/schedules');
    await page.getByRole('tab', { name: '校历' }).click();
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(Date.now());
    const inDays = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    await page.getByTestId('calendar-from').fill(inDays(2));
    await page.getByTestId('calendar-to').fill(inDays(4));
    await page.getByTestId('calendar-name').fill('校庆放假');
    await page.getByTestId('calendar-add').click();
    await page.getByTestId(`calendar-entry-${inDays(2)}`).waitFor();
    await page.locator(`[data-testid=day-${inDays(3)}][data-school=false]`, { hasText: '校庆放假' }).waitFor();
    expect(env.edge.energy.services!.calendar.day(inDays(3))).toMatchObject({ school: false, holiday: true, name: '校庆放假' });
    await page.screenshot({ path: join(screenshots, 'energy-calendar.png'), fullPage: true });
  });

  it('an electrical alarm appears live, is acknowledged, and closes when it clears', async () => {
    const page = await env.openAs('energy/alarms');
    await page.getByTestId('energy-alarms').waitFor();
    env.detector.residualMa = 520;
    const text = page.getByTestId('alarm-text-residual_current');
    await text.getByText('配电箱探测器 剩余电流 520 mA，超过 300 mA，请立即排查漏电').waitFor();
    const alarm = env.edge.energy.services!.alarms.open().find((a) => a.rule === 'residual_current')!;
    await page.getByTestId(`ack-${alarm.id}`).click();
    await page.getByText('告警已确认').waitFor();
    await page.locator('[data-testid=alarm-table] tbody tr', { hasText: 'houqin 已确认' }).waitFor();
    expect(env.edge.energy.services!.alarms.get(alarm.id)).toMatchObject({ acknowledged: true, acknowledgedBy: 'houqin', state: 'active' });
    await page.screenshot({ path: join(screenshots, 'energy-alarms.png'), fullPage: true });
    // Leakage gone: the acknowledged alarm clears, closes and leaves the open list.
    env.detector.residualMa = 8;
    await page.getByTestId('alarm-text-residual_current').waitFor({ state: 'detached' });
    expect(env.edge.energy.services!.alarms.get(alarm.id)!.state).toBe('cleared');
  });
});
