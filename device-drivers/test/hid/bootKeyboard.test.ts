import { afterEach, describe, expect, it } from 'vitest';
import { BootKeyboardDecoder, UNSUPPORTED_KEY_BYTE, createHidScanner } from '../../src/hid/index.js';
import { LineFramer, type Frame, type QrReader, type ReaderLinkStatus } from '../../src/qr/index.js';
import { captures } from './fixtures/captures.js';
import { parseDump } from './parseDump.js';
import { eventually } from '../serial/helpers.js';

const r = (...bytes: number[]): Buffer => Buffer.from([...bytes, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8));

function typed(decoder: BootKeyboardDecoder, reports: Buffer[]): string {
  return Buffer.concat(reports.map((x) => decoder.decode(x) ?? Buffer.alloc(0))).toString('latin1');
}

describe('BootKeyboardDecoder', () => {
  it('types letters, digits and punctuation with left and right shift', () => {
    const d = new BootKeyboardDecoder();
    const reports = [r(0, 0, 0x04), r(0), r(0x02, 0, 0x04), r(0), r(0x20, 0, 0x1e), r(0), r(0, 0, 0x1e), r(0), r(0x20, 0, 0x38), r(0), r(0, 0, 0x2d), r(0)];
    expect(typed(d, reports)).toBe('aA!1?-');
  });

  it('ignores key-up reports and keys held across reports', () => {
    const d = new BootKeyboardDecoder();
    expect(typed(d, [r(0, 0, 0x05), r(0, 0, 0x05), r(0, 0, 0x05), r(0), r(0), r(0, 0, 0x05), r(0)])).toBe('bb');
  });

  it('handles rollover: a new key while another is still down', () => {
    const d = new BootKeyboardDecoder();
    expect(typed(d, [r(0, 0, 0x04), r(0, 0, 0x04, 0x05), r(0, 0, 0x05, 0x06), r(0, 0, 0x06), r(0)])).toBe('abc');
  });

  it('skips the ErrorRollOver phantom report without losing or repeating keys', () => {
    const d = new BootKeyboardDecoder();
    expect(typed(d, [r(0, 0, 0x04), r(0, 0, 1, 1, 1, 1, 1, 1), r(0, 0, 0x04), r(0)])).toBe('a');
    expect(d.stats().rolloverErrors).toBe(1);
  });

  it('turns Enter and keypad Enter into CR, and Tab only when asked', () => {
    expect(typed(new BootKeyboardDecoder(), [r(0, 0, 0x28), r(0), r(0, 0, 0x58), r(0), r(0, 0, 0x2b), r(0)])).toBe(`\r\r${String.fromCharCode(UNSUPPORTED_KEY_BYTE)}`);
    expect(typed(new BootKeyboardDecoder({ terminatorKeys: ['tab'] }), [r(0, 0, 0x2b), r(0)])).toBe('\r');
  });

  it('marks Ctrl/Alt combinations and keys without a character as unsupported', () => {
    const d = new BootKeyboardDecoder();
    const sub = String.fromCharCode(UNSUPPORTED_KEY_BYTE);
    expect(typed(d, [r(0x01, 0, 0x04), r(0), r(0x40, 0, 0x1f), r(0), r(0, 0, 0x3a), r(0)])).toBe(sub.repeat(3));
    expect(d.stats().unsupportedKeys).toBe(3);
  });

  it('follows Caps Lock pressed by the scanner', () => {
    const d = new BootKeyboardDecoder();
    expect(typed(d, [r(0, 0, 0x39), r(0), r(0, 0, 0x04), r(0), r(0x02, 0, 0x04), r(0), r(0, 0, 0x1e), r(0), r(0, 0, 0x39), r(0), r(0, 0, 0x04), r(0)])).toBe('Aa1a');
  });

  it('strips a report id and refuses reports of the wrong size', () => {
    const d = new BootKeyboardDecoder({ reportId: 1 });
    expect(d.decode(Buffer.from([1, 0, 0, 0x04, 0, 0, 0, 0, 0]))?.toString()).toBe('a');
    expect(d.decode(Buffer.from([0, 0, 0x04]))).toBeNull();
    expect(new BootKeyboardDecoder().decode(Buffer.from([1, 0, 0, 0x04, 0, 0, 0, 0, 0]))).toBeNull();
    expect(d.stats().malformed).toBe(1);
  });
});

describe.each(captures)('recorded scanner reports: $name', (capture) => {
  it(`decodes to ${JSON.stringify(capture.expected)}`, () => {
    const decoder = new BootKeyboardDecoder({ reportId: capture.reportId });
    const frames: Frame[] = [];
    const framer = new LineFramer({ terminator: 'CR' }, (f) => frames.push(f));
    for (const report of parseDump(capture.dump)) {
      const bytes = decoder.decode(report);
      expect(bytes).not.toBeNull();
      framer.push(bytes!);
    }
    expect(frames.flatMap((f) => (f.kind === 'line' ? [f.text] : []))).toEqual(capture.expected);
    expect(frames.filter((f) => f.kind === 'bad').length).toBe(capture.refused);
    expect(framer.stats().pendingBytes).toBe(0);
  });
});

describe('HID scanner wrapper without hardware', () => {
  let scanner: QrReader | null = null;
  afterEach(async () => {
    await scanner?.close();
    scanner = null;
  });

  it('reports a scanner that is not plugged in and keeps looking for it', async () => {
    scanner = createHidScanner({ id: 'library-desk', device: { vendorId: 0x0c2e, productId: 0x0b61 } });
    const states: ReaderLinkStatus[] = [];
    scanner.on('state', (s) => states.push(s));
    scanner.open();
    await eventually(() => states.filter((s) => s.state === 'error').length >= 2, 10_000, 'two failed looks');
    expect(states.find((s) => s.state === 'error')).toMatchObject({ id: 'hid:0c2e:0b61', readerId: 'library-desk', error: { code: 'ENODEV' } });
    expect(await scanner.feedback('granted')).toBe('unsupported');
  });
});
