import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { PymodbusBoard, openPtyPair, type PtyPair } from '@campus/testkit';
import { QrReaderSimulator } from '@campus/device-drivers/qr/index';
import { RelayBoardSimulator, serveRtuOnSerial } from '@campus/device-drivers/turnstile/index';
import { FakeClock, TestIssuer, seedSchool, startAccessEdge } from './helpers.js';
import { eventsAfter, waitFor, waitOnline } from './rig.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sh = (local: string) => Date.parse(`${local}+08:00`);

describe('gate hardware peers and follow-up', () => {
  it('opens a turnstile on a pymodbus relay board (on/off pulse) for a scan from a TCP serial server', async () => {
    const rs485 = await openPtyPair({ name: 'pymodbus' });
    cleanups.push(() => rs485.close());
    const board = await PymodbusBoard.start('rtu', rs485.b);
    cleanups.push(() => board.stop());
    const reader = await QrReaderSimulator.asTcpServer({ host: '127.0.0.1', port: 0 }, { suffix: 'CR' });
    cleanups.push(() => reader.close());
    const issuer = new TestIssuer();
    const env = await startAccessEdge(
      {
        gates: [{ id: 'east', no: 1, name: '东门', zone: 'campus', turnstile: { board: 'generic', in: 4, out: 5, pulseMs: 200 } }],
        readers: [{ id: 'east-in', gate: 'east', direction: 'in', transport: { kind: 'tcp', host: '127.0.0.1', port: reader.port }, framing: { terminator: 'CR' } }],
        relayBuses: [{ id: 'rs485', link: { kind: 'rtu', path: rs485.a, baudRate: 9600 }, timeoutMs: 500 }],
        relayBoards: [{ id: 'generic', bus: 'rs485', unitId: 1, channels: 8, pulseMode: 'timer' }],
      },
      { issuer, clock: new FakeClock(sh('2026-09-07T07:15:00')) },
    );
    cleanups.push(() => env.cleanup());
    await seedSchool(env.admin);
    await waitOnline(env.edge);
    await waitFor(() => reader.connections === 1, 'the edge connected to the serial server');
    const from = env.edge.store.events.lastSeq();
    await reader.scan(issuer.card('2026010001'));
    const e = await waitFor(() => eventsAfter(env.edge, from, 'access.decision')[0], 'decision');
    expect(e).toMatchObject({ reason: 'access.granted', data: { opened: 'pulsed', reader: 'east-in' } });
    await waitFor(() => board.writes.length >= 2, 'on and off written to the board');
    expect(board.writes.slice(0, 2)).toEqual([
      { write: 4, values: [true] },
      { write: 4, values: [false] },
    ]);
  }, 60_000);

  describe('with a pass sensor and a relay that can fail', () => {
    let rs485: PtyPair;
    let sim: RelayBoardSimulator;
    let readerLine: PtyPair;
    let qr: QrReaderSimulator;
    let env: Awaited<ReturnType<typeof startAccessEdge>>;
    const issuer = new TestIssuer();
    const clock = new FakeClock(sh('2026-09-07T09:00:00'));

    const setup = async (autoPass: boolean) => {
      rs485 = await openPtyPair({ name: 'rs485' });
      sim = new RelayBoardSimulator({ channels: 8, inputs: 8, autoPass: autoPass ? [{ coil: 0, input: 0, afterMs: 100, holdMs: 150 }] : [] });
      const end = serveRtuOnSerial(sim, { path: rs485.b, baudRate: 9600 });
      readerLine = await openPtyPair({ name: 'reader' });
      qr = QrReaderSimulator.overSerial({ path: readerLine.b, baudRate: 9600 });
      cleanups.push(() => rs485.close(), () => end.close(), () => sim.close(), () => readerLine.close(), () => qr.close());
      env = await startAccessEdge(
        {
          gates: [{ id: 'east', no: 1, name: '东门', zone: 'campus', turnstile: { board: 'b1', in: 0, out: 1, passSensor: { in: 0, out: 1, windowMs: 800, pollMs: 20 } } }],
          readers: [{ id: 'east-in', gate: 'east', direction: 'in', transport: { kind: 'serial', path: readerLine.a, baudRate: 9600 } }],
          relayBuses: [{ id: 'rs485', link: { kind: 'rtu', path: rs485.a, baudRate: 9600 }, timeoutMs: 200 }],
          relayBoards: [{ id: 'b1', bus: 'rs485', unitId: 1, channels: 8, pulseMode: 'flash' }],
          deviceOfflineAfterMs: 500,
        },
        { issuer, clock },
      );
      cleanups.push(() => env.cleanup());
      await waitOnline(env.edge);
    };

    const passFor = async (passId: number) =>
      issuer.visitor({ passId, from: sh('2026-09-07T08:00:00'), until: sh('2026-09-07T18:00:00'), oneUse: true, zones: [1] });

    async function scan(text: string) {
      const from = env.edge.store.events.lastSeq();
      await qr.scan(text);
      return waitFor(() => eventsAfter(env.edge, from, 'access.decision')[0], 'decision');
    }

    it('counts a passage through the sensor without an event; a one-use pass is then used up', async () => {
      await setup(true);
      const pass = await passFor(21);
      expect((await scan(pass)).reason).toBe('access.granted.visitor');
      await waitFor(() => env.edge.access.runtime!.passages.passed === 1, 'the passage counted');
      expect(eventsAfter(env.edge, 0, 'access.passage')).toEqual([]);
      expect((await scan(pass)).reason).toBe('access.pass_used');
    }, 30_000);

    it('records an opening nobody went through as not passed and gives the one-use pass back', async () => {
      await setup(false);
      const pass = await passFor(22);
      expect((await scan(pass)).reason).toBe('access.granted.visitor');
      const notPassed = await waitFor(() => eventsAfter(env.edge, 0, 'access.passage')[0], 'not-passed event', 5000);
      expect(notPassed).toMatchObject({ reason: 'access.passage.not_passed', data: { gate: 'east', direction: 'in', outcome: 'not-passed' } });
      expect((await scan(pass)).reason).toBe('access.granted.visitor');
    }, 30_000);

    it('records a passage without an opening as unexpected', async () => {
      await setup(false);
      const from = env.edge.store.events.lastSeq();
      await sim.simulatePass(1, 150);
      const e = await waitFor(() => eventsAfter(env.edge, from, 'access.passage')[0], 'unexpected passage');
      expect(e).toMatchObject({ reason: 'access.passage.unexpected', severity: 'warning', data: { direction: 'out' } });
    }, 30_000);

    it('keeps the gate closed and the pass unused when the relay board does not answer, and reports the bus offline', async () => {
      await setup(false);
      await rs485.unplug();
      await waitFor(() => eventsAfter(env.edge, 0, 'access.device').find((e) => e.reason === 'access.device.offline'), 'relay bus offline');
      const pass = await passFor(23);
      const e = await scan(pass);
      expect(e).toMatchObject({ reason: 'access.granted.visitor', severity: 'warning', data: { opened: 'relay-failed', granted: true } });
      expect(e.data.explanation).toContain('闸机未能打开');
      expect(env.edge.access.passes.uses(23)).toEqual({ in: 0, out: 0 });
      await rs485.replug();
      await waitFor(() => eventsAfter(env.edge, 0, 'access.device').find((x) => x.reason === 'access.device.online'), 'relay bus back', 10_000);
    }, 30_000);
  });
});
