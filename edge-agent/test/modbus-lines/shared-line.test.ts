import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exceptionPdu, SimulatedMeter, SimulatedModbusLine, startRtuSerialSlave, type RtuSerialSlave, type SimRequest } from '@campus/device-drivers/modbus/sim/index';
import { openPtyPair, type PtyPair } from '@campus/testkit';
import { RelayBoardSimulator } from '@campus/device-drivers/turnstile/index';
import type { AccessConfigInput } from '../../src/access/config.js';
import { EnergyConfigSchema, type EnergyConfigInput } from '../../src/energy/config.js';
import { edgeModbusLines } from '../../src/modbus-lines/index.js';
import { TestIssuer, ZONES } from '../access/helpers.js';
import { startTestEdge, waitFor } from '../helpers/edge.js';

/**
 * ONE simulated RS-485 line (a socat pty pair, replies paced at 9600 baud) carrying a
 * gate relay board (unit 1) and an energy meter (unit 10). The edge is configured the
 * way a school writes it: access.relayBuses and energy.buses both name the same
 * serial path; the edge runs one master on it.
 */
const POINTS = ['voltage_l1', 'current_l1', 'power_active_total', 'energy_active_import_total'];
type TestEdge = Awaited<ReturnType<typeof startTestEdge>>;

function accessConfig(path: string, keysDir: string): Partial<AccessConfigInput> {
  return {
    keysDir,
    zones: ZONES,
    gates: [{ id: 'east', no: 1, name: '东门', zone: 'campus', turnstile: { board: 'b1', in: 0, out: 1, pulseMs: 300 } }],
    relayBuses: [{ id: 'rs485', link: { kind: 'rtu', path, baudRate: 9600 }, timeoutMs: 200 }],
    relayBoards: [{ id: 'b1', bus: 'rs485', unitId: 1, channels: 8, pulseMode: 'flash' }],
  };
}

function energyConfig(path: string, baudRate = 9600): EnergyConfigInput {
  return {
    enabled: true,
    buildings: [{ id: 'gatehouse', name: '门卫室' }],
    buses: [
      {
        id: 'gate-meters',
        transport: { kind: 'rtu', path, baudRate },
        timeoutMs: 200,
        meters: [{ id: 'm-gate', name: '东门配电', unit: 10, model: 'eastron-sdm630', building: 'gatehouse', points: POINTS, intervals: { fastMs: 100, slowMs: 200 } }],
      },
    ],
  };
}

async function startEdge(path: string, energy: EnergyConfigInput) {
  const keys = mkdtempSync(join(tmpdir(), 'campus-keys-'));
  new TestIssuer().install(keys);
  const edge = await startTestEdge({ access: accessConfig(path, keys), energy }, { energy: { pollTickMs: 50 } });
  return { edge, cleanup: async () => (await edge.cleanup(), rmSync(keys, { recursive: true, force: true })) };
}

describe('a gate relay board and a meter on one RS-485 line', () => {
  let pty: PtyPair;
  let line: SimulatedModbusLine;
  let slave: RtuSerialSlave;
  let board: RelayBoardSimulator;
  let edge: TestEdge;
  let stopEdge: () => Promise<void>;
  const requests: SimRequest[] = [];

  beforeAll(async () => {
    pty = await openPtyPair({ name: 'gate-line' });
    board = new RelayBoardSimulator({ unitId: 1, channels: 8, inputs: 8 });
    line = new SimulatedModbusLine({ baudRate: 9600, turnaroundMs: 3 });
    line.add({ unit: 1, handle: (pdu) => board.handle(1, pdu) ?? exceptionPdu(pdu[0] ?? 0, 4), close: () => board.close() }, new SimulatedMeter({ unit: 10, model: 'eastron-sdm630' }));
    line.on('request', (r) => requests.push(r));
    slave = await startRtuSerialSlave(line, { path: pty.b, baudRate: 9600 });
    ({ edge, cleanup: stopEdge } = await startEdge(pty.a, energyConfig(pty.a)));
  }, 30_000);

  afterAll(async () => {
    await stopEdge?.();
    await slave?.close();
    line?.close();
    await pty?.close();
  });

  const field = () => edge.energy.services!.field;
  const hardware = () => edge.access.hardware!;

  it('runs one master for both config entries and polls the meter', async () => {
    expect(edgeModbusLines.lines()).toEqual([{ link: pty.a, busId: 'rs485', users: ['access.relayBuses[0]', 'energy.buses[0]'] }]);
    await waitFor(() => field().devices().find((d) => d.deviceId === 'm-gate')?.stats?.lastGoodReadAt != null, 10_000);
    // The panel keeps calling the energy bus by its own id.
    expect(field().busStatus()).toEqual([expect.objectContaining({ busId: 'gate-meters', state: 'open' })]);
  });

  it('serves a gate pulse ahead of meter polls already queued, then the polls', async () => {
    // A burst of meter polls waits on the line when the gate is opened.
    const polls = [field().pollAllNow(), field().pollAllNow(), field().pollAllNow()];
    expect(field().busStatus()[0]!.queued).toBeGreaterThanOrEqual(3);
    const mark = requests.length;
    const opening = await hardware().open('east', 'in', { scanId: 'shared-line' })!;
    await Promise.all(polls);
    expect(opening).toMatchObject({ result: 'pulsed', error: null });
    expect(board.pulses.at(-1)).toMatchObject({ channel: 0, ms: 300, via: 'flash' });

    const after = requests.slice(mark);
    const pulseAt = after.findIndex((r) => r.unit === 1 && r.functionCode === 5);
    expect(pulseAt).toBeGreaterThanOrEqual(0);
    // At most the one meter transaction already on its way went first...
    expect(after.slice(0, pulseAt).filter((r) => r.unit === 10).length).toBeLessThanOrEqual(1);
    // ...and the queued polls it overtook followed.
    expect(after.slice(pulseAt + 1).filter((r) => r.unit === 10).length).toBeGreaterThanOrEqual(2);
  });

  it('a corrupt reply or an exception from the relay board fails the pulse clearly; the line keeps serving the meter', async () => {
    line.setFaults(1, { crcErrors: 1 });
    const corrupt = await hardware().open('east', 'in', { scanId: 'crc' })!;
    expect(corrupt).toMatchObject({ result: 'relay-failed', error: { code: 'modbus.crc_error' } });
    expect(corrupt.error!.message).toMatch(/failed its CRC check; check wiring/);

    line.setFaults(1, { exception: 4 });
    const refused = await hardware().open('east', 'in', { scanId: 'exception' })!;
    expect(refused).toMatchObject({ result: 'relay-failed', error: { code: 'modbus.exception.4' } });
    expect(refused.error!.message).toMatch(/internal failure \(exception 4\)/);
    line.clearFaults(1);

    const before = field().devices().find((d) => d.deviceId === 'm-gate')!.stats!.responses;
    await waitFor(() => field().devices().find((d) => d.deviceId === 'm-gate')!.stats!.responses >= before + 3, 10_000);
    expect(field().devices().find((d) => d.deviceId === 'm-gate')).toMatchObject({ reachable: true, stats: expect.objectContaining({ state: 'online', busId: 'gate-meters' }) });
    expect(await hardware().open('east', 'out', { scanId: 'after' })).toMatchObject({ result: 'pulsed' });
  });

  it('keeps the gate working after the energy side stops, and closes the line when the gates stop too', async () => {
    await edge.energy.stop();
    expect(edgeModbusLines.lines()).toEqual([{ link: pty.a, busId: 'rs485', users: ['access.relayBuses[0]'] }]);
    expect(await hardware().open('east', 'in', { scanId: 'alone' })).toMatchObject({ result: 'pulsed' });
    await stopEdge();
    stopEdge = async () => undefined;
    expect(edgeModbusLines.lines()).toEqual([]);
  });
});

describe('two config entries that disagree about one line', () => {
  it('refuses the later one with both keys named, in Chinese and English; the gates keep the line', async () => {
    const pty = await openPtyPair({ name: 'conflict' });
    // Written into one configuration file, the daemon does not start at all and says which keys disagree.
    await expect(startEdge(pty.a, energyConfig(pty.a, 19200))).rejects.toThrow(/energy\.buses\.0[\s\S]*access\.relayBuses\[0\]（RTU, 9600 8N1）和 energy\.buses\[0\]（RTU, 19200 8N1）/);
    // Energy configuration handed over at run time (as the demo does) is refused there, and the gates keep the line.
    const { edge, cleanup } = await startEdge(pty.a, { enabled: false });
    try {
      await edge.loadDomain('energy'); // off in the config: loaded when first needed
      await edge.energy.startWith(EnergyConfigSchema.parse(energyConfig(pty.a, 19200)));
      const issue = edge.energy.services!.field.issues.find((i) => i.subject === 'gate-meters');
      expect(issue).toMatchObject({ code: 'modbus.line_conflict' });
      expect(issue!.text.en).toContain('access.relayBuses[0] (RTU, 9600 8N1) and energy.buses[0] (RTU, 19200 8N1)');
      expect(issue!.text['zh-CN']).toContain('在 access.relayBuses[0]（RTU, 9600 8N1）和 energy.buses[0]（RTU, 19200 8N1）中的设置不一致');
      expect(edgeModbusLines.lines()).toEqual([{ link: pty.a, busId: 'rs485', users: ['access.relayBuses[0]'] }]);
    } finally {
      await cleanup();
      await pty.close();
    }
  }, 30_000);
});
