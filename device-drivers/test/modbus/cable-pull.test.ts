import { afterEach, describe, expect, it } from 'vitest';
import type { ModbusBusStatus } from '@campus/protocol/energy/index';
import { ModbusBus } from '../../src/modbus/bus.js';
import { ModbusError } from '../../src/modbus/errors.js';
import { SimulatedModbusLine } from '../../src/modbus/sim/line.js';
import { SimulatedMeter } from '../../src/modbus/sim/meter-sim.js';
import { startRtuSerialSlave, type RtuSerialSlave } from '../../src/modbus/sim/serial-slave.js';
import { openPtyPair } from '@campus/testkit';
import { Cleanup, waitFor } from './helpers/cleanup.js';
import { ptyPair } from './helpers/ptyPair.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe('serial cable pulled and plugged back (socat killed and restarted)', () => {
  it('goes down, fails fast while down, and reconnects by itself', async () => {
    const pty = await ptyPair(cleanup);
    const line = cleanup.add(new SimulatedModbusLine().add(new SimulatedMeter({ unit: 1, model: 'eastron-sdm630' })), (l) => l.close());
    let slave: RtuSerialSlave = await startRtuSerialSlave(line, { path: pty.b });
    cleanup.add(null, () => slave.close());
    const bus = cleanup.add(
      new ModbusBus({ id: 'bus-b', transport: { kind: 'rtu', path: pty.a }, timeoutMs: 1000, reconnect: { minDelayMs: 50, maxDelayMs: 200 } }),
      (b) => b.stop(),
    );
    const states: ModbusBusStatus[] = [];
    bus.on('state', (s) => states.push(s));
    await bus.start();
    await bus.readRegisters(1, 'input', 0, 2);

    await slave.close();
    await pty.unplug();
    await waitFor(() => bus.status().state !== 'open', 'bus notices the pulled cable');
    const e = await bus.readRegisters(1, 'input', 0, 2).then(
      () => null,
      (err: ModbusError) => err,
    );
    expect(e).toBeInstanceOf(ModbusError);
    expect(e!.reason).toBe('modbus.link_down');
    expect(e!.text['zh-CN']).toContain('正在自动重连');
    // Being down is the bus's problem, not the meter's.
    expect(bus.deviceStatsOf(1)).toMatchObject({ state: 'online', timeouts: 0 });

    await pty.replug();
    slave = await startRtuSerialSlave(line, { path: pty.b });
    await waitFor(() => bus.status().state === 'open', 'bus reopens the port by itself');
    await bus.readRegisters(1, 'input', 0, 2);
    const status = bus.status();
    expect(status.reconnects).toBeGreaterThanOrEqual(1);
    expect(status.lastError).toBe('modbus.link_down');
    expect(states.map((s) => s.state)).toContain('down');
    expect(states.at(-1)!.state).toBe('open');
  });

  it('keeps trying when the adapter is not plugged in at start', async () => {
    const pty = cleanup.add(await openPtyPair(), (p) => p.close());
    await pty.unplug();
    const bus = cleanup.add(
      new ModbusBus({ id: 'bus-c', transport: { kind: 'rtu', path: pty.a }, timeoutMs: 1000, reconnect: { minDelayMs: 50, maxDelayMs: 100 } }),
      (b) => b.stop(),
    );
    await bus.start();
    expect(bus.status()).toMatchObject({ state: 'down', lastError: 'modbus.link_down' });
    expect(bus.status().lastErrorDetail).toBeTruthy();
    await expect(bus.readRegisters(1, 'input', 0, 2)).rejects.toMatchObject({ reason: 'modbus.link_down' });

    await pty.replug();
    const line = cleanup.add(new SimulatedModbusLine().add(new SimulatedMeter({ unit: 1, model: 'eastron-sdm120' })), (l) => l.close());
    cleanup.add(await startRtuSerialSlave(line, { path: pty.b }), (s) => s.close());
    await waitFor(() => bus.status().state === 'open', 'bus opens once the port exists');
    expect(await bus.readRegisters(1, 'input', 0, 2)).toHaveLength(2);
  });
});
