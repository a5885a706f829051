import { createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ModbusBus } from '../../src/modbus/bus.js';
import { ModbusError } from '../../src/modbus/errors.js';
import { SimulatedModbusLine } from '../../src/modbus/sim/line.js';
import { SimulatedMeter } from '../../src/modbus/sim/meter-sim.js';
import { SimulatedRelayBoard } from '../../src/modbus/sim/relay-sim.js';
import { startTcpSlave } from '../../src/modbus/sim/tcp-slave.js';
import { decodeValue } from '../../src/meters/decode.js';
import { Cleanup, waitFor } from './helpers/cleanup.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function simLine(): SimulatedModbusLine {
  const line = new SimulatedModbusLine();
  line.add(new SimulatedMeter({ unit: 1, model: 'chint-dtsu666' }), new SimulatedMeter({ unit: 2, model: 'eastron-sdm630' }), new SimulatedRelayBoard({ unit: 3 }));
  return cleanup.add(line, (l) => l.close());
}

const float = { type: 'float32', wordOrder: 'big', scale: 1 } as const;

describe('ModbusBus over Modbus TCP (MBAP)', () => {
  it('reads and writes through a TCP server on port 0', async () => {
    const line = simLine();
    const slave = cleanup.add(await startTcpSlave(line, { framing: 'tcp' }), (s) => s.close());
    const bus = cleanup.add(new ModbusBus({ id: 'tcp-a', transport: { kind: 'tcp', host: '127.0.0.1', port: slave.port }, timeoutMs: 1000 }), (b) => b.stop());
    await bus.start();
    const words = await bus.readRegisters(1, 'holding', 0x2006, 2);
    // DTSU666 sends tenths of a volt.
    expect(decodeValue({ ...float, scale: 0.1 }, words, 0)).toBeGreaterThan(200);
    expect(decodeValue({ ...float, scale: 0.1 }, words, 0)).toBeLessThan(260);
    await bus.writeCoils(3, 0, [true, false, true, false, false, false, false, true]);
    expect(await bus.readBits(3, 'coil', 0, 8)).toEqual([true, false, true, false, false, false, false, true]);
  });

  it('skips a late reply to a timed-out transaction by its transaction id', async () => {
    const line = simLine();
    const slave = cleanup.add(await startTcpSlave(line, { framing: 'tcp' }), (s) => s.close());
    const bus = cleanup.add(new ModbusBus({ id: 'tcp-b', transport: { kind: 'tcp', host: '127.0.0.1', port: slave.port }, timeoutMs: 1000, retries: 0, offlineAfterFailures: 3 }), (b) => b.stop());
    await bus.start();
    // The voltage reply comes after 1.3 s: too late for the 1 s timeout. The next request
    // (frequency, same unit, same function, same length) takes 600 ms, so the stale voltage
    // reply lands in the middle of it; only the transaction id tells them apart. (Wide
    // margins: a loaded machine adds its own delay to every reply.)
    line.setFaults(2, { extraDelayMs: 1300 });
    await expect(bus.readRegisters(2, 'input', 0x00, 2)).rejects.toMatchObject({ reason: 'modbus.timeout' });
    line.setFaults(2, { extraDelayMs: 600 });
    const words = await bus.readRegisters(2, 'input', 0x46, 2);
    expect(decodeValue(float, words, 0)).toBeCloseTo(50, 0);
    expect(bus.status().strayBytes).toBeGreaterThan(0);
    expect(bus.deviceStatsOf(2)).toMatchObject({ timeouts: 1, frameErrors: 0, responses: 1 });
  });

  it('treats a unit that does not answer as a timeout, per device', async () => {
    const line = simLine();
    const slave = cleanup.add(await startTcpSlave(line, { framing: 'tcp' }), (s) => s.close());
    const bus = cleanup.add(new ModbusBus({ id: 'tcp-c', transport: { kind: 'tcp', host: '127.0.0.1', port: slave.port }, timeoutMs: 1000 }), (b) => b.stop());
    // A short timeout for the unit nobody answers for; the healthy unit keeps the generous one.
    bus.configureDevice(42, { timeoutMs: 60 });
    await bus.start();
    await expect(bus.readRegisters(42, 'holding', 0, 1)).rejects.toMatchObject({ reason: 'modbus.timeout', unit: 42 });
    expect(bus.deviceStatsOf(42)).toMatchObject({ timeouts: 2, state: 'offline' });
    expect(await bus.readBits(3, 'coil', 0, 1)).toEqual([false]);
  });

  it('reconnects after the server drops and comes back on the same port', async () => {
    const line = simLine();
    const slave = cleanup.add(await startTcpSlave(line, { framing: 'tcp' }), (s) => s.close());
    const bus = cleanup.add(
      new ModbusBus({ id: 'tcp-d', transport: { kind: 'tcp', host: '127.0.0.1', port: slave.port }, timeoutMs: 1000, reconnect: { minDelayMs: 30, maxDelayMs: 100 } }),
      (b) => b.stop(),
    );
    await bus.start();
    await bus.readBits(3, 'coil', 0, 8);
    await slave.close();
    await waitFor(() => bus.status().state !== 'open', 'bus sees the dropped connection');
    await expect(bus.readBits(3, 'coil', 0, 8)).rejects.toBeInstanceOf(ModbusError);
    await slave.reopen();
    await waitFor(() => bus.status().state === 'open', 'bus reconnects by itself');
    expect(await bus.readBits(3, 'coil', 0, 8)).toHaveLength(8);
    expect(bus.status().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('recovers from a reply cut short', async () => {
    const line = simLine();
    const slave = cleanup.add(await startTcpSlave(line, { framing: 'tcp' }), (s) => s.close());
    const bus = cleanup.add(
      new ModbusBus({ id: 'tcp-e', transport: { kind: 'tcp', host: '127.0.0.1', port: slave.port }, timeoutMs: 1000, retries: 0, reconnect: { minDelayMs: 20, maxDelayMs: 50 } }),
      (b) => b.stop(),
    );
    await bus.start();
    // The MBAP length promises more than arrives: the read fails as a frame error and
    // the next transaction starts from a clean buffer.
    line.setFaults(3, { shortFrames: 1 });
    await expect(bus.readBits(3, 'coil', 0, 8)).rejects.toMatchObject({ kind: 'frame_error' });
    expect(await bus.readBits(3, 'coil', 0, 8)).toHaveLength(8);
    expect(bus.deviceStatsOf(3)).toMatchObject({ frameErrors: 1, state: 'online' });
  });
});

describe('a Modbus TCP peer that sends garbage', () => {
  it('drops the connection when the byte stream loses its framing, and reconnects', async () => {
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.on('data', (req: Buffer) => {
        // First connection: garbage where an MBAP header belongs. Later: a proper echo of a coil write.
        socket.write(connections === 1 ? Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n') : req);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.add(server, (s) => new Promise((r) => s.close(r)));
    const port = (server.address() as AddressInfo).port;
    const bus = cleanup.add(
      new ModbusBus({ id: 'tcp-f', transport: { kind: 'tcp', host: '127.0.0.1', port }, timeoutMs: 1000, retries: 0, reconnect: { minDelayMs: 20, maxDelayMs: 50 } }),
      (b) => b.stop(),
    );
    await bus.start();
    await expect(bus.writeCoil(1, 0, true)).rejects.toMatchObject({ kind: 'frame_error' });
    await waitFor(() => connections === 2 && bus.status().state === 'open', 'a fresh connection');
    await bus.writeCoil(1, 0, true);
    expect(bus.deviceStatsOf(1)).toMatchObject({ frameErrors: 1, responses: 1 });
  });
});

describe('ModbusBus over RTU-over-TCP (a serial server)', () => {
  it('speaks RTU frames over the socket, CRC checks included', async () => {
    const line = simLine();
    const slave = cleanup.add(await startTcpSlave(line, { framing: 'rtu' }), (s) => s.close());
    const bus = cleanup.add(
      new ModbusBus({ id: 'gw-1', transport: { kind: 'rtu-over-tcp', host: '127.0.0.1', port: slave.port, lineBaudRate: 9600 }, timeoutMs: 1000 }),
      (b) => b.stop(),
    );
    await bus.start();
    const words = await bus.readRegisters(2, 'input', 0, 2);
    expect(decodeValue(float, words, 0)).toBeGreaterThan(200);
    line.setFaults(2, { crcErrors: 1 });
    await bus.readRegisters(2, 'input', 0, 2);
    expect(bus.deviceStatsOf(2)).toMatchObject({ crcErrors: 1, retries: 1 });
    await bus.writeCoil(3, 7, true);
    expect(line.device<SimulatedRelayBoard>(3)!.states[7]).toBe(true);
  });
});
