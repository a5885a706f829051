import { describe, expect, it } from 'vitest';
import { LineFramer, type Frame, type FramingOptions } from '../../src/qr/index.js';

function frame(options: FramingOptions, ...chunks: (string | number[])[]): { frames: Frame[]; framer: LineFramer } {
  const frames: Frame[] = [];
  const framer = new LineFramer(options, (f) => frames.push(f));
  for (const c of chunks) framer.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : Buffer.from(c));
  return { frames, framer };
}

const lines = (frames: Frame[]): string[] => frames.flatMap((f) => (f.kind === 'line' ? [f.text] : []));

describe('LineFramer', () => {
  it('accepts CR, LF and CRLF in auto mode, across chunk boundaries', () => {
    const { frames, framer } = frame({}, 'STU:1\r', '\nSTU:2\nST', 'U:3\r\n\r\n');
    expect(lines(frames)).toEqual(['STU:1', 'STU:2', 'STU:3']);
    expect(frames.every((f) => f.kind === 'line')).toBe(true);
    expect(framer.stats()).toMatchObject({ bytesIn: 22, lines: 3, ignoredBytes: 4, pendingBytes: 0 });
  });

  it('emits a CR-terminated line at the CR, without waiting for an LF that may never come', () => {
    const { frames } = frame({}, 'VIS:7\r');
    expect(frames).toEqual([{ kind: 'line', text: 'VIS:7', bytes: 6, terminator: 'CR' }]);
  });

  it('in strict CRLF mode a lone CR inside a line makes it garbage', () => {
    const { frames } = frame({ terminator: 'CRLF' }, 'AB\rC\r\n', 'OK\r', '\n');
    expect(frames[0]).toMatchObject({ kind: 'bad', reason: 'garbage', bytes: 6 });
    expect(frames[1]).toEqual({ kind: 'line', text: 'OK', bytes: 4, terminator: 'CRLF' });
  });

  it('in strict CR mode an LF is not a terminator but a non-printable byte', () => {
    const { frames } = frame({ terminator: 'CR' }, 'A\nB\r');
    expect(frames).toEqual([{ kind: 'bad', reason: 'garbage', bytes: 4, lines: 1, preview: '410a42' }]);
  });

  it('discards an overlong line up to its terminator and keeps reading', () => {
    const { frames, framer } = frame({ maxLineLength: 8 }, 'X'.repeat(20), 'Y'.repeat(5), '\r\nGOOD\r\n');
    expect(frames[0]).toMatchObject({ kind: 'bad', reason: 'overlong', bytes: 26, lines: 1 });
    expect(frames[1]).toMatchObject({ kind: 'line', text: 'GOOD' });
    expect(framer.stats().pendingBytes).toBe(0);
  });

  it('accepts a line of exactly maxLineLength', () => {
    const { frames } = frame({ maxLineLength: 8 }, '12345678\n');
    expect(lines(frames)).toEqual(['12345678']);
  });

  it('reports an endless line periodically instead of staying silent', () => {
    const framer = new LineFramer({ maxLineLength: 16, overlongReportEvery: 1024 }, (f) => frames.push(f));
    const frames: Frame[] = [];
    for (let i = 0; i < 10; i++) framer.push(Buffer.alloc(1000, 0x41));
    const overlong = frames.filter((f) => f.kind === 'bad' && f.reason === 'overlong');
    expect(overlong.length).toBeGreaterThanOrEqual(9);
    const reported = overlong.reduce((n, f) => n + f.bytes, 0);
    expect(reported + framer.stats().pendingBytes).toBe(10_000);
  });

  it('flags non-printable bytes as garbage and merges the bad lines of one chunk per reason', () => {
    const { frames } = frame({}, [0x00, 0x41, 0x0d, 0xff, 0xfe, 0x0a, 0x01, 0x0d], 'OK\r');
    expect(frames).toEqual([
      { kind: 'bad', reason: 'garbage', bytes: 8, lines: 3, preview: '0041' },
      { kind: 'line', text: 'OK', bytes: 3, terminator: 'CR' },
    ]);
  });

  it('gives up a line without suffix on idle, or accepts it when configured', () => {
    const discard = frame({}, 'HALF');
    discard.framer.idle();
    expect(discard.frames).toEqual([{ kind: 'bad', reason: 'no-suffix', bytes: 4, lines: 1, preview: '48414c46' }]);

    const accept = frame({ onMissingSuffix: 'accept' }, 'WHOLE');
    accept.framer.idle();
    expect(accept.frames).toEqual([{ kind: 'line', text: 'WHOLE', bytes: 5, terminator: 'idle' }]);
  });

  it('reports a line cut by a disconnect as truncated', () => {
    const { frames, framer } = frame({}, 'STU:12');
    framer.reset();
    expect(frames).toEqual([{ kind: 'bad', reason: 'truncated', bytes: 6, lines: 1, preview: '5354553a3132' }]);
    expect(framer.stats().pendingBytes).toBe(0);
  });

  it('accepts UTF-8 text only when asked to, and only when it is valid', () => {
    const text = '访客:王老师';
    expect(lines(frame({}, Buffer.from(text + '\n').toString('latin1')).frames)).toEqual([]);
    expect(lines(frame({ charset: 'utf8' }, Buffer.from(text + '\n').toString('latin1')).frames)).toEqual([text]);
    const broken = frame({ charset: 'utf8' }, [0xe8, 0xae, 0x0a]);
    expect(broken.frames[0]).toMatchObject({ kind: 'bad', reason: 'garbage' });
  });

  it('refuses nonsense options', () => {
    expect(() => new LineFramer({ maxLineLength: 0 }, () => {})).toThrow(/maxLineLength/);
  });
});
