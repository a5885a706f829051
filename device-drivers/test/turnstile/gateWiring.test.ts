import { afterEach, describe, expect, it } from 'vitest';
import { QrReaderSimulator, createQrReader, type QrScan } from '../../src/qr/index.js';
import { ModbusRelayBoard, RelayBoardSimulator, Turnstile, openRelayLine, serveRtuOnSerial } from '../../src/turnstile/index.js';
import { PtyPair } from '@campus/testkit';
import { eventually } from '../serial/helpers.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// The wiring edge-agent will do, end to end on real serial lines:
// serial path → QR reader (framing) → decision callback → turnstile pulse on a Modbus relay board.
describe('a gate wired from drivers', () => {
  it('opens for a granted card, stays closed for a denied one and for garbage', async () => {
    const readerLine = await PtyPair.start();
    cleanups.push(() => readerLine.dispose());
    const rs485 = await PtyPair.start();
    cleanups.push(() => rs485.dispose());
    const board = new RelayBoardSimulator();
    cleanups.push(() => board.close());
    const boardEnd = serveRtuOnSerial(board, { path: rs485.b });
    cleanups.push(() => boardEnd.close());

    // --- the edge side
    const bus = openRelayLine({ link: { kind: 'rtu', path: rs485.a, baudRate: 9600 } });
    const relay = new ModbusRelayBoard(bus, { id: 'north-board', pulseMode: 'flash' });
    const gate = new Turnstile(relay, { id: 'north-1', channels: { in: 0, out: 1 }, pulseMs: 300 });
    const reader = createQrReader({
      id: 'north-1-in',
      transport: { kind: 'serial', path: readerLine.a, baudRate: 9600 },
      feedback: { denied: 'AA 01' },
    });
    const decide = (scan: QrScan): boolean => scan.text === 'C1.s.2024001.valid'; // the decision engine's job
    reader.on('scan', (scan) => {
      if (decide(scan)) void gate.open('in', { scanId: scan.text });
      else void reader.feedback('denied');
    });
    const badFrames: string[] = [];
    reader.on('bad-frame', (f) => badFrames.push(f.reason));
    await bus.open();
    relay.start();
    reader.open();
    cleanups.push(async () => {
      await reader.close();
      relay.stop();
      gate.dispose();
      await bus.close();
    });

    // --- the reader at the gate
    const qr = QrReaderSimulator.overSerial({ path: readerLine.b, baudRate: 9600 });
    cleanups.push(() => qr.close());
    await eventually(() => reader.transport.state === 'open' && qr.connections === 1 && bus.status().state === 'open', 10_000, 'everything open');

    await qr.write(Buffer.from([0x00, 0xff, 0x0d]));
    await qr.scan('C1.s.2024001.forged');
    await qr.scan('C1.s.2024001.valid');
    await eventually(() => board.pulses.length === 1, 5000, 'the gate to open once');
    await eventually(() => qr.received().length === 2, 5000, 'the deny beep at the reader');

    expect(board.pulses).toEqual([expect.objectContaining({ channel: 0, ms: 300, via: 'flash' })]);
    expect(qr.received().toString('hex')).toBe('aa01');
    expect(badFrames).toEqual(['garbage']);
  });
});
