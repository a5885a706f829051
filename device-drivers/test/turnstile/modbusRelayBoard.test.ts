import { afterEach, describe, expect, it } from 'vitest';
import {
  ModbusRelayBoard,
  RelayBoardSimulator,
  openRelayLine,
  serveModbusTcp,
  serveRtuOnSerial,
  serveRtuOverTcp,
  type CoilBus,
  type ModbusCoilBusOptions,
  type ModbusRelayBoardOptions,
  type SimulatorTcpServer,
} from '../../src/turnstile/index.js';
import { ModbusSerialCoilBus } from './referenceCoilBus.js';
import type { LinkStatus } from '../../src/serial/index.js';
import { PtyPair } from '@campus/testkit';
import { eventually } from '../serial/helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A coil bus the relay board runs on, opened and closed by the test. */
type TestCoilBus = CoilBus & { close(): Promise<void> };

/**
 * The relay board's contract holds on both masters: the edge's (the shared ModbusBus)
 * and modbus-serial's, kept as an independent reference.
 */
const masters: Array<[string, (o: ModbusCoilBusOptions) => Promise<TestCoilBus>]> = [
  [
    'shared ModbusBus',
    async (o) => {
      const bus = openRelayLine(o);
      await bus.open();
      return bus;
    },
  ],
  [
    'modbus-serial (reference)',
    async (o) => {
      const bus = new ModbusSerialCoilBus(o);
      bus.open();
      return bus;
    },
  ],
];

function board(bus: CoilBus, options: Partial<ModbusRelayBoardOptions> = {}): ModbusRelayBoard {
  const b = new ModbusRelayBoard(bus, { id: 'gate-board-1', ...options });
  b.start();
  cleanups.push(() => b.stop());
  return b;
}

describe.each(masters)('ModbusRelayBoard against the relay-board simulator, master: %s', (_name, master) => {
  async function tcpRig(framing: 'mbap' | 'rtu' = 'mbap', simOptions = {}) {
    const sim = new RelayBoardSimulator(simOptions);
    cleanups.push(() => sim.close());
    const server: SimulatorTcpServer = framing === 'mbap' ? await serveModbusTcp(sim) : await serveRtuOverTcp(sim);
    cleanups.push(() => server.stop());
    const bus = await master({
      link: framing === 'mbap' ? { kind: 'tcp', host: '127.0.0.1', port: server.port } : { kind: 'rtu-over-tcp', host: '127.0.0.1', port: server.port },
      timeoutMs: 300,
    });
    cleanups.push(() => bus.close());
    await eventually(() => bus.status().state === 'open', 5000, 'Modbus link open');
    return { sim, server, bus };
  }

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

  it('holds and releases relays and reads inputs and coils', async () => {
    const { sim, bus } = await tcpRig('mbap');
    const relay = board(bus);
    await relay.set(0, true);
    await relay.set(1, true);
    expect(sim.coils().slice(0, 3)).toEqual([true, true, false]);
    await relay.set(0, false);
    expect(sim.coils()[0]).toBe(false);
    sim.setInput(6, true);
    expect(await relay.readInputs(4, 4)).toEqual([false, false, true, false]);
    expect(await bus.readCoils(1, 0, 3)).toEqual([false, true, false]);
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

  it('drives a board over RTU on a serial line and recovers from unplug/replug', async () => {
    const pair = await PtyPair.start();
    cleanups.push(() => pair.dispose());
    const sim = new RelayBoardSimulator();
    cleanups.push(() => sim.close());
    const endpoint = serveRtuOnSerial(sim, { path: pair.b, baudRate: 9600 });
    cleanups.push(() => endpoint.close());
    const bus = await master({ link: { kind: 'rtu', path: pair.a, baudRate: 9600 }, timeoutMs: 300 });
    cleanups.push(() => bus.close());
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

describe('relay board on the shared ModbusBus: a silent board on a healthy line', () => {
  it('times out, reports the board offline while the line stays open, and re-applies its hold when it answers again', async () => {
    const sim = new RelayBoardSimulator({ unitId: 1 });
    cleanups.push(() => sim.close());
    const server = await serveModbusTcp(sim);
    cleanups.push(() => server.stop());
    const bus = openRelayLine({ link: { kind: 'tcp', host: '127.0.0.1', port: server.port }, timeoutMs: 150, maxTimeouts: 1, backoff: { initialDelayMs: 50, maxDelayMs: 200 }, units: [1] });
    cleanups.push(() => bus.close());
    await bus.open();
    const states: LinkStatus[] = [];
    bus.onState((s) => states.push(s));
    const relay = board(bus, { unitId: 1, retryMs: 100 });
    await relay.set(2, true);

    // The board goes deaf (its unit is changed under it), then loses power.
    sim.options.unitId = 9;
    await expect(relay.set(3, true)).rejects.toMatchObject({ reason: 'modbus.timeout', message: expect.stringMatching(/did not answer within/) });
    await eventually(() => bus.status().state === 'error', 5000, 'board reported offline');
    expect(bus.status().error?.code).toBe('modbus.device_offline');
    expect(bus.line.status().state).toBe('open');
    sim.powerLoss();
    expect(sim.coils()[2]).toBe(false);

    sim.options.unitId = 1;
    await eventually(() => sim.coils()[2] === true && sim.coils()[3] === true, 10_000, 'both holds re-applied after the board came back');
    await eventually(() => bus.status().state === 'open', 5000, 'board back online');
    expect(states.map((s) => s.state)).toEqual(['error', 'open']);
  });
});
