import { afterEach, describe, expect, it } from 'vitest';
import { ModbusBus } from '../../src/modbus/bus.js';
import { ModbusError } from '../../src/modbus/errors.js';
import { SimulatedModbusLine } from '../../src/modbus/sim/line.js';
import { SimulatedMeter } from '../../src/modbus/sim/meter-sim.js';
import { SimulatedRelayBoard } from '../../src/modbus/sim/relay-sim.js';
import { startRtuSerialSlave } from '../../src/modbus/sim/serial-slave.js';
import { Cleanup } from './helpers/cleanup.js';
import { ptyPair } from './helpers/ptyPair.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof ModbusError) return e.reason;
    throw e;
  }
}

// A gate relay board and a meter on one RS-485 pair want different things of the bus.
describe('per-device policy on a shared line (socat pty pair)', () => {
  it('serves each unit with its own retries and offline probe interval', async () => {
    const pty = await ptyPair(cleanup);
    const line = cleanup.add(new SimulatedModbusLine(), (l) => l.close());
    line.add(new SimulatedMeter({ unit: 10, model: 'eastron-sdm120' }), new SimulatedRelayBoard({ unit: 1 }));
    cleanup.add(await startRtuSerialSlave(line, { path: pty.b }), (s) => s.close());
    const bus = cleanup.add(
      new ModbusBus({ id: 'shared', transport: { kind: 'rtu', path: pty.a }, timeoutMs: 60, retries: 1, offlineProbeIntervalMs: 600_000 }),
      (b) => b.stop(),
    );
    const board = bus.configureDevice(1, { retries: 0, offlineProbeIntervalMs: 50 });
    expect(board).toEqual({ timeoutMs: 60, retries: 0, offlineAfterFailures: 1, offlineProbeIntervalMs: 50 });
    expect(bus.policyOf(10)).toMatchObject({ retries: 1, offlineProbeIntervalMs: 600_000 });
    await bus.start();

    line.setFaults(1, { silent: true });
    line.setFaults(10, { silent: true });
    expect(await reason(bus.readBits(1, 'coil', 0, 8))).toBe('modbus.timeout');
    expect(await reason(bus.readRegisters(10, 'input', 0, 2))).toBe('modbus.timeout');
    expect(bus.deviceStatsOf(1)).toMatchObject({ state: 'offline', requests: 1, retries: 0 });
    expect(bus.deviceStatsOf(10)).toMatchObject({ state: 'offline', requests: 2, retries: 1 });

    line.clearFaults();
    await sleep(80);
    // The board's probe is due; the meter's is ten minutes away and its poll never reaches the wire.
    expect(await reason(bus.readBits(1, 'coil', 0, 8))).toBe('ok');
    expect(await reason(bus.readRegisters(10, 'input', 0, 2))).toBe('modbus.device_offline');
    expect(bus.deviceStatsOf(1)!.state).toBe('online');
    expect(bus.deviceStatsOf(10)).toMatchObject({ state: 'offline', requests: 2, skipped: 1 });
  });

  it('refuses a policy field it does not know', () => {
    const bus = new ModbusBus({ id: 'x', transport: { kind: 'tcp', host: '127.0.0.1' } });
    expect(() => bus.configureDevice(1, { retries: 9 })).toThrow();
    expect(() => bus.configureDevice(1, { baudRate: 19200 } as never)).toThrow();
  });
});
