import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TelemetryStore } from '../../src/energy/telemetry/telemetry-store.js';
import { SchoolTime } from '../../src/school/time.js';
import { screenshots, startEnergyPanelEnv, type EnergyPanelEnv } from '../energy/helpers/panel.js';

/** 后勤 staff watching the campus: live power by building, charts by hour/day/month, the after-hours waste report. */
let env: EnergyPanelEnv;

beforeAll(async () => {
  env = await startEnergyPanelEnv();
  // Yesterday and today as the recorder would have rolled them up: daytime use and lights left on at night.
  const zone = new SchoolTime('Asia/Shanghai');
  const ts = new TelemetryStore(env.edge.store.db);
  const teach = ts.meterIndex('m-teach');
  const lab = ts.meterIndex('m-lab1');
  const today = zone.startOfDay(Date.now());
  for (const dayStart of [today - 86_400_000, today]) {
    const hours = [];
    for (let h = 0; h < 24; h++) {
      const after = h < 7 || h >= 19;
      hours.push({ hour: (dayStart + h * 3_600_000) / 3_600_000, meter: teach, wh: after ? 2000 : 6000, whAfter: after ? 2000 : 0, wAvg: 4000, wMax: 6000, minutes: 60 });
      hours.push({ hour: (dayStart + h * 3_600_000) / 3_600_000, meter: lab, wh: after ? 500 : 1500, whAfter: after ? 500 : 0, wAvg: 1000, wMax: 1500, minutes: 60 });
    }
    const key = zone.parts(dayStart).dayKey;
    ts.write({
      raw: [],
      minutes: [],
      hours,
      days: [
        { day: key, meter: teach, wh: hours.filter((x) => x.meter === teach).reduce((a, x) => a + x.wh, 0), whAfter: 12 * 2000, wMax: 6000 },
        { day: key, meter: lab, wh: hours.filter((x) => x.meter === lab).reduce((a, x) => a + x.wh, 0), whAfter: 12 * 500, wMax: 1500 },
      ],
      baselines: [],
      at: dayStart,
    });
  }
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe('energy pages in Chromium: live, charts, waste', () => {
  it('shows the energy menu and live power per building from the simulated meters', async () => {
    const page = await env.openAs('energy/live');
    const menu = await page.locator('[data-testid=main-menu] .ant-menu-title-content').allInnerTexts();
    expect(menu).toEqual(expect.arrayContaining(['实时用电', '用电统计', '非工作时间用电', '回路控制', '定时与校历', '用电告警']));
    await page.getByTestId('energy-live').waitFor();
    await page.locator('[data-testid=building-power-teach]', { hasText: 'kW' }).waitFor();
    await page.locator('[data-testid=building-power-lab]', { hasText: 'kW' }).waitFor();
    await page.locator('[data-testid=meter-table] tbody tr', { hasText: '教学楼总表' }).waitFor();
    await page.locator('[data-testid=meter-status-m-teach]', { hasText: '在线' }).waitFor();
    expect(await page.locator('[data-testid=live-chart] canvas').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(screenshots, 'energy-live.png'), fullPage: true });
  });

  it('draws energy by day and by hour, per building', async () => {
    const page = await env.openAs('energy/charts');
    await page.getByTestId('energy-charts').waitFor();
    await page.locator('[data-testid=energy-chart] canvas').waitFor();
    // Campus over the last 30 days: the two seeded days, teaching 96 + lab 24 kWh each.
    await page.locator('[data-testid=chart-total]', { hasText: '合计 240.0 kWh，其中非工作时间 60.0 kWh' }).waitFor();
    await page.getByTestId('chart-granularity').getByText('按小时').click();
    await page.locator('[data-testid=chart-total]', { hasText: '合计 120.0 kWh' }).waitFor();
    await page.getByTestId('chart-scope').click();
    await page.locator('.ant-select-item-option', { hasText: '按楼栋对比' }).click();
    await page.locator('[data-testid=chart-total]', { hasText: '合计 120.0 kWh' }).waitFor();
    await page.locator('[data-testid=energy-chart] canvas').waitFor();
    await page.screenshot({ path: join(screenshots, 'energy-charts.png'), fullPage: true });
  });

  it('reports energy used after hours, costed with the peak/valley tariff', async () => {
    const page = await env.openAs('energy/waste');
    await page.getByTestId('energy-waste').waitFor();
    // 2 days × 12 after-hours hours × 2.5 kWh = 60 kWh; default tariff: 19-21 peak (1.0), 21-22 flat (0.65), 22-06 valley (0.35), 06-07 flat.
    const summary = page.getByTestId('waste-summary');
    await summary.getByText(/非工作时间用电 60\.0 kWh/).waitFor();
    const cost = 2 * (2 * 2.5 * 1.0 + 1 * 2.5 * 0.65 + 8 * 2.5 * 0.35 + 1 * 2.5 * 0.65);
    expect(await summary.innerText()).toContain(`¥${cost.toFixed(2)}`);
    expect(await page.getByTestId('waste-cost-teach').innerText()).toBe(`¥${((cost * 2) / 2.5).toFixed(2)}`);
    await page.screenshot({ path: join(screenshots, 'energy-waste.png'), fullPage: true });
  });
});
