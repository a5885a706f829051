import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoEnergy } from '../../src/energy/demo/demo-energy.js';
import { ApiClient, startTestEdge, waitFor } from '../helpers/edge.js';

type TestEdge = Awaited<ReturnType<typeof startTestEdge>>;
type Live = { buildings: Array<{ id: string; powerW: number | null }>; meters: Array<{ id: string; values: Record<string, { value: number | null; at: number }> }> };

/** What a newcomer sees in the demo: live meters in every building, and circuits that really switch the load. */
const FACILITY = { username: 'houqin', password: 'facility-pass-1', roles: ['facility' as const] };

let demo: DemoEnergy;
let edge: TestEdge;
let api: ApiClient;

beforeAll(async () => {
  demo = await DemoEnergy.start();
  const config = { ...demo.config, buses: demo.config.buses.map((b) => ({ ...b, meters: b.meters.map((m) => ({ ...m, intervals: { fastMs: 300, slowMs: 600 } })) })) };
  edge = await startTestEdge({ energy: config }, { users: [FACILITY], energy: { pollTickMs: 50 } });
  api = new ApiClient(edge.httpUrl);
  await api.login(FACILITY.username, FACILITY.password);
}, 30_000);

afterAll(async () => {
  await edge?.cleanup();
  await demo?.stop();
});

describe('the demo campus electricity', () => {
  it('polls every simulated meter with no configuration problems', async () => {
    expect((await api.req('GET', '/api/energy/overview')).json.issues).toEqual([]);
    await waitFor(async () => {
      const live = (await api.req('GET', '/api/energy/live')).json as Live;
      return live.buildings.every((b) => b.powerW !== null && b.powerW > 0);
    }, 15_000, 200);
    const devices = (await api.req('GET', '/api/energy/devices')).json.devices as Array<{ deviceId: string; reachable: boolean | null }>;
    expect(devices.length).toBeGreaterThanOrEqual(14);
  });

  it('switching a classroom air-conditioner off takes its load off the room meter', async () => {
    await api.req('POST', '/api/energy/circuits/t101-ac/switch', { on: true, holdMinutes: 0 });
    await api.req('POST', '/api/energy/circuits/t101-lighting/switch', { on: true, holdMinutes: 0 });
    const power = async () => {
      const live = (await api.req('GET', '/api/energy/live')).json as Live;
      return live.meters.find((m) => m.id === 'm-t101')!.values.power_active_total!;
    };
    const t0 = Date.now();
    await waitFor(async () => (await power()).at > t0 + 600, 5000, 100);
    const withAc = (await power()).value!;
    const off = await api.req('POST', '/api/energy/circuits/t101-ac/switch', { on: false, holdMinutes: 0 });
    expect(off.json.result.outcome).toBe('confirmed');
    const t1 = Date.now();
    await waitFor(async () => (await power()).at > t1 + 600, 5000, 100);
    expect((await power()).value!).toBeLessThan(withAc * 0.6);
  });
});
