import { afterEach, describe, expect, it } from 'vitest';
import type { MeterReading } from '@campus/protocol/energy/index';
import { ModbusBus } from '../../src/modbus/bus.js';
import { SimulatedModbusLine, type SimRequest } from '../../src/modbus/sim/line.js';
import { SimulatedMeter } from '../../src/modbus/sim/meter-sim.js';
import { SimulatedRelayBoard } from '../../src/modbus/sim/relay-sim.js';
import { EXCEPTION, servePdu, type RegisterSpace, type SimulatedDevice } from '../../src/modbus/sim/slave-device.js';
import { startTcpSlave } from '../../src/modbus/sim/tcp-slave.js';
import { MeterPoller, type MeterDeviceError } from '../../src/meters/poller.js';
import { MeterMapRegistry } from '../../src/meters/registry.js';
import { Cleanup, waitFor } from '../modbus/helpers/cleanup.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** A counter device the test sets by hand: holding register pair 0-1 (uint32). */
class CounterDevice implements SimulatedDevice, RegisterSpace {
  value = 0;
  constructor(readonly unit: number) {}
  handle(pdu: Buffer, now: number): Buffer {
    return servePdu(this, pdu, now);
  }
  readRegisters(table: string, address: number, count: number): number[] | number {
    if (table !== 'holding' || address !== 0 || count !== 2) return EXCEPTION.illegalAddress;
    return [(this.value >>> 16) & 0xffff, this.value & 0xffff];
  }
  readBits(): number {
    return EXCEPTION.illegalFunction;
  }
  writeCoil(): number {
    return EXCEPTION.illegalFunction;
  }
  writeRegister(): number {
    return EXCEPTION.illegalFunction;
  }
  writeCoils(): number {
    return EXCEPTION.illegalFunction;
  }
  writeRegisters(): number {
    return EXCEPTION.illegalFunction;
  }
}

async function tcpBus(line: SimulatedModbusLine, options: Partial<ConstructorParameters<typeof ModbusBus>[0]> = {}): Promise<ModbusBus> {
  cleanup.add(line, (l) => l.close());
  const slave = cleanup.add(await startTcpSlave(line, { framing: 'tcp' }), (s) => s.close());
  const bus = cleanup.add(new ModbusBus({ id: 'poll-bus', transport: { kind: 'tcp', host: '127.0.0.1', port: slave.port }, timeoutMs: 1000, ...options }), (b) => b.stop());
  await bus.start();
  return bus;
}

function latest(readings: MeterReading[], deviceId: string, point: string): MeterReading | undefined {
  return readings.filter((r) => r.deviceId === deviceId && r.point === point).at(-1);
}

describe('MeterPoller', () => {
  it('decodes every point of an SDM630, a DTSU666 and a relay board with units and quality', async () => {
    const line = new SimulatedModbusLine().add(
      new SimulatedMeter({ unit: 1, model: 'eastron-sdm630' }),
      new SimulatedMeter({ unit: 2, model: 'chint-dtsu666' }),
      new SimulatedRelayBoard({ unit: 3 }),
    );
    line.device<SimulatedRelayBoard>(3)!.states[1] = true;
    const bus = await tcpBus(line);
    const poller = new MeterPoller({
      bus,
      devices: [
        { id: 'sdm', unit: 1, model: 'eastron-sdm630' },
        { id: 'dtsu', unit: 2, model: 'chint-dtsu666' },
        { id: 'relays', unit: 3, model: 'waveshare-relay-8' },
      ],
    });
    const readings: MeterReading[] = [];
    const batches: MeterReading[][] = [];
    poller.on('reading', (r) => readings.push(r));
    poller.on('readings', (b) => batches.push(b));
    const report = await poller.pollAllNow();
    expect(report).toMatchObject({ requests: 6 + 3 + 1, failedRequests: 0, readings: 85 + 24 + 8 });
    expect(readings.every((r) => r.quality === 'good' && typeof r.value === 'number')).toBe(true);
    expect(batches.every((b) => b.length > 0 && b.every((r) => r.at === b[0]!.at))).toBe(true);
    // Scaled DTSU666 values land in the same physical units as the SDM630's.
    for (const id of ['sdm', 'dtsu']) {
      expect(latest(readings, id, 'voltage_l1')!.value).toBeGreaterThan(220);
      expect(latest(readings, id, 'voltage_l1')!.value).toBeLessThan(240);
      expect(latest(readings, id, 'frequency')!.value).toBeCloseTo(50, 0);
      expect(latest(readings, id, 'power_active_total')!.unit).toBe('W');
    }
    expect(latest(readings, 'relays', 'relay_2')).toMatchObject({ value: 1, unit: 'on/off' });
    expect(latest(readings, 'relays', 'relay_1')).toMatchObject({ value: 0 });
  });

  it('flags garbage floats and keeps polling the other meters', async () => {
    const bad = new SimulatedMeter({ unit: 1, model: 'eastron-sdm630' });
    bad.garbageFloats = true;
    const bus = await tcpBus(new SimulatedModbusLine().add(bad, new SimulatedMeter({ unit: 2, model: 'eastron-sdm120' })));
    const poller = new MeterPoller({ bus, devices: [{ id: 'bad', unit: 1, model: 'eastron-sdm630' }, { id: 'ok', unit: 2, model: 'eastron-sdm120' }] });
    const readings: MeterReading[] = [];
    poller.on('reading', (r) => readings.push(r));
    await poller.pollAllNow();
    const fromBad = readings.filter((r) => r.deviceId === 'bad');
    expect(fromBad).toHaveLength(85);
    expect(fromBad.every((r) => r.quality !== 'good' && r.value === null)).toBe(true);
    expect(new Set(fromBad.map((r) => r.quality))).toEqual(new Set(['nan', 'infinite', 'out_of_range']));
    expect(fromBad.find((r) => r.quality === 'out_of_range')!.raw).toMatch(/e\+38/);
    expect(readings.filter((r) => r.deviceId === 'ok').every((r) => r.quality === 'good')).toBe(true);
  });

  it('polls slow points (energy) less often than fast ones (power), on its own schedule', async () => {
    let clock = 1_000_000;
    const line = new SimulatedModbusLine().add(new SimulatedMeter({ unit: 1, model: 'eastron-sdm630' }));
    const requests: SimRequest[] = [];
    line.on('request', (r) => requests.push(r));
    const bus = await tcpBus(line);
    const poller = new MeterPoller({ bus, now: () => clock, tickMs: 10, devices: [{ id: 'm', unit: 1, model: 'eastron-sdm630', points: ['power_active_total', 'voltage_l1', 'energy_active_import_total'], intervals: { fastMs: 5000, slowMs: 60000 } }] });
    cleanup.add(poller, (p) => p.stop());
    // Readings carry the poller's clock, so each round is identified by its time.
    const reads: Array<[number, string]> = [];
    poller.on('reading', (r) => reads.push([r.at, r.point]));
    const at = (t: number) => reads.filter(([x]) => x === t).map(([, p]) => p).sort();
    const t0 = clock;
    poller.start();
    await waitFor(() => at(t0).length === 3, 'first poll');
    expect(at(t0)).toEqual(['energy_active_import_total', 'power_active_total', 'voltage_l1']);
    clock += 4999;
    await new Promise((r) => setTimeout(r, 50));
    expect(reads.every(([x]) => x === t0)).toBe(true);
    clock += 1;
    await waitFor(() => at(t0 + 5000).length === 2, 'fast points due');
    await new Promise((r) => setTimeout(r, 50));
    expect(at(t0 + 5000)).toEqual(['power_active_total', 'voltage_l1']);
    clock = t0 + 60_000;
    await waitFor(() => at(t0 + 60_000).includes('energy_active_import_total'), 'slow point due');
    // voltage (0x00) and power (0x34) are too far apart to share a request: 2 + 1 + (1 or 2).
    expect(requests.length).toBeGreaterThanOrEqual(4);
  });

  it('rejects a device with a config error, with a clear bilingual message, and polls the rest', async () => {
    const bus = await tcpBus(new SimulatedModbusLine().add(new SimulatedMeter({ unit: 1, model: 'eastron-sdm120' })));
    const poller = new MeterPoller({
      bus,
      devices: [
        { id: 'good', unit: 1, model: 'eastron-sdm120' },
        { id: 'typo', unit: 2, model: 'eastron-sdm12' },
        { id: 'outside', unit: 3, model: 'eastron-sdm120', points: [{ name: 'secret', address: 0x1000, unit: 'W' }] },
      ],
    });
    expect(poller.rejected.map((r) => [r.deviceId, r.error.code])).toEqual([
      ['typo', 'energy.unknown_model'],
      ['outside', 'energy.register_outside_map'],
    ]);
    expect(poller.rejected[0]!.error.text['zh-CN']).toContain('未知的表计型号“eastron-sdm12”');
    expect(poller.devices.map((d) => d.id)).toEqual(['good']);
    expect((await poller.pollAllNow()).failedRequests).toBe(0);
  });

  it('reports a dead meter once per reason while the others keep polling', async () => {
    const line = new SimulatedModbusLine().add(new SimulatedMeter({ unit: 1, model: 'eastron-sdm120' }), new SimulatedMeter({ unit: 2, model: 'eastron-sdm120' }));
    line.setFaults(2, { silent: true });
    const bus = await tcpBus(line, { timeoutMs: 50 });
    const poller = new MeterPoller({ bus, devices: [{ id: 'alive', unit: 1, model: 'eastron-sdm120' }, { id: 'dead', unit: 2, model: 'eastron-sdm120' }] });
    const errors: MeterDeviceError[] = [];
    const recovered: string[] = [];
    poller.on('device-error', (e) => errors.push(e));
    poller.on('device-recovered', (e) => recovered.push(e.deviceId));
    const readings: MeterReading[] = [];
    poller.on('reading', (r) => readings.push(r));
    for (let i = 0; i < 3; i++) await poller.pollAllNow();
    expect(readings.filter((r) => r.deviceId === 'alive')).toHaveLength(3 * 22);
    expect(readings.filter((r) => r.deviceId === 'dead')).toHaveLength(0);
    expect(errors.map((e) => [e.deviceId, e.reason])).toEqual([['dead', 'modbus.timeout'], ['dead', 'modbus.device_offline']]);
    expect(errors[1]!.text.en).toContain('offline');
    expect(recovered).toEqual([]);
  });

  it('flags an energy counter that goes backwards, and accepts a reset that persists', async () => {
    const registry = MeterMapRegistry.withBuiltIns();
    registry.add({
      model: 'test-counter',
      defaults: { table: 'holding', type: 'uint32' },
      points: [{ name: 'energy_active_import_total', address: 0, scale: 0.01, unit: 'kWh', counter: true }],
    });
    const device = new CounterDevice(4);
    const bus = await tcpBus(new SimulatedModbusLine().add(device));
    const poller = new MeterPoller({ bus, registry, devices: [{ id: 'c', unit: 4, model: 'test-counter' }] });
    const seen: Array<[number | null, string]> = [];
    poller.on('reading', (r) => seen.push([r.value, r.quality]));
    for (const v of [10000, 10050, 2000, 2000, 2000, 2010]) {
      device.value = v;
      await poller.pollAllNow();
    }
    expect(seen).toEqual([
      [100, 'good'],
      [100.5, 'good'],
      [null, 'regressed'],
      [null, 'regressed'],
      [20, 'good'],
      [20.1, 'good'],
    ]);
  });

  it('drops a point the device refuses on its own and keeps the rest', async () => {
    const registry = MeterMapRegistry.withBuiltIns();
    // A school's variant names a register this firmware does not have.
    registry.add({ model: 'sdm630-plus', extends: 'eastron-sdm630', points: [{ name: 'mystery', address: '0x2C', unit: 'V' }] });
    const sim = new SimulatedMeter({ unit: 1, model: 'eastron-sdm630', strictAddresses: true });
    const bus = await tcpBus(new SimulatedModbusLine().add(sim));
    const poller = new MeterPoller({ bus, registry, devices: [{ id: 'm', unit: 1, model: 'sdm630-plus', points: ['voltage_avg', 'mystery', 'current_avg'] }] });
    const dropped: string[] = [];
    poller.on('point-unsupported', (u) => dropped.push(`${u.point}:${u.reason}:${u.text.en}`));
    for (let i = 0; i < 4; i++) await poller.pollAllNow();
    expect(dropped).toEqual(['mystery:modbus.exception.2:Device m does not support point mystery (address 0x002c); stopped polling it']);
    const readings: MeterReading[] = [];
    poller.on('reading', (r) => readings.push(r));
    expect((await poller.pollAllNow()).failedRequests).toBe(0);
    expect(readings.map((r) => r.point).sort()).toEqual(['current_avg', 'voltage_avg']);
  });
});
