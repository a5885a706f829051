import { afterEach, describe, expect, it } from 'vitest';
import { ModbusBus } from '../../src/modbus/bus.js';
import { ModbusError } from '../../src/modbus/errors.js';
import { SimulatedModbusLine } from '../../src/modbus/sim/line.js';
import { SimulatedRelayBoard } from '../../src/modbus/sim/relay-sim.js';
import { startRtuSerialSlave } from '../../src/modbus/sim/serial-slave.js';
import { EnergyConfigError } from '../../src/meters/errors.js';
import { RelayBoard } from '../../src/relay/relay-board.js';
import { Cleanup, waitFor } from '../modbus/helpers/cleanup.js';
import { ptyPair } from '../modbus/helpers/ptyPair.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

async function waveshare(): Promise<{ board: RelayBoard; sim: SimulatedRelayBoard; line: SimulatedModbusLine }> {
  const pty = await ptyPair(cleanup);
  const sim = new SimulatedRelayBoard({ unit: 1, channels: 8 });
  const line = cleanup.add(new SimulatedModbusLine().add(sim), (l) => l.close());
  cleanup.add(await startRtuSerialSlave(line, { path: pty.b }), (s) => s.close());
  const bus = cleanup.add(new ModbusBus({ id: 'relays', transport: { kind: 'rtu', path: pty.a }, timeoutMs: 1000 }), (b) => b.stop());
  await bus.start();
  const board = cleanup.add(new RelayBoard(bus, { id: 'b1-lights', unit: 1 }), (b) => b.dispose());
  return { board, sim, line };
}

describe('RelayBoard on a Waveshare-style board (RTU over a pty pair)', () => {
  it('switches one channel with the documented frame and reads the states back', async () => {
    const { board, sim } = await waveshare();
    await board.set(3, true);
    expect(sim.commands.at(-1)).toMatchObject({ functionCode: 5, address: 2, value: 0xff00 });
    expect(await board.readStates()).toEqual([false, false, true, false, false, false, false, false]);
    await board.set(3, false);
    expect(sim.commands.at(-1)).toMatchObject({ address: 2, value: 0x0000 });
    expect(sim.states[2]).toBe(false);
  });

  it('flashes with the vendor command: on now, off after the time (board-timed)', async () => {
    const { board, sim } = await waveshare();
    await board.flash(1, 700);
    expect(sim.commands.at(-1)).toMatchObject({ functionCode: 5, address: 0x0200, value: 7 });
    expect((await board.readStates())[0]).toBe(true);
    await waitFor(async () => (await board.readStates())[0] === false, 'flash on ends');

    await board.set(2, true);
    await board.flash(2, 240, 'off');
    expect(sim.commands.at(-1)).toMatchObject({ address: 0x0401, value: 2 });
    expect((await board.readStates())[1]).toBe(false);
    await waitFor(async () => (await board.readStates())[1] === true, 'flash off ends');
  });

  it('switches everything off in one frame', async () => {
    const { board, sim } = await waveshare();
    await board.setAll([true, true, false, true, false, false, true, true]);
    expect(sim.states).toEqual([true, true, false, true, false, false, true, true]);
    const before = sim.commands.length;
    await board.allOff();
    expect(sim.commands.length).toBe(before + 1);
    expect(sim.commands.at(-1)).toMatchObject({ functionCode: 5, address: 0x00ff, value: 0 });
    expect(await board.readStates()).toEqual(new Array(8).fill(false));
  });

  it('tells when the read-back contradicts the command (a welded relay)', async () => {
    const { board, sim } = await waveshare();
    sim.stuck.add(4);
    expect(await board.setAndConfirm(5, true)).toEqual({ confirmed: false, states: new Array(8).fill(false) });
    expect((await board.setAndConfirm(6, true)).confirmed).toBe(true);
  });

  it('refuses a wrong channel or flash time before sending anything, in both languages', async () => {
    const { board, sim } = await waveshare();
    const err = await board.set(9, true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnergyConfigError);
    expect((err as EnergyConfigError).code).toBe('energy.relay_channel');
    expect((err as EnergyConfigError).text['zh-CN']).toBe('继电器板 b1-lights 没有第 9 路（共 8 路，从 1 开始编号）');
    expect((err as EnergyConfigError).text.en).toBe('Relay board b1-lights has no channel 9 (it has 8, numbered from 1)');
    await expect(board.set(0, true)).rejects.toBeInstanceOf(EnergyConfigError);
    await expect(board.flash(1, 10)).rejects.toMatchObject({ code: 'energy.relay_flash_time' });
    await expect(board.flash(1, 4_000_000)).rejects.toMatchObject({ code: 'energy.relay_flash_time' });
    await expect(board.setAll([true])).rejects.toMatchObject({ code: 'energy.relay_channel' });
    expect(sim.commands).toHaveLength(0);
  });

  it('reports a board that does not answer as a Modbus timeout', async () => {
    const { board, line } = await waveshare();
    line.setFaults(1, { silent: true });
    const err = await board.set(1, true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModbusError);
    expect((err as ModbusError).reason).toBe('modbus.timeout');
  });

  it('rejects a configuration it cannot drive', () => {
    expect(() => new RelayBoard({ execute: () => Promise.reject(new Error('unused')) }, { id: 'x', unit: 0 })).toThrow(EnergyConfigError);
    expect(() => new RelayBoard({ execute: () => Promise.reject(new Error('unused')) }, { id: 'x', unit: 1, channels: 0 })).toThrow(/channels/);
  });
});
