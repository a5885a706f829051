import { describe, expect, it } from 'vitest';
import { bitsPerChar, interFrameGapMs, rtuRequestBytes, rtuResponseBytes, rtuTransactionFloorMs } from '../../src/modbus/wire-time.js';

describe('RTU wire time', () => {
  it('counts start, data, parity and stop bits', () => {
    expect(bitsPerChar({ baudRate: 9600 })).toBe(10);
    expect(bitsPerChar({ baudRate: 9600, parity: 'even' })).toBe(11);
    expect(bitsPerChar({ baudRate: 9600, stopBits: 2 })).toBe(11);
  });

  it('uses 3.5 characters between frames, 1.75 ms above 19200 baud', () => {
    expect(interFrameGapMs({ baudRate: 9600 })).toBeCloseTo(3.646, 3);
    expect(interFrameGapMs({ baudRate: 115200 })).toBe(1.75);
  });

  it('gives the floor of a transaction: request + reply bytes x 10 bits / baud + turnaround', () => {
    const req = { kind: 'read', table: 'input', address: 0, count: 80 } as const;
    expect(rtuRequestBytes(req)).toBe(8);
    expect(rtuResponseBytes(req)).toBe(165);
    expect(rtuTransactionFloorMs(req, { baudRate: 9600 }, 5)).toBeCloseTo(((8 + 165) * 10 * 1000) / 9600 + 5, 6);
  });
});
