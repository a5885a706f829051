import { afterEach, describe, expect, it } from 'vitest';
import { ModbusBus, type DeviceStateChange, type TransactionTrace } from '../../src/modbus/bus.js';
import { ModbusError } from '../../src/modbus/errors.js';
import { SimulatedModbusLine, type SimRequest } from '../../src/modbus/sim/line.js';
import { SimulatedMeter } from '../../src/modbus/sim/meter-sim.js';
import { SimulatedRelayBoard } from '../../src/modbus/sim/relay-sim.js';
import { startRtuSerialSlave } from '../../src/modbus/sim/serial-slave.js';
import { Cleanup, waitFor } from './helpers/cleanup.js';
import { ptyPair } from './helpers/ptyPair.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

interface Rig {
  bus: ModbusBus;
  line: SimulatedModbusLine;
  requests: SimRequest[];
}

/**
 * A generous timeout by default: these tests count requests, retries and timeouts exactly, and on a
 * loaded machine a healthy simulated device can take longer than a real one's 150 ms to answer over
 * the pty. Tests about silence set a short timeout for the silent device only.
 */
async function rig(busOptions: Partial<ConstructorParameters<typeof ModbusBus>[0]> = {}, pacing: SimulatedModbusLine['pacing'] = null): Promise<Rig> {
  const pty = await ptyPair(cleanup);
  const line = cleanup.add(new SimulatedModbusLine(pacing), (l) => l.close());
  line.add(new SimulatedMeter({ unit: 1, model: 'eastron-sdm630' }), new SimulatedMeter({ unit: 5, model: 'eastron-sdm120' }), new SimulatedRelayBoard({ unit: 9 }));
  const requests: SimRequest[] = [];
  line.on('request', (r) => requests.push(r));
  cleanup.add(await startRtuSerialSlave(line, { path: pty.b }), (s) => s.close());
  const bus = cleanup.add(new ModbusBus({ id: 'bus-a', transport: { kind: 'rtu', path: pty.a, baudRate: 9600 }, timeoutMs: 1000, ...busOptions }), (b) => b.stop());
  await bus.start();
  expect(bus.status().state).toBe('open');
  return { bus, line, requests };
}

async function failure(p: Promise<unknown>): Promise<ModbusError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ModbusError) return e;
    throw e;
  }
  throw new Error('expected a ModbusError');
}

describe('ModbusBus over RTU (socat pty pair, simulated devices)', () => {
  it('reads registers and coils, writes coils, and counts per device', async () => {
    const { bus, line } = await rig();
    const regs = await bus.readRegisters(1, 'input', 0, 6);
    expect(regs).toHaveLength(6);
    await bus.writeCoil(9, 2, true);
    expect(line.device<SimulatedRelayBoard>(9)!.states[2]).toBe(true);
    expect(await bus.readBits(9, 'coil', 0, 8)).toEqual([false, false, true, false, false, false, false, false]);
    const stats = bus.deviceStatsOf(9)!;
    expect(stats).toMatchObject({ busId: 'bus-a', unit: 9, state: 'online', requests: 2, responses: 2, timeouts: 0, crcErrors: 0 });
    expect(stats.lastGoodReadAt).toBeTypeOf('number');
    expect(bus.deviceStats().map((s) => s.unit)).toEqual([1, 9]);
  });

  it('never has two requests in flight, and a command jumps ahead of queued polls', async () => {
    const { bus } = await rig({}, { baudRate: 9600, turnaroundMs: 5 });
    const trace: TransactionTrace[] = [];
    bus.on('transaction', (t) => trace.push(t));
    const polls = Array.from({ length: 8 }, (_, i) => bus.readRegisters(1, 'input', i * 2, 2));
    const command = bus.writeCoil(9, 0, true);
    await Promise.all([...polls, command]);
    // Strictly alternating start/end: one transaction on the wire at a time.
    trace.forEach((t, i) => expect(t.phase).toBe(i % 2 === 0 ? 'start' : 'end'));
    const starts = trace.filter((t) => t.phase === 'start');
    // The first poll was already on the wire; the command goes next.
    expect(starts.map((t) => t.priority)).toEqual(['poll', 'command', 'poll', 'poll', 'poll', 'poll', 'poll', 'poll', 'poll']);
  });

  it('retries a CRC error and counts it against the device', async () => {
    const { bus, line, requests } = await rig();
    line.setFaults(1, { crcErrors: 1 });
    await bus.readRegisters(1, 'input', 0, 2);
    expect(bus.deviceStatsOf(1)).toMatchObject({ crcErrors: 1, retries: 1, requests: 2, responses: 1, state: 'online' });
    expect(requests.filter((r) => r.unit === 1)).toHaveLength(2);

    line.setFaults(1, { crcErrors: 2 });
    const e = await failure(bus.readRegisters(1, 'input', 0, 2));
    expect(e).toMatchObject({ kind: 'crc_error', reason: 'modbus.crc_error', unit: 1, busId: 'bus-a' });
    expect(e.text['zh-CN']).toContain('CRC');
    // Garbled replies mean a noisy line, not a dead device: it is not benched for one failure.
    expect(bus.deviceStatsOf(1)!.state).toBe('online');
    // The bus and the device keep working.
    await bus.readRegisters(1, 'input', 0, 2);
    expect(bus.deviceStatsOf(1)!.crcErrors).toBe(3);
  });

  it('records short and overlong replies as frame errors and recovers', async () => {
    const { bus, line } = await rig();
    line.setFaults(1, { shortFrames: 1 });
    await bus.readRegisters(1, 'input', 0, 4);
    line.setFaults(1, { overlongFrames: 1 });
    await bus.readRegisters(1, 'input', 0, 4);
    expect(bus.deviceStatsOf(1)).toMatchObject({ frameErrors: 2, retries: 2, crcErrors: 0 });
  });

  it('finds a reply behind line noise and counts the noise on the bus', async () => {
    const { bus, line } = await rig();
    line.setFaults(1, { noiseBefore: 1 });
    await bus.readRegisters(1, 'input', 0, 2);
    expect(bus.deviceStatsOf(1)).toMatchObject({ frameErrors: 0, crcErrors: 0, retries: 0 });
    expect(bus.status().strayBytes).toBe(3);
  });

  it('reports exception replies by code, without retrying, and keeps the device online', async () => {
    const { bus, line, requests } = await rig();
    line.setFaults(5, { exception: 2 });
    const e = await failure(bus.readRegisters(5, 'input', 0, 2));
    expect(e).toMatchObject({ kind: 'exception', exceptionCode: 2, reason: 'modbus.exception.2' });
    expect(e.text.en).toContain('exception 2');
    expect(requests.filter((r) => r.unit === 5)).toHaveLength(1);
    line.setFaults(5, { exception: 4 });
    await failure(bus.readRegisters(5, 'input', 0, 2));
    expect(bus.deviceStatsOf(5)).toMatchObject({ exceptions: { '2': 1, '4': 1 }, state: 'online', retries: 0, lastError: 'modbus.exception.4' });
  });

  it('backs off a dead device (one probe per interval) while the others keep answering', async () => {
    const probeMs = 400;
    const { bus, line, requests } = await rig({ retries: 1, offlineProbeIntervalMs: probeMs });
    // Only the device that goes silent has a short timeout: the healthy one must not be benched by a slow reply.
    bus.configureDevice(5, { timeoutMs: 80 });
    const changes: DeviceStateChange[] = [];
    bus.on('device-state', (c) => changes.push(c));
    line.setFaults(5, { silent: true });
    const started = performance.now();
    let good = 0;
    const failures: string[] = [];
    while (performance.now() - started < 1500) {
      const [a, b] = await Promise.allSettled([bus.readRegisters(1, 'input', 0, 2), bus.readRegisters(5, 'input', 0, 2)]);
      if (a.status === 'fulfilled') good++;
      if (b.status === 'rejected') failures.push((b.reason as ModbusError).reason);
      else throw new Error('a silent device answered');
    }
    const elapsed = performance.now() - started;
    expect(good).toBeGreaterThan(5);
    expect(failures[0]).toBe('modbus.timeout');
    expect(failures).toContain('modbus.device_offline');
    // First transaction: 1 + 1 retry; after that at most one probe per interval.
    const toDead = requests.filter((r) => r.unit === 5).length;
    expect(toDead).toBeLessThanOrEqual(2 + Math.floor(elapsed / probeMs) + 1);
    const stats = bus.deviceStatsOf(5)!;
    expect(stats.state).toBe('offline');
    expect(stats.skipped).toBeGreaterThan(0);
    expect(stats.timeouts).toBe(toDead);
    expect(changes.map((c) => [c.unit, c.state, c.reason])).toEqual([
      [1, 'online', 'modbus.device_online'],
      [5, 'offline', 'modbus.device_offline'],
    ]);
    // Brought back: the next probe finds it.
    line.setFaults(5, { silent: false });
    await waitFor(async () => {
      await bus.readRegisters(5, 'input', 0, 2).catch(() => undefined);
      return bus.deviceStatsOf(5)!.state === 'online';
    }, 'device 5 back online');
    expect(changes.at(-1)).toMatchObject({ unit: 5, state: 'online', previous: 'offline' });
  });

  it('tries a command to an offline device once, whatever the backoff', async () => {
    const { bus, line, requests } = await rig({ timeoutMs: 60, retries: 2, offlineProbeIntervalMs: 60_000 });
    line.setFaults(9, { silent: true });
    await failure(bus.readBits(9, 'coil', 0, 8));
    expect(bus.deviceStatsOf(9)!.state).toBe('offline');
    const before = requests.length;
    expect((await failure(bus.readBits(9, 'coil', 0, 8))).reason).toBe('modbus.device_offline');
    expect(requests.length).toBe(before);
    expect((await failure(bus.writeCoil(9, 0, true))).reason).toBe('modbus.timeout');
    expect(requests.length).toBe(before + 1);
  });

  it('keeps going when an event listener throws', async () => {
    const { bus } = await rig();
    bus.on('device-stats', () => {
      throw new Error('listener bug');
    });
    const seen: number[] = [];
    bus.on('device-stats', (s) => seen.push(s.unit));
    await bus.readRegisters(1, 'input', 0, 2);
    await bus.readRegisters(1, 'input', 2, 2);
    expect(seen).toEqual([1, 1]);
  });

  it('refuses invalid requests before they reach the wire', async () => {
    const { bus, requests } = await rig();
    await expect(bus.readRegisters(0, 'input', 0, 2)).rejects.toThrow(RangeError);
    await expect(bus.readRegisters(248, 'input', 0, 2)).rejects.toThrow(RangeError);
    await expect(bus.readRegisters(1, 'input', 0, 126)).rejects.toThrow(RangeError);
    expect(requests).toHaveLength(0);
  });

  it('fails queued requests with bus_stopped on stop()', async () => {
    const { bus } = await rig({}, { baudRate: 9600, turnaroundMs: 5 });
    const settled = Promise.allSettled(Array.from({ length: 5 }, () => bus.readRegisters(1, 'input', 0, 40)));
    await bus.stop();
    const results = await settled;
    const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as ModbusError).reason : 'ok'));
    expect(reasons.filter((r) => r === 'modbus.bus_stopped').length).toBeGreaterThanOrEqual(4);
    expect(bus.status().state).toBe('stopped');
    await expect(bus.readRegisters(1, 'input', 0, 2)).rejects.toMatchObject({ reason: 'modbus.bus_stopped' });
  });
});
