import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { EnergyConfigInput } from '../../../src/energy/config.js';
import { SAFETY_DETECTOR_MAP, SimulatedSafetyDetector } from '../../../src/energy/demo/safety-detector.js';
import { startTestEdge } from '../../helpers/edge.js';
import { startSimCampus, type SimCampus } from './campus-sim.js';

/**
 * The energy pages as facility staff use them: Debian's Chromium against a real edge
 * serving the built panel, meters, a relay board and a fire detector simulated behind
 * Modbus TCP. Needs `npm run build` first.
 */
const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const panelDir = join(repoRoot, 'web-panel', 'dist');
export const screenshots = join(repoRoot, 'test-results', 'screenshots');

export const FACILITY = { username: 'houqin', password: 'facility-pass-1', displayName: '后勤李老师' };
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface EnergyPanelEnv {
  edge: Awaited<ReturnType<typeof startTestEdge>>;
  sim: SimCampus;
  detector: SimulatedSafetyDetector;
  browser: Browser;
  /** A fresh profile, signed in as the facility user, on the given page (#/energy/...). */
  openAs(path: string): Promise<Page>;
  close(): Promise<void>;
}

function energy(port: number): EnergyConfigInput {
  return {
    enabled: true,
    buildings: [
      { id: 'teach', name: '教学楼' },
      { id: 'lab', name: '实验楼' },
    ],
    rooms: [
      { id: 'r101', name: '101教室', building: 'teach', kind: 'classroom' },
      { id: 'r102', name: '102教室', building: 'teach', kind: 'classroom' },
      { id: 'lab1', name: '物理实验室', building: 'lab', kind: 'lab' },
    ],
    maps: [SAFETY_DETECTOR_MAP],
    buses: [
      {
        id: 'gw',
        transport: { kind: 'tcp', host: '127.0.0.1', port },
        timeoutMs: 300,
        meters: [
          { id: 'm-teach', name: '教学楼总表', unit: 1, model: 'eastron-sdm630', building: 'teach', points: ['voltage_l1', 'voltage_l2', 'voltage_l3', 'current_l1', 'power_active_total', 'energy_active_import_total'], intervals: { fastMs: 500, slowMs: 1000 } },
          { id: 'm-lab1', name: '实验室电表', unit: 2, model: 'eastron-sdm120', building: 'lab', room: 'lab1', intervals: { fastMs: 500, slowMs: 1000 } },
          { id: 'fd-1', name: '配电箱探测器', unit: 3, model: 'school-fire-detector', building: 'teach', detector: true, intervals: { fastMs: 500 } },
        ],
        relays: [{ id: 'relay-a', name: '教学楼继电器箱', unit: 10, channels: 8 }],
      },
    ],
    circuits: [
      { id: 'r101-light', name: '101照明', building: 'teach', room: 'r101', kind: 'lighting', relay: { board: 'relay-a', channel: 1 } },
      { id: 'r101-ac', name: '101空调', building: 'teach', room: 'r101', kind: 'ac', relay: { board: 'relay-a', channel: 2 } },
      { id: 'r102-light', name: '102照明', building: 'teach', room: 'r102', kind: 'lighting', relay: { board: 'relay-a', channel: 3 } },
      { id: 'lab1-socket', name: '实验台电源', building: 'lab', room: 'lab1', kind: 'socket', relay: { board: 'relay-a', channel: 4 } },
    ],
    control: { retries: 1, retryDelayMs: 0, stateReadSeconds: 1, overrideDefaultMinutes: 60 },
    alarms: { raiseAfterSeconds: 0, clearAfterSeconds: 0 },
  };
}

export async function startEnergyPanelEnv(): Promise<EnergyPanelEnv> {
  if (!existsSync(join(panelDir, 'index.html'))) {
    throw new Error(`The panel is not built (${panelDir} has no index.html): run "npm run build" first.`);
  }
  mkdirSync(screenshots, { recursive: true });
  const sim = await startSimCampus({ meters: [{ unit: 1, model: 'eastron-sdm630', baseLoadW: 3000 }, { unit: 2, model: 'eastron-sdm120', baseLoadW: 800 }], relays: [{ unit: 10, channels: 8 }] });
  const detector = new SimulatedSafetyDetector(3);
  sim.line.add(detector);
  const edge = await startTestEdge(
    { site: { id: 'demo-school', name: '示范中学' }, http: { host: '127.0.0.1', port: 0, panelDir }, energy: energy(sim.slave.port) },
    { users: [{ username: FACILITY.username, password: FACILITY.password, roles: ['facility'], displayName: FACILITY.displayName }], energy: { pollTickMs: 100 } },
  );
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];
  return {
    edge,
    sim,
    detector,
    browser,
    async openAs(path: string) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN', reducedMotion: 'reduce' });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(edge.httpUrl);
      await page.locator('#username').fill(FACILITY.username);
      await page.locator('#password').fill(FACILITY.password);
      await page.locator('button[type=submit]').click();
      await page.getByTestId('site-name').waitFor();
      await page.goto(`${edge.httpUrl}/#/${path}`);
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await edge.cleanup();
      await sim.close();
    },
  };
}
