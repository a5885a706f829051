import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedModbusLine } from '../../src/modbus/sim/line.js';
import { SimulatedMeter } from '../../src/modbus/sim/meter-sim.js';
import { SimulatedRelayBoard } from '../../src/modbus/sim/relay-sim.js';
import { startRtuSerialSlave } from '../../src/modbus/sim/serial-slave.js';
import { startTcpSlave } from '../../src/modbus/sim/tcp-slave.js';
import { Cleanup } from './helpers/cleanup.js';
import { ptyPair } from './helpers/ptyPair.js';
import { runPymodbusClient } from '@campus/testkit';

/**
 * Our simulators are what the demo campus and the benchmark run on, so a
 * foreign master (python3-pymodbus) must read them right: framing, CRC, float
 * packing and the relay board's coils.
 */
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function line(): SimulatedModbusLine {
  const l = new SimulatedModbusLine({ baudRate: 9600, turnaroundMs: 5 });
  l.add(new SimulatedMeter({ unit: 11, model: 'eastron-sdm630' }), new SimulatedMeter({ unit: 12, model: 'chint-dtsu666' }), new SimulatedRelayBoard({ unit: 31 }));
  return cleanup.add(l, (x) => x.close());
}

describe('simulators read by a python3-pymodbus master', () => {
  it('serves plausible SDM630 and DTSU666 values and a working relay board over RTU', async () => {
    const pty = await ptyPair(cleanup);
    const l = line();
    cleanup.add(await startRtuSerialSlave(l, { path: pty.b }), (s) => s.close());
    const out = await runPymodbusClient({
      mode: 'rtu-serial',
      port: pty.a,
      writes: [{ unit: 31, coil: 4, value: true }],
      reads: [
        { unit: 11, table: 'input', address: 0, count: 6, as: 'float' },
        { unit: 11, table: 'input', address: 0x46, count: 2, as: 'float' },
        { unit: 12, table: 'holding', address: 0x2006, count: 2, as: 'float' },
        { unit: 31, table: 'coil', address: 0, count: 8, as: 'bits' },
      ],
    });
    expect(out.writes).toEqual([{ error: false }]);
    const [volts, freq, dtsu, coils] = out.reads;
    for (const v of volts!.floats!) {
      expect(v).toBeGreaterThan(220);
      expect(v).toBeLessThan(240);
    }
    expect(freq!.floats![0]).toBeCloseTo(50, 0);
    // DTSU666 sends tenths of a volt: a pymodbus user sees ~2300.
    expect(dtsu!.floats![0]).toBeGreaterThan(2200);
    expect(dtsu!.floats![0]).toBeLessThan(2400);
    expect(coils!.bits).toEqual([false, false, false, false, true, false, false, false]);
    expect(l.device<SimulatedRelayBoard>(31)!.states[4]).toBe(true);
  });

  it('serves the same over Modbus TCP, with exceptions for undocumented addresses', async () => {
    const l = line();
    const slave = cleanup.add(await startTcpSlave(l, { framing: 'tcp' }), (s) => s.close());
    const out = await runPymodbusClient({
      mode: 'tcp',
      port: slave.port,
      reads: [
        { unit: 11, table: 'input', address: 0x34, count: 2, as: 'float' },
        { unit: 11, table: 'input', address: 0x200, count: 2, as: 'words' },
      ],
    });
    expect(out.reads[0]!.floats![0]).toBeGreaterThan(0);
    expect(out.reads[1]!.error).toMatch(/exception|Exception/);
  });
});
