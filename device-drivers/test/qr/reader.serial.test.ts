import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QrReader, QrReaderSimulator, type QrReaderSimulatorOptions } from '../../src/qr/index.js';
import { SerialPathTransport, waitForState } from '../../src/serial/index.js';
import { PtyPair } from '@campus/testkit';
import { eventually } from '../serial/helpers.js';
import { record } from './collect.js';

const CARD = 'C1.s.20240901.7f3a9c:Zk9vYmFyYmF6cXV4LXNpZ25hdHVyZQ';

describe('QrReader on a real serial line (socat pty pair)', () => {
  let pair: PtyPair;
  let reader: QrReader | null = null;
  let sim: QrReaderSimulator | null = null;

  beforeEach(async () => {
    pair = await PtyPair.start();
  });
  afterEach(async () => {
    await reader?.close();
    await sim?.close();
    reader = null;
    sim = null;
    await pair.dispose();
  });

  async function setup(options: Partial<ConstructorParameters<typeof QrReader>[1]> = {}, simOptions: QrReaderSimulatorOptions = {}) {
    reader = new QrReader(new SerialPathTransport({ path: pair.a, baudRate: 9600 }), { id: 'north-gate-in', ...options });
    const seen = record(reader);
    reader.open();
    await waitForState(reader.transport, 'open', 5000);
    sim = QrReaderSimulator.overSerial({ path: pair.b, baudRate: 9600 }, simOptions);
    await eventually(() => sim!.connections === 1, 5000, 'simulator line open');
    return seen;
  }

  it.each(['CR', 'LF', 'CRLF'] as const)('reads cards ending in %s', async (suffix) => {
    const seen = await setup({}, { suffix });
    await sim!.scan(CARD);
    await sim!.scan('VIS.42');
    await eventually(() => seen.scans.length === 2, 5000, 'two scans');
    expect(seen.texts()).toEqual([CARD, 'VIS.42']);
    expect(seen.scans[0]).toMatchObject({ readerId: 'north-gate-in', terminator: suffix === 'LF' ? 'LF' : 'CR' });
    expect(seen.bad).toEqual([]);
  });

  it('reports random bytes as garbage and keeps reading', async () => {
    const seen = await setup();
    await sim!.write(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x80, 0x0d]));
    await sim!.scan(CARD);
    await eventually(() => seen.scans.length === 1, 5000, 'the good card');
    expect(seen.reasons()).toEqual(['garbage']);
    expect(seen.bad[0]).toMatchObject({ reasonCode: 'reader.frame.garbage', bytes: 6, preview: '00ff13378' + '0' });
    expect(seen.texts()).toEqual([CARD]);
  });

  it('discards an overlong line and keeps reading', async () => {
    const seen = await setup({ framing: { maxLineLength: 120 } });
    await sim!.scan('A'.repeat(500));
    await sim!.scan(CARD);
    await eventually(() => seen.scans.length === 1, 5000, 'the good card');
    expect(seen.reasons()).toEqual(['overlong']);
    expect(seen.bad[0]!.bytes).toBe(501);
  });

  it('gives up a line without suffix after the idle timeout and keeps reading', async () => {
    const seen = await setup({ framing: { idleTimeoutMs: 50 } });
    await sim!.write(Buffer.from('STU.1001'));
    await eventually(() => seen.bad.length === 1, 5000, 'no-suffix report');
    expect(seen.bad[0]).toMatchObject({ reason: 'no-suffix', bytes: 8, reasonCode: 'reader.frame.no_suffix' });
    await sim!.scan(CARD);
    await eventually(() => seen.scans.length === 1, 5000, 'the good card');
    expect(seen.texts()).toEqual([CARD]);
  });

  it('takes a line without suffix as a scan when configured to', async () => {
    const seen = await setup({ framing: { idleTimeoutMs: 50, onMissingSuffix: 'accept' } });
    await sim!.write(Buffer.from('STU.1001'));
    await eventually(() => seen.scans.length === 1, 5000, 'the idle-terminated scan');
    expect(seen.scans[0]).toMatchObject({ text: 'STU.1001', terminator: 'idle' });
  });

  it('survives a reader spewing garbage at full speed, then reads the next card', async () => {
    const seen = await setup({ framing: { maxLineLength: 128 } });
    let chunks = 0;
    reader!.transport.on('data', () => chunks++);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    try {
      await sim!.spewGarbage(1024 * 1024, 4096);
      await sim!.write(Buffer.from('\r\n'));
      await sim!.scan(CARD);
      await eventually(() => seen.scans.at(-1)?.text === CARD, 20_000, 'the good card after the spew');
    } finally {
      clearInterval(ticker);
    }
    const status = reader!.status();
    expect(status.framer.bytesIn).toBeGreaterThanOrEqual(1024 * 1024);
    // Bounded state: nothing buffered beyond one line, and reports are merged per chunk.
    expect(status.framer.pendingBytes).toBe(0);
    expect(seen.bad.length).toBeLessThanOrEqual(4 * chunks);
    const accounted = status.framer.lineBytes + status.framer.badBytes + status.framer.ignoredBytes;
    expect(accounted).toBe(status.framer.bytesIn);
    // The event loop kept running while the garbage was processed.
    expect(ticks).toBeGreaterThan(0);
    expect(reader!.transport.state).toBe('open');
  });

  it('reports a line cut by an unplug as truncated and reads again after replug', async () => {
    // A long idle timeout: the partial line must still be pending when the link drops. With the
    // default 200 ms a loaded machine can take longer to kill socat, and the line is then (rightly)
    // given up as 'no-suffix' first.
    const seen = await setup({ framing: { idleTimeoutMs: 60_000 } });
    await sim!.write(Buffer.from('STU.10'));
    await eventually(() => reader!.status().framer.pendingBytes === 6, 5000, 'partial line buffered');
    await pair.unplug();
    await eventually(() => seen.reasons().includes('truncated'), 10_000, 'truncated report');
    await eventually(() => reader!.transport.state === 'error' || reader!.transport.state === 'connecting', 5000, 'link down');

    await pair.replug();
    await eventually(() => reader!.transport.state === 'open' && sim!.connections === 1, 10_000, 'both ends back');
    await sim!.scan(CARD);
    await eventually(() => seen.scans.length === 1, 5000, 'a scan after replug');
    expect(seen.texts()).toEqual([CARD]);
    expect(reader!.status().link.reconnects).toBe(1);
  });

  it('sends feedback to the module and cuts its reply out of the stream', async () => {
    const reply = '02 00 00 01 00 33 31';
    const seen = await setup(
      { feedback: { granted: '7E 00 08 01 00 D9 01 AB CD', denied: '7E 00 08 01 00 D9 02 AB CD', reply } },
      { reply },
    );
    expect(await reader!.feedback('granted')).toBe('sent');
    await eventually(() => sim!.received().length === 9, 5000, 'the command at the module');
    expect(sim!.received().toString('hex')).toBe('7e00080100d901abcd');
    await eventually(() => reader!.status().replyBytesSwallowed === 7, 5000, 'the reply swallowed');
    await sim!.scan(CARD);
    await eventually(() => seen.scans.length === 1, 5000, 'the next card');
    expect(seen.texts()).toEqual([CARD]);
    expect(seen.bad).toEqual([]);
  });

  it('says so when no feedback is configured or the line is down', async () => {
    await setup({ feedback: { denied: 'AA 55' } });
    expect(await reader!.feedback('granted')).toBe('unsupported');
    await pair.unplug();
    await eventually(() => reader!.transport.state !== 'open', 10_000, 'link down');
    expect(await reader!.feedback('denied')).toBe('offline');
  });
});
