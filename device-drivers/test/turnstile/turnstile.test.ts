import { afterEach, describe, expect, it } from 'vitest';
import {
  FireAlarm,
  InputWatcher,
  ModbusRelayBoard,
  RelayBoardSimulator,
  Turnstile,
  attachPassSensor,
  openRelayLine,
  serveModbusTcp,
  type FireAlarmReport,
  type Passage,
  type RelayBoardSimulatorOptions,
  type TurnstileOptions,
} from '../../src/turnstile/index.js';
import { eventually } from '../serial/helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A real Modbus TCP relay board (simulated) with the edge's driver stack on top. */
async function rig(simOptions: RelayBoardSimulatorOptions = {}) {
  const sim = new RelayBoardSimulator(simOptions);
  cleanups.push(() => sim.close());
  const server = await serveModbusTcp(sim);
  cleanups.push(() => server.stop());
  const bus = openRelayLine({ link: { kind: 'tcp', host: '127.0.0.1', port: server.port }, timeoutMs: 300 });
  cleanups.push(() => bus.close());
  await bus.open();
  await eventually(() => bus.status().state === 'open', 5000, 'Modbus link open');
  const relay = new ModbusRelayBoard(bus, { id: 'board-a', pulseMode: 'flash' });
  relay.start();
  cleanups.push(() => relay.stop());
  return { sim, server, bus, relay };
}

function gate(relay: ModbusRelayBoard, options: Partial<TurnstileOptions> & { id?: string } = {}): Turnstile {
  const t = new Turnstile(relay, { id: 'north-1', channels: { in: 0, out: 1 }, pulseMs: 300, ...options });
  cleanups.push(() => t.dispose());
  return t;
}

function passages(t: Turnstile): Passage[] {
  const list: Passage[] = [];
  t.on('passage', (p) => list.push(p));
  return list;
}

describe('Turnstile', () => {
  it('pulses the IN and OUT unlock inputs on their own channels', async () => {
    const { sim, relay } = await rig();
    const t = gate(relay, { channels: { in: 2, out: 3 } });
    const a = await t.open('in', { scanId: 'scan-1', subject: 'S1001' });
    const b = await t.open('out');
    expect([a.result, b.result]).toEqual(['pulsed', 'pulsed']);
    expect(sim.pulses.map((p) => [p.channel, p.ms])).toEqual([
      [2, 300],
      [3, 300],
    ]);
  });

  it('counts the person who actually went through, from the pass sensor', async () => {
    const { relay } = await rig({ autoPass: [{ coil: 0, input: 4, afterMs: 100, holdMs: 150 }] });
    const t = gate(relay, { passFeedback: { windowMs: 5000 } });
    const watcher = new InputWatcher(relay, { first: 0, count: 8, pollMs: 20 });
    cleanups.push(() => watcher.stop());
    cleanups.push(attachPassSensor(t, watcher, { in: 4, out: 5 }));
    watcher.start();
    await eventually(() => watcher.current() !== null, 5000, 'first input poll');
    const seen = passages(t);
    const opening = await t.open('in', { scanId: 'scan-7' });
    await eventually(() => seen.length === 1, 5000, 'the passage');
    expect(seen[0]).toMatchObject({ outcome: 'passed', reasonCode: 'gate.passed', direction: 'in', openingId: opening.openingId, ref: { scanId: 'scan-7' } });
    expect(t.status().awaiting).toEqual({ in: 0, out: 0 });
  });

  it("records 'not-passed' when nobody goes through in time, and 'unexpected' for a passage nobody opened for", async () => {
    const { sim, relay } = await rig();
    const t = gate(relay, { passFeedback: { windowMs: 500 } });
    const watcher = new InputWatcher(relay, { pollMs: 20 });
    cleanups.push(() => watcher.stop());
    cleanups.push(attachPassSensor(t, watcher, { in: 4, out: 5 }));
    watcher.start();
    await eventually(() => watcher.current() !== null, 5000, 'first input poll');
    const seen = passages(t);
    const opening = await t.open('out', { subject: 'S2002' });
    await eventually(() => seen.length === 1, 5000, 'not-passed');
    expect(seen[0]).toMatchObject({ outcome: 'not-passed', reasonCode: 'gate.not_passed', openingId: opening.openingId, direction: 'out' });

    await sim.simulatePass(5, 100);
    await eventually(() => seen.length === 2, 5000, 'unexpected passage');
    expect(seen[1]).toMatchObject({ outcome: 'unexpected', reasonCode: 'gate.unexpected_passage', openingId: null, direction: 'out' });
  });

  it('stays closed and says why when the relay board is unreachable', async () => {
    const { sim, server, bus, relay } = await rig();
    const t = gate(relay);
    await server.stop();
    await eventually(() => bus.status().state !== 'open', 5000, 'link down');
    const opening = await t.open('in');
    expect(opening).toMatchObject({ result: 'relay-failed', error: { code: 'modbus.link_down' } });
    expect(sim.coils().every((on) => !on)).toBe(true);
    expect(sim.pulses).toEqual([]);
  });
});

describe('FireAlarm', () => {
  it('holds every gate open until cleared, reports it, and lets no pulse or passage through the books meanwhile', async () => {
    const { sim, relay } = await rig();
    const g1 = gate(relay, { id: 'north-1', channels: { in: 0, out: 1 }, passFeedback: { windowMs: 10_000 } });
    const g2 = gate(relay, { id: 'north-2', channels: { in: 2, out: 3 } });
    const seen = passages(g1);
    await g1.open('in');
    const alarm = new FireAlarm([g1, g2]);
    cleanups.push(() => alarm.dispose());
    const reports: FireAlarmReport[] = [];
    alarm.on('change', (r) => reports.push(r));

    const raised = await alarm.activate('fire-panel');
    expect(raised).toMatchObject({ active: true, reasonCode: 'fire_alarm.active', source: 'fire-panel', confirmed: 2, total: 2 });
    expect(sim.coils().slice(0, 4)).toEqual([true, true, true, true]);
    expect(seen).toEqual([expect.objectContaining({ outcome: 'cancelled' })]);

    const pulsesBefore = sim.pulses.length;
    expect((await g2.open('out')).result).toBe('held-open');
    expect(sim.pulses.length).toBe(pulsesBefore);

    const cleared = await alarm.clear('guard:zhang');
    expect(cleared).toMatchObject({ active: false, reasonCode: 'fire_alarm.cleared', confirmed: 2 });
    expect(sim.coils().slice(0, 4)).toEqual([false, false, false, false]);
    expect(reports.map((r) => r.reasonCode)).toEqual(['fire_alarm.active', 'fire_alarm.cleared']);
    expect((await g2.open('out')).result).toBe('pulsed');
  });

  it('keeps retrying a gate whose board is down, and reports it once it is open', async () => {
    const a = await rig();
    const b = await rig();
    const g1 = gate(a.relay, { id: 'dorm-1' });
    const g2 = gate(b.relay, { id: 'dorm-2' });
    await b.server.stop();
    await eventually(() => b.bus.status().state !== 'open', 5000, 'board b offline');

    const alarm = new FireAlarm([g1, g2], { retryMs: 100 });
    cleanups.push(() => alarm.dispose());
    const reports: FireAlarmReport[] = [];
    alarm.on('change', (r) => reports.push(r));
    const raised = await alarm.activate('fire-panel');
    expect(raised.confirmed).toBe(1);
    expect(raised.gates).toEqual([
      { gateId: 'dorm-1', confirmed: true, error: null },
      { gateId: 'dorm-2', confirmed: false, error: expect.objectContaining({ code: 'modbus.link_down' }) },
    ]);

    await b.server.start();
    await eventually(() => alarm.report()?.confirmed === 2, 10_000, 'the second gate held open');
    expect(b.sim.coils().slice(0, 2)).toEqual([true, true]);
    expect(reports.at(-1)).toMatchObject({ active: true, confirmed: 2 });
  });
});
