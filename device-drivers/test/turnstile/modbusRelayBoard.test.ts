import { afterEach, describe, expect, it } from 'vitest';
import {
  ModbusRelayBoard,
  ModbusSerialCoilBus,
  RelayBoardSimulator,
  serveModbusTcp,
  serveRtuOnSerial,
  serveRtuOverTcp,
  type ModbusRelayBoardOptions,
  type SimulatorTcpServer,
} from '../../src/turnstile/index.js';
import type { LinkStatus } from '../../src/serial/index.js';
import { PtyPair } from '../serial/ptyPair.js';
import { eventually } from '../serial/helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function board(bus: ModbusSerialCoilBus, options: Partial<ModbusRelayBoardOptions> = {}): ModbusRelayBoard {
  const b = new ModbusRelayBoard(bus, { id: 'gate-board-1', ...options });
  b.start();
  cleanups.push(() => b.stop());
  return b;
}

async function tcpRig(framing: 'mbap' | 'rtu' = 'mbap', simOptions = {}) {
  const sim = new RelayBoardSimulator(simOptions);
  cleanups.push(() => sim.close());
  const server: SimulatorTcpServer = framing === 'mbap' ? await serveModbusTcp(sim) : await serveRtuOverTcp(sim);
  cleanups.push(() => server.stop());
  const bus = new ModbusSerialCoilBus({
    link: framing === 'mbap' ? { kind: 'tcp', host: '127.0.0.1', port: server.port } : { kind: 'rtu-over-tcp', host: '127.0.0.1', port: server.port },
    timeoutMs: 300,
  });
  cleanups.push(() => bus.close());
  bus.open();
  await eventually(() => bus.status().state === 'open', 5000, 'Modbus link open');
  return { sim, server, bus };
}

describe('ModbusRelayBoard against the relay-board simulator', () => {
  it('pulses with on/off and a timer (any board), over Modbus TCP', async () => {
    const { sim, bus } = await tcpRig('mbap');
    const relay = board(bus, { pulseMode: 'timer' });
    await relay.pulse(2, 150);
    expect(sim.coils()[2]).toBe(true);
    await eventually(() => sim.pulses.length === 1, 5000, 'the pulse to end');
    expect(sim.pulses[0]).toMatchObject({ channel: 2, via: 'on-off' });
    expect(sim.pulses[0]!.ms).toBeGreaterThanOrEqual(100);
    expect(sim.coils()[2]).toBe(false);
  });

  it('pulses with the Waveshare flash command (FC05 to 0x0200+ch, value in 100 ms steps), over RTU-over-TCP', async () => {
    const { sim, bus } = await tcpRig('rtu');
    const relay = board(bus, { pulseMode: 'flash' });
    await relay.pulse(5, 250);
    expect(sim.pulses).toEqual([expect.objectContaining({ channel: 5, via: 'flash', ms: 300 })]);
    expect(sim.coils()[5]).toBe(true);
    await eventually(() => sim.coils()[5] === false, 5000, 'the board to end the flash');
  });

  it('holds and releases relays and reads inputs', async () => {
    const { sim, bus } = await tcpRig('mbap');
    const relay = board(bus);
    await relay.set(0, true);
    await relay.set(1, true);
    expect(sim.coils().slice(0, 3)).toEqual([true, true, false]);
    await relay.set(0, false);
    expect(sim.coils()[0]).toBe(false);
    sim.setInput(6, true);
    expect(await relay.readInputs(4, 4)).toEqual([false, false, true, false]);
    expect(relay.boardStatus().held).toEqual([1]);
  });

  it('re-applies a held relay after the board loses power and its link comes back', async () => {
    const { sim, server, bus } = await tcpRig('mbap');
    const relay = board(bus);
    await relay.set(3, true);
    sim.powerLoss();
    await server.stop();
    expect(sim.coils()[3]).toBe(false);
    await eventually(() => bus.status().state !== 'open', 10_000, 'link loss noticed');
    await server.start();
    await eventually(() => sim.coils()[3] === true, 10_000, 'the hold re-applied');
    expect(bus.status().reconnects).toBe(1);
  });

  it('rejects a command the board refuses, and keeps working', async () => {
    const { bus } = await tcpRig('mbap', { channels: 4 });
    const relay = board(bus, { channels: 8 });
    await expect(relay.set(6, true)).rejects.toThrow(/exception 2|Illegal data address/i);
    await relay.set(1, true);
    await expect(relay.pulse(9, 100)).rejects.toThrow(RangeError);
  });

  it('times out against a silent board, reopens the link, and reports it', async () => {
    const { bus } = await tcpRig('mbap', { unitId: 7 });
    const states: LinkStatus[] = [];
    bus.onState((s) => states.push(s));
    const relay = board(bus, { unitId: 1, pulseMode: 'flash' });
    for (let i = 0; i < 3; i++) await expect(relay.pulse(0, 100)).rejects.toThrow(/timed out/i);
    await eventually(() => states.some((s) => s.state === 'error' && s.error?.code === 'ETIMEDOUT'), 5000, 'timeouts reported');
    await eventually(() => bus.status().state === 'open', 5000, 'link reopened');
  });

  it('drives a board over RTU on a serial line and recovers from unplug/replug', async () => {
    const pair = await PtyPair.start();
    cleanups.push(() => pair.dispose());
    const sim = new RelayBoardSimulator();
    cleanups.push(() => sim.close());
    const endpoint = serveRtuOnSerial(sim, { path: pair.b, baudRate: 9600 });
    cleanups.push(() => endpoint.close());
    const bus = new ModbusSerialCoilBus({ link: { kind: 'rtu', path: pair.a, baudRate: 9600 }, timeoutMs: 300 });
    cleanups.push(() => bus.close());
    bus.open();
    await eventually(() => bus.status().state === 'open' && endpoint.transport.state === 'open', 5000, 'both ends open');
    const relay = board(bus, { pulseMode: 'flash' });
    await relay.pulse(1, 500);
    expect(sim.pulses.at(-1)).toMatchObject({ channel: 1, ms: 500, via: 'flash' });

    await pair.unplug();
    await eventually(() => bus.status().state !== 'open', 10_000, 'loss noticed');
    await expect(relay.pulse(1, 500)).rejects.toThrow();
    await pair.replug();
    await eventually(() => bus.status().state === 'open' && endpoint.transport.state === 'open', 10_000, 'both ends back');
    await relay.pulse(0, 200);
    expect(sim.pulses.at(-1)).toMatchObject({ channel: 0, ms: 200, via: 'flash' });
  });
});
