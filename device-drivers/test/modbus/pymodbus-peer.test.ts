import { afterEach, describe, expect, it } from 'vitest';
import type { MeterReading } from '@campus/protocol/energy/index';
import { ModbusBus } from '../../src/modbus/bus.js';
import type { ModbusError } from '../../src/modbus/errors.js';
import { MeterPoller, type MeterDeviceError } from '../../src/meters/poller.js';
import { RelayBoard } from '../../src/relay/relay-board.js';
import { Cleanup, waitFor } from './helpers/cleanup.js';
import { ptyPair } from './helpers/ptyPair.js';
import { startPymodbusSlave, type PymodbusSlaveSpec } from '@campus/testkit';

/**
 * Debian's python3-pymodbus as the slave: framing, CRC and float packing written
 * by people who never saw our code. Its sparse data blocks answer exception 2 for
 * any address not listed, like a meter firmware that refuses undefined registers.
 */
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

// An SDM630 as pymodbus serves it: a few documented input registers, packed by Python's struct.
const SDM630_UNIT: PymodbusSlaveSpec['units'][string] = {
  input: {
    floats: { '0x00': 229.5, '0x02': 231.25, '0x04': 230.0, '0x06': 12.5, '0x08': 0, '0x0A': 3.75, '0x34': 4321.5, '0x46': 49.98, '0x48': 12345.67 },
  },
};
const SDM630_POINTS = ['voltage_l1', 'voltage_l2', 'voltage_l3', 'current_l1', 'current_l2', 'current_l3', 'power_active_total', 'frequency', 'energy_active_import_total'];

function byPoint(readings: MeterReading[]): Record<string, MeterReading> {
  return Object.fromEntries(readings.map((r) => [r.point, r]));
}

describe('against python3-pymodbus', () => {
  it('polls an SDM630 served by a pymodbus RTU slave over a socat pty pair', async () => {
    const pty = await ptyPair(cleanup);
    const slave = cleanup.add(await startPymodbusSlave({ mode: 'rtu-serial', port: pty.b, units: { '7': SDM630_UNIT } }), (s) => s.stop());
    expect(slave.port).toBe(pty.b);
    const bus = cleanup.add(new ModbusBus({ id: 'py-rtu', transport: { kind: 'rtu', path: pty.a, baudRate: 9600 }, timeoutMs: 2000 }), (b) => b.stop());
    await bus.start();
    const poller = new MeterPoller({ bus, devices: [{ id: 'sdm-7', unit: 7, model: 'eastron-sdm630', points: SDM630_POINTS }] });
    const readings: MeterReading[] = [];
    poller.on('reading', (r) => readings.push(r));
    const report = await poller.pollAllNow();
    expect(report.failedRequests).toBe(0);
    const r = byPoint(readings);
    expect(r.voltage_l1).toMatchObject({ value: 229.5, unit: 'V', quality: 'good', deviceId: 'sdm-7' });
    expect(r.voltage_l2!.value).toBe(231.25);
    expect(r.current_l3!.value).toBe(3.75);
    expect(r.power_active_total!.value).toBe(4321.5);
    expect(r.frequency!.value).toBeCloseTo(49.98, 4);
    expect(r.energy_active_import_total!.value).toBeCloseTo(12345.67, 2);
    expect(bus.deviceStatsOf(7)).toMatchObject({ crcErrors: 0, timeouts: 0, frameErrors: 0, state: 'online' });
  });

  it('learns registers a pymodbus slave refuses (exception 2) instead of failing forever', async () => {
    const pty = await ptyPair(cleanup);
    // Only L1 and L3 exist: the planner bridges 0x02-0x03, pymodbus refuses the block.
    cleanup.add(await startPymodbusSlave({ mode: 'rtu-serial', port: pty.b, units: { '3': { input: { floats: { '0x00': 228, '0x04': 232, '0x0C': 100 } } } } }), (s) => s.stop());
    const bus = cleanup.add(new ModbusBus({ id: 'py-sparse', transport: { kind: 'rtu', path: pty.a }, timeoutMs: 2000 }), (b) => b.stop());
    await bus.start();
    const poller = new MeterPoller({ bus, devices: [{ id: 'm3', unit: 3, model: 'eastron-sdm630', points: ['voltage_l1', 'voltage_l3', 'power_active_l1', 'current_l1'] }] });
    const errors: MeterDeviceError[] = [];
    const unsupported: string[] = [];
    const readings: MeterReading[] = [];
    poller.on('device-error', (e) => errors.push(e));
    poller.on('point-unsupported', (u) => unsupported.push(u.point));
    poller.on('reading', (r) => readings.push(r));
    expect(poller.planFor('m3')).toHaveLength(1);

    await poller.pollAllNow();
    expect(errors[0]).toMatchObject({ deviceId: 'm3', reason: 'modbus.exception.2' });
    expect(errors[0]!.text['zh-CN']).toContain('异常码 2');
    // Next: gaps are no longer bridged; voltage_l1 and voltage_l3 come separately, the
    // contiguous block 0x04-0x0D (voltage_l3, current_l1, power_active_l1) is refused again.
    await poller.pollAllNow();
    await poller.pollAllNow();
    await poller.pollAllNow();
    // current_l1 (0x06) does not exist on this slave: refused alone, it is dropped.
    expect(unsupported).toEqual(['current_l1']);
    readings.length = 0;
    const last = await poller.pollAllNow();
    expect(last.failedRequests).toBe(0);
    expect(byPoint(readings)).toMatchObject({
      voltage_l1: { value: 228, quality: 'good' },
      voltage_l3: { value: 232, quality: 'good' },
      power_active_l1: { value: 100, quality: 'good' },
    });
    expect(readings.map((x) => x.point)).not.toContain('current_l1');
    expect(bus.deviceStatsOf(3)!.exceptions['2']).toBeGreaterThanOrEqual(2);
    expect(bus.deviceStatsOf(3)!.state).toBe('online');
  });

  it('reads holding registers from a pymodbus Modbus TCP server and records its exceptions', async () => {
    const slave = cleanup.add(
      await startPymodbusSlave({ mode: 'tcp', port: 0, units: { '1': { holding: { floats: { '0x2006': 2301.5, '0x2012': 52000 }, words: { '0x002E': 1 } } } } }),
      (s) => s.stop(),
    );
    const bus = cleanup.add(new ModbusBus({ id: 'py-tcp', transport: { kind: 'tcp', host: '127.0.0.1', port: Number(slave.port) }, timeoutMs: 1000 }), (b) => b.stop());
    await bus.start();
    const poller = new MeterPoller({ bus, devices: [{ id: 'dtsu', unit: 1, model: 'chint-dtsu666', points: ['voltage_l1', 'power_active_total'] }] });
    const readings: MeterReading[] = [];
    poller.on('reading', (r) => readings.push(r));
    // The planner bridges 0x2008-0x2011, which this slave does not have: one refusal, then learned.
    expect((await poller.pollAllNow()).failedRequests).toBe(1);
    expect((await poller.pollAllNow()).failedRequests).toBe(0);
    // DTSU666 scaling: 2301.5 tenths of a volt, 52000 tenths of a watt.
    expect(byPoint(readings)).toMatchObject({ voltage_l1: { value: 230.15 }, power_active_total: { value: 5200 } });
    expect([...(await bus.readRegisters(1, 'holding', 0x2e, 1))]).toEqual([1]);
    const e = await bus.readRegisters(1, 'holding', 0x100, 2).catch((x: ModbusError) => x);
    expect(e).toMatchObject({ kind: 'exception', exceptionCode: 2 });
    expect(bus.deviceStatsOf(1)!.exceptions).toEqual({ '2': 2 });
  });

  it('reads through a pymodbus RTU-over-TCP server (RTU framer on a socket)', async () => {
    const slave = cleanup.add(await startPymodbusSlave({ mode: 'rtu-tcp', port: 0, units: { '9': { input: { floats: { '0x2000': 231.5, '0x200E': 50.01 } } } } }), (s) => s.stop());
    const bus = cleanup.add(
      new ModbusBus({ id: 'py-gw', transport: { kind: 'rtu-over-tcp', host: '127.0.0.1', port: Number(slave.port) }, timeoutMs: 1000 }),
      (b) => b.stop(),
    );
    await bus.start();
    const poller = new MeterPoller({ bus, devices: [{ id: 'ddsu', unit: 9, model: 'chint-ddsu666', points: ['voltage', 'frequency'] }] });
    const readings: MeterReading[] = [];
    poller.on('reading', (r) => readings.push(r));
    await poller.pollAllNow();
    expect(byPoint(readings)).toMatchObject({ voltage: { value: 231.5, quality: 'good' } });
    expect(byPoint(readings).frequency!.value).toBeCloseTo(50.01, 4);
  });

  it('switches the coils of a pymodbus slave as a generic relay board', async () => {
    const coils = Object.fromEntries(Array.from({ length: 4 }, (_, i) => [String(i), false]));
    const slave = cleanup.add(await startPymodbusSlave({ mode: 'tcp', port: 0, units: { '2': { coil: { bits: coils } } } }), (s) => s.stop());
    const bus = cleanup.add(new ModbusBus({ id: 'py-relay', transport: { kind: 'tcp', host: '127.0.0.1', port: Number(slave.port) }, timeoutMs: 1000 }), (b) => b.stop());
    await bus.start();
    const board = new RelayBoard(bus, { id: 'gen-2', unit: 2, channels: 4, profile: 'generic-coils' });
    cleanup.add(board, (b) => b.dispose());
    await board.set(2, true);
    await board.set(4, true);
    expect(await board.readStates()).toEqual([false, true, false, true]);
    expect(await board.setAndConfirm(1, true)).toEqual({ confirmed: true, states: [true, true, false, true] });
    await board.allOff();
    expect(await board.readStates()).toEqual([false, false, false, false]);
    await board.flash(3, 150);
    expect((await board.readStates())[2]).toBe(true);
    await waitFor(async () => (await board.readStates())[2] === false, 'host-timed flash ends');
  });
});
