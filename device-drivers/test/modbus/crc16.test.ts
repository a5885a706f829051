import { describe, expect, it } from 'vitest';
import { crc16, crcMatches, withCrc } from '../../src/modbus/crc16.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('CRC-16/MODBUS', () => {
  it('matches published frames', () => {
    // Read one holding register of unit 1: the textbook example.
    expect(withCrc(hex('01 03 00 00 00 01'))).toEqual(hex('01 03 00 00 00 01 84 0A'));
    // Waveshare wiki examples: relay 0 on, flash on 700 ms, flash off 500 ms.
    expect(withCrc(hex('01 05 00 00 FF 00'))).toEqual(hex('01 05 00 00 FF 00 8C 3A'));
    expect(withCrc(hex('01 05 02 00 00 07'))).toEqual(hex('01 05 02 00 00 07 8D B0'));
    expect(withCrc(hex('01 05 04 00 00 05'))).toEqual(hex('01 05 04 00 00 05 0C F9'));
  });

  it('is the standard CRC-16/MODBUS check value', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x4b37);
  });

  it('detects a single flipped bit anywhere in the frame', () => {
    const frame = withCrc(hex('11 04 00 00 00 50'));
    expect(crcMatches(frame)).toBe(true);
    for (let byte = 0; byte < frame.length; byte++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = Buffer.from(frame);
        bad[byte]! ^= 1 << bit;
        expect(crcMatches(bad)).toBe(false);
      }
    }
  });

  it('checks a frame inside a larger buffer', () => {
    const frame = withCrc(hex('01 03 02 12 34'));
    const buf = Buffer.concat([hex('FF 00'), frame, hex('AA')]);
    expect(crcMatches(buf, 2, 2 + frame.length)).toBe(true);
    expect(crcMatches(buf, 0, frame.length)).toBe(false);
  });
});
