import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/edge.js';
import { screenshots, startEnergyPanelEnv, type EnergyPanelEnv } from '../energy/helpers/panel.js';

/** 后勤 staff switching circuits: one at a time, and a whole building after confirming. */
let env: EnergyPanelEnv;

beforeAll(async () => {
  env = await startEnergyPanelEnv();
}, 60_000);

afterAll(async () => {
  await env?.close();
});

const relay = (ch: number) => env.sim.relay(10).states[ch - 1];

describe('circuits page in Chromium', () => {
  it('switches one circuit, which holds schedules off and shows who did it', async () => {
    const page = await env.openAs('energy/circuits');
    await page.locator('[data-testid=circuit-r101-light][data-on=false]').waitFor();
    await page.getByTestId('switch-r101-light').click();
    await page.locator('[data-testid=circuit-r101-light][data-on=true]').waitFor();
    expect(relay(1)).toBe(true);
    await page.getByTestId('hold-r101-light').getByText(/手动保持至 .*（houqin）/).waitFor();
    await page.getByTestId('circuit-r101-light').getByText(/由 houqin：panel/).waitFor();
    await page.getByText('101照明 已开').waitFor();
    await page.screenshot({ path: join(screenshots, 'energy-circuits.png'), fullPage: true });
  });

  it('asks before switching a whole building, and does nothing when cancelled', async () => {
    env.sim.relay(10).states.fill(true, 0, 3);
    const page = await env.openAs('energy/circuits');
    await page.locator('[data-testid=circuit-r102-light][data-on=true]').waitFor();
    await page.getByTestId('all-off-teach').click();
    const dialog = page.locator('.ant-modal', { hasText: '确认关闭教学楼的全部 3 路回路？' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: /取\s*消/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect([relay(1), relay(2), relay(3)]).toEqual([true, true, true]);

    await page.getByTestId('all-off-teach').click();
    await dialog.waitFor();
    await page.getByTestId('confirm-building-ok').click();
    await page.getByText('已切换 3 路，0 路失败').waitFor();
    expect([relay(1), relay(2), relay(3)]).toEqual([false, false, false]);
    expect(relay(4)).toBe(false); // the lab is another building
    await page.locator('[data-testid=circuit-r102-light][data-on=false]').waitFor();
    const audit = env.edge.store.audit.list(50).filter((a) => a.action === 'energy.circuit.switch.bulk');
    expect(audit[0]).toMatchObject({ actor: 'houqin', detail: { body: { on: false, target: { buildings: ['teach'] }, confirm: true } } });
  });

  it('shows a relay that does not follow its command', async () => {
    env.sim.relay(10).stuck.add(3); // channel 4
    const page = await env.openAs('energy/circuits');
    await page.locator('[data-testid=circuit-lab1-socket][data-on=false]').waitFor();
    await page.getByTestId('switch-lab1-socket').click();
    await page.getByText(/实验台电源 切换失败/).waitFor();
    await page.getByTestId('mismatch-lab1-socket').waitFor();
    await waitFor(() => env.edge.energy.services!.alarms.open().some((a) => a.rule === 'circuit_mismatch' && a.subject === 'lab1-socket'));
    env.sim.relay(10).stuck.clear();
  });
});
