import { describe, expect, it } from 'vitest';
import { ReplyFilter } from '../../src/qr/index.js';

const REPLY = Buffer.from('02000001003331', 'hex');

describe('ReplyFilter', () => {
  it('passes bytes through untouched when no reply is expected', () => {
    const f = new ReplyFilter(REPLY, 500);
    const chunk = Buffer.concat([REPLY, Buffer.from('STU\r\n')]);
    expect(f.filter(chunk, 0)).toBe(chunk);
  });

  it('cuts an expected reply out, even split across chunks and glued to a scan', () => {
    const f = new ReplyFilter(REPLY, 500);
    f.expect(0);
    const stream = Buffer.concat([Buffer.from('A\r\n'), REPLY, Buffer.from('STU.9\r\n')]);
    const out = [f.filter(stream.subarray(0, 5), 1), f.filter(stream.subarray(5, 8), 2), f.filter(stream.subarray(8), 3)];
    expect(Buffer.concat(out).toString()).toBe('A\r\nSTU.9\r\n');
    expect(f.swallowedBytes).toBe(7);
  });

  it('gives back a partial match that turns out not to be the reply', () => {
    const f = new ReplyFilter(REPLY, 500);
    f.expect(0);
    expect(f.filter(Buffer.from([0x02, 0x00, 0x41]), 1)).toEqual(Buffer.from([0x02, 0x00, 0x41]));
  });

  it('releases held bytes once the reply is overdue', () => {
    const f = new ReplyFilter(REPLY, 100);
    f.expect(0);
    expect(f.filter(Buffer.from([0x02, 0x00]), 10).length).toBe(0);
    expect(f.release(50).length).toBe(0);
    expect(f.release(200)).toEqual(Buffer.from([0x02, 0x00]));
  });
});
