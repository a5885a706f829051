import { afterEach, describe, expect, it } from 'vitest';
import { createQrReader, QrReaderSimulator, type QrReader, type ReaderLinkStatus } from '../../src/qr/index.js';
import { waitForState } from '../../src/serial/index.js';
import { eventually } from '../serial/helpers.js';
import { record } from './collect.js';

describe('QrReader behind a TCP serial server', () => {
  let reader: QrReader | null = null;
  let sim: QrReaderSimulator | null = null;

  afterEach(async () => {
    await reader?.close();
    await sim?.close();
    reader = null;
    sim = null;
  });

  async function setup(extra: Record<string, unknown> = {}) {
    sim = await QrReaderSimulator.asTcpServer({ port: 0 }, { suffix: 'CRLF' });
    reader = createQrReader({ id: 'dorm-a-out', transport: { kind: 'tcp', host: '127.0.0.1', port: sim.port }, ...extra });
    const seen = record(reader);
    const states: ReaderLinkStatus[] = [];
    reader.on('state', (s) => states.push(s));
    reader.open();
    await waitForState(reader.transport, 'open', 5000);
    await eventually(() => sim!.connections === 1, 5000, 'converter sees the edge');
    return { seen, states };
  }

  it('reads scans and reconnects after the converter is power-cycled', async () => {
    const { seen, states } = await setup();
    await sim!.scan('STU.2001');
    await eventually(() => seen.scans.length === 1, 5000, 'first scan');

    await sim!.unplug();
    await eventually(() => states.some((s) => s.state === 'error'), 10_000, 'link loss reported');
    expect(states.find((s) => s.state === 'error')).toMatchObject({ readerId: 'dorm-a-out' });
    await sim!.replug();
    await eventually(() => reader!.transport.state === 'open' && sim!.connections === 1, 10_000, 'reconnected');

    await sim!.scan('STU.2002');
    await eventually(() => seen.scans.length === 2, 5000, 'scan after reconnect');
    expect(seen.texts()).toEqual(['STU.2001', 'STU.2002']);
    expect(reader!.status().link.reconnects).toBe(1);
  });

  it('drops heartbeat lines and repeated reads of a card held in front of the reader', async () => {
    const { seen } = await setup({ ignoreLines: ['USR-HEARTBEAT'], repeatSuppressMs: 60_000 });
    await sim!.scan('USR-HEARTBEAT');
    await sim!.scan('STU.3001');
    await sim!.scan('STU.3001');
    await sim!.scan('STU.3002');
    await eventually(() => seen.scans.length === 2, 5000, 'two distinct scans');
    await eventually(() => reader!.status().suppressedRepeats === 1, 5000, 'the repeat counted');
    expect(seen.texts()).toEqual(['STU.3001', 'STU.3002']);
    expect(reader!.status()).toMatchObject({ ignoredLines: 1, suppressedRepeats: 1, scans: 2 });
  });

  it('keeps running when a scan listener throws', async () => {
    const { seen } = await setup();
    reader!.on('scan', () => {
      throw new Error('decision engine bug');
    });
    await sim!.scan('STU.1');
    await sim!.scan('STU.2');
    await eventually(() => seen.scans.length === 2, 5000, 'both scans delivered');
    expect(reader!.transport.state).toBe('open');
  });

  it('refuses a config with a bad feedback command', () => {
    expect(() => createQrReader({ id: 'x', transport: { kind: 'tcp', host: 'h', port: 1 }, feedback: { granted: 'XYZ' } })).toThrow(/hex/);
  });
});
