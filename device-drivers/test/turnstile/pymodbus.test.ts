import { afterEach, describe, expect, it } from 'vitest';
import { InputWatcher, ModbusRelayBoard, Turnstile, attachPassSensor, openRelayLine, type ModbusLink, type Passage } from '../../src/turnstile/index.js';
import { PtyPair } from '@campus/testkit';
import { eventually, sleep } from '../serial/helpers.js';
import { PymodbusBoard, freePort } from '@campus/testkit';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function connect(link: ModbusLink) {
  const bus = openRelayLine({ link, timeoutMs: 500 });
  cleanups.push(() => bus.close());
  await bus.open();
  await eventually(() => bus.status().state === 'open', 10_000, 'Modbus link to pymodbus');
  return bus;
}

describe('relay board played by pymodbus (Debian python3-pymodbus), driven through the shared ModbusBus', () => {
  it('pulses, holds and reads inputs over Modbus TCP; a turnstile counts a passage from its input', async () => {
    const port = await freePort();
    const peer = await PymodbusBoard.start('tcp', port);
    cleanups.push(() => peer.stop());
    const bus = await connect({ kind: 'tcp', host: '127.0.0.1', port });
    const relay = new ModbusRelayBoard(bus, { id: 'pymodbus-board', channels: 16, pulseMode: 'timer' });
    relay.start();
    cleanups.push(() => relay.stop());

    await relay.pulse(2, 100);
    await eventually(() => peer.writes.length === 2, 5000, 'on then off at the board');
    expect(peer.writes).toEqual([
      { write: 2, values: [true] },
      { write: 2, values: [false] },
    ]);

    await relay.set(7, true);
    expect(await bus.readCoils(1, 0, 8)).toEqual([false, false, false, false, false, false, false, true]);

    const t = new Turnstile(relay, { id: 'east-1', channels: { in: 0, out: 1 }, passFeedback: { windowMs: 5000 } });
    cleanups.push(() => t.dispose());
    const watcher = new InputWatcher(relay, { first: 8, count: 2, pollMs: 20 });
    cleanups.push(() => watcher.stop());
    cleanups.push(attachPassSensor(t, watcher, { in: 8, out: 9 }));
    watcher.start();
    await eventually(() => watcher.current() !== null, 5000, 'first poll');
    const seen: Passage[] = [];
    t.on('passage', (p) => seen.push(p));
    const opening = await t.open('in');
    peer.setInput(8, true);
    await eventually(() => seen.length === 1, 5000, 'the passage');
    expect(seen[0]).toMatchObject({ outcome: 'passed', openingId: opening.openingId });
  });

  it('answers a board without flash support with a clean failure, the gate stays closed', async () => {
    const port = await freePort();
    const peer = await PymodbusBoard.start('tcp', port);
    cleanups.push(() => peer.stop());
    const bus = await connect({ kind: 'tcp', host: '127.0.0.1', port });
    const relay = new ModbusRelayBoard(bus, { id: 'no-flash', channels: 16, pulseMode: 'flash' });
    const t = new Turnstile(relay, { id: 'east-2', channels: { in: 0, out: 1 } });
    const opening = await t.open('in');
    expect(opening.result).toBe('relay-failed');
    expect(opening.error).toMatchObject({ code: 'modbus.exception.2' });
    expect(opening.error?.message).toMatch(/exception 2/i);
    expect(peer.writes).toEqual([]);
    expect(bus.status().state).toBe('open');
  });

  it('drives the board over RTU on a serial line (pty)', async () => {
    const pair = await PtyPair.start();
    cleanups.push(() => pair.dispose());
    const peer = await PymodbusBoard.start('rtu', pair.b);
    cleanups.push(() => peer.stop());
    const bus = await connect({ kind: 'rtu', path: pair.a, baudRate: 9600 });
    const relay = new ModbusRelayBoard(bus, { id: 'rtu-board', channels: 16 });
    relay.start();
    cleanups.push(() => relay.stop());
    await relay.set(4, true);
    await relay.set(4, false);
    await eventually(() => peer.writes.length === 2, 5000, 'two writes');
    expect(peer.writes).toEqual([
      { write: 4, values: [true] },
      { write: 4, values: [false] },
    ]);
    peer.setInput(3, true);
    // The input is set through pymodbus's stdin, so poll until the board shows it.
    let inputs: boolean[] = [];
    for (let i = 0; i < 100 && inputs[3] !== true; i++) {
      inputs = await relay.readInputs(0, 4);
      if (inputs[3] !== true) await sleep(50);
    }
    expect(inputs).toEqual([false, false, false, true]);
  });
});
