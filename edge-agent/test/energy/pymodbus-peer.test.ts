import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startTestEdge, waitFor } from '../helpers/edge.js';
import { startPymodbusTcp, type PymodbusSlave as PymodbusTcpSlave } from '@campus/testkit';

type TestEdge = Awaited<ReturnType<typeof startTestEdge>>;

/**
 * The edge against Debian's python3-pymodbus: an SDM630's registers packed by
 * Python's struct (not by our encoder) and a plain coil board, over Modbus TCP.
 */
const FACILITY = { username: 'houqin', password: 'facility-pass-1', roles: ['facility' as const] };

let slave: PymodbusTcpSlave;
let edge: TestEdge;
let api: ApiClient;

beforeAll(async () => {
  slave = await startPymodbusTcp({
    '1': { input: { floats: { '0x0000': 231.5, '0x0006': 12.25, '0x0034': 4200, '0x0048': 12345.5 } } },
    '9': { coil: { bits: { '0': false, '1': false, '2': false, '3': false } } },
  });
  edge = await startTestEdge(
    {
      energy: {
        enabled: true,
        buildings: [{ id: 'lib', name: '图书馆' }],
        buses: [
          {
            id: 'py',
            transport: { kind: 'tcp', host: '127.0.0.1', port: slave.port },
            timeoutMs: 500,
            meters: [{ id: 'm-lib', unit: 1, model: 'eastron-sdm630', building: 'lib', points: ['voltage_l1', 'current_l1', 'power_active_total', 'energy_active_import_total'], intervals: { fastMs: 300, slowMs: 300 } }],
            relays: [{ id: 'py-board', unit: 9, channels: 4, profile: 'generic-coils' }],
          },
        ],
        circuits: [{ id: 'lib-light', name: '图书馆照明', building: 'lib', kind: 'lighting', relay: { board: 'py-board', channel: 3 } }],
        control: { retries: 1, retryDelayMs: 0, stateReadSeconds: 1 },
      },
    },
    { users: [FACILITY], energy: { pollTickMs: 50 } },
  );
  api = new ApiClient(edge.httpUrl);
  await api.login(FACILITY.username, FACILITY.password);
}, 40_000);

afterAll(async () => {
  await edge?.cleanup();
  await slave?.stop();
});

describe('the edge against python3-pymodbus', () => {
  it('reads an SDM630 register map served by pymodbus (sparse: the poller learns not to bridge its gaps)', async () => {
    type Live = { meters: Array<{ id: string; values: Record<string, { value: number }> }>; buildings: Array<{ id: string; powerW: number | null }> };
    const all = ['voltage_l1', 'current_l1', 'power_active_total', 'energy_active_import_total'];
    await waitFor(async () => {
      const m = ((await api.req('GET', '/api/energy/live')).json as Live).meters[0];
      return all.every((p) => m?.values[p] !== undefined);
    }, 10_000, 100);
    const live = (await api.req('GET', '/api/energy/live')).json as Live;
    expect(live.meters[0]!.values.voltage_l1!.value).toBeCloseTo(231.5, 3);
    expect(live.meters[0]!.values.current_l1!.value).toBeCloseTo(12.25, 3);
    expect(live.meters[0]!.values.energy_active_import_total!.value).toBeCloseTo(12345.5, 1);
    expect(live.buildings.find((b) => b.id === 'lib')!.powerW).toBe(4200);
  });

  it('switches a circuit on a pymodbus coil board and reads it back', async () => {
    const r = await api.req('POST', '/api/energy/circuits/lib-light/switch', { on: true, holdMinutes: 0 });
    expect(r.json.result).toMatchObject({ outcome: 'confirmed', actual: true });
    const off = await api.req('POST', '/api/energy/circuits/lib-light/switch', { on: false, holdMinutes: 0 });
    expect(off.json.result).toMatchObject({ outcome: 'confirmed', actual: false });
  });
});
