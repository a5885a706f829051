import { afterEach, describe, expect, it } from 'vitest';
import type { MeterReading } from '@campus/protocol/energy/index';
import { ModbusBus } from '../../src/modbus/bus.js';
import { SimulatedModbusLine } from '../../src/modbus/sim/line.js';
import { SimulatedMeter } from '../../src/modbus/sim/meter-sim.js';
import { SimulatedRelayBoard } from '../../src/modbus/sim/relay-sim.js';
import { startRtuSerialSlave } from '../../src/modbus/sim/serial-slave.js';
import { MeterPoller } from '../../src/meters/poller.js';
import { Cleanup } from '../modbus/helpers/cleanup.js';
import { ptyPair } from '../modbus/helpers/ptyPair.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/**
 * Every kind of bad input at once on one RS-485 line: CRC errors, short and
 * overlong replies, noise, exception replies, garbage floats, a dead meter and a
 * device configured wrongly. Each is recorded against its own device; nothing
 * crashes; the healthy devices deliver every round.
 */
describe('a bad day on one bus', () => {
  it('records each fault per device and keeps polling the rest', async () => {
    const pty = await ptyPair(cleanup);
    const line = cleanup.add(new SimulatedModbusLine({ baudRate: 9600, turnaroundMs: 2 }), (l) => l.close());
    const garbage = new SimulatedMeter({ unit: 5, model: 'eastron-sdm120' });
    garbage.garbageFloats = true;
    line.add(
      new SimulatedMeter({ unit: 1, model: 'eastron-sdm120' }),
      new SimulatedMeter({ unit: 2, model: 'eastron-sdm120' }),
      new SimulatedMeter({ unit: 3, model: 'chint-ddsu666' }),
      new SimulatedMeter({ unit: 4, model: 'chint-dtsu666' }),
      garbage,
      new SimulatedMeter({ unit: 6, model: 'eastron-sdm120' }),
      new SimulatedRelayBoard({ unit: 7 }),
    );
    line.setFaults(1, { crcErrors: 2 });
    line.setFaults(2, { shortFrames: 2 });
    line.setFaults(7, { noiseBefore: 2 });
    line.setFaults(3, { overlongFrames: 2 });
    line.setFaults(4, { exception: 4 });
    line.setFaults(6, { silent: true });
    cleanup.add(await startRtuSerialSlave(line, { path: pty.b }), (s) => s.close());
    const bus = cleanup.add(new ModbusBus({ id: 'bad-day', transport: { kind: 'rtu', path: pty.a }, timeoutMs: 100, retries: 2 }), (b) => b.stop());
    await bus.start();
    const poller = new MeterPoller({
      bus,
      devices: [
        { id: 'crc', unit: 1, model: 'eastron-sdm120' },
        { id: 'short', unit: 2, model: 'eastron-sdm120' },
        { id: 'long', unit: 3, model: 'chint-ddsu666' },
        { id: 'refuses', unit: 4, model: 'chint-dtsu666' },
        { id: 'garbage', unit: 5, model: 'eastron-sdm120' },
        { id: 'dead', unit: 6, model: 'eastron-sdm120' },
        { id: 'relays', unit: 7, model: 'waveshare-relay-8' },
        { id: 'typo', unit: 8, model: 'eastron-sdm6300' },
      ],
    });
    const readings: MeterReading[] = [];
    poller.on('reading', (r) => readings.push(r));
    for (let round = 0; round < 3; round++) await poller.pollAllNow();

    const good = (id: string) => readings.filter((r) => r.deviceId === id && r.quality === 'good').length;
    expect(good('crc')).toBe(3 * 22);
    expect(good('short')).toBe(3 * 22);
    expect(good('long')).toBe(3 * 8);
    expect(good('relays')).toBe(3 * 8);
    expect(good('refuses')).toBe(0);
    expect(good('garbage')).toBe(0);
    expect(readings.filter((r) => r.deviceId === 'garbage')).toHaveLength(3 * 22);
    expect(readings.filter((r) => r.deviceId === 'dead')).toHaveLength(0);
    expect(poller.rejected.map((r) => r.error.code)).toEqual(['energy.unknown_model']);

    const stats = Object.fromEntries(bus.deviceStats().map((s) => [s.unit, s]));
    expect(stats[1]).toMatchObject({ crcErrors: 2, state: 'online' });
    // Each bad CRC is retried once; on a loaded machine a reply that comes late is retried too (never a lost reading).
    expect(stats[1]!.retries).toBeGreaterThanOrEqual(2);
    expect(stats[1]!.retries).toBeLessThanOrEqual(3);
    // Two short replies were sent; on a loaded machine the retry's full reply can arrive inside the same
    // 100 ms window as the cut one and be read as one bad frame, so the count is 1 or 2 — never a lost reading.
    expect(stats[2]!.state).toBe('online');
    expect(stats[2]!.frameErrors).toBeGreaterThanOrEqual(1);
    expect(stats[2]!.frameErrors).toBeLessThanOrEqual(2);
    expect(stats[3]).toMatchObject({ frameErrors: 2, state: 'online' });
    expect(stats[4]!.exceptions['4']).toBeGreaterThan(0);
    expect(stats[4]!.state).toBe('online');
    expect(stats[5]).toMatchObject({ crcErrors: 0, frameErrors: 0, state: 'online' });
    expect(stats[6]!.state).toBe('offline');
    expect(stats[6]!.skipped).toBeGreaterThan(0);
    expect(stats[8]).toBeUndefined();
    // The noise before the relay board's replies (2 × 3 bytes) is stray. On a loaded machine a reply that comes after its
    // timeout is stray too, and its request was retried: every retry beyond the faults' own (one per bad CRC, short and
    // overlong frame) may add one late reply (at most 256 bytes, an RTU frame's limit); with none, exactly the noise.
    const faultRetries: Record<number, number> = { 1: 2, 2: 2, 3: 2, 4: 0, 5: 0, 7: 0 };
    const extra = Object.entries(faultRetries).reduce((n, [unit, own]) => n + Math.max(0, stats[Number(unit)]!.retries - own), 0);
    expect(bus.status().strayBytes).toBeGreaterThanOrEqual(6);
    expect(bus.status().strayBytes - 6).toBeLessThanOrEqual(extra * 256);
  });
});
