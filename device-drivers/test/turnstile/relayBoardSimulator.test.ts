import { describe, expect, it } from 'vitest';
import { eventually } from '../serial/helpers.js';
import { RelayBoardSimulator, RtuRequestReader, MbapRequestReader, crc16, rtuFrame } from '../../src/turnstile/index.js';

describe('Modbus framing of the simulator', () => {
  it('computes CRC-16/MODBUS like the reference frame "01 05 00 00 FF 00 8C 3A"', () => {
    const frame = rtuFrame(1, Buffer.from([0x05, 0x00, 0x00, 0xff, 0x00]));
    expect(frame.toString('hex')).toBe('01050000ff008c3a');
    expect(crc16(frame.subarray(0, 6))).toBe(0x3a8c);
  });

  it('resynchronises after line noise and splits requests across chunks', () => {
    const reader = new RtuRequestReader();
    const a = rtuFrame(1, Buffer.from([0x05, 0x02, 0x01, 0x00, 0x07]));
    const b = rtuFrame(1, Buffer.from([0x02, 0x00, 0x00, 0x00, 0x08]));
    const stream = Buffer.concat([Buffer.from([0xff, 0x13, 0x05]), a, b]);
    const got = [...reader.push(stream.subarray(0, 7), 0), ...reader.push(stream.subarray(7), 1)];
    expect(got.map((r) => r.pdu.toString('hex'))).toEqual(['0502010007', '0200000008']);
    expect(reader.dropped).toBe(3);
  });

  it('refuses a stream that is not Modbus TCP', () => {
    expect(new MbapRequestReader().push(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toBeNull();
  });
});

describe('RelayBoardSimulator', () => {
  it('answers coil writes, flash commands and reads like a Waveshare board', async () => {
    const sim = new RelayBoardSimulator({ channels: 8 });
    try {
      expect(sim.handle(1, Buffer.from([0x05, 0x00, 0x03, 0xff, 0x00]))?.toString('hex')).toBe('050003ff00');
      expect(sim.handle(1, Buffer.from([0x01, 0x00, 0x00, 0x00, 0x08]))?.toString('hex')).toBe('010108');
      expect(sim.handle(1, Buffer.from([0x05, 0x02, 0x06, 0x00, 0x07]))?.toString('hex')).toBe('0502060007');
      expect(sim.pulses.at(-1)).toMatchObject({ channel: 6, ms: 700, via: 'flash' });
      expect(sim.handle(1, Buffer.from([0x05, 0x00, 0xff, 0x00, 0x00]))?.toString('hex')).toBe('0500ff0000');
      expect(sim.coils()).toEqual(new Array(8).fill(false));
    } finally {
      sim.close();
    }
  });

  it('refuses what a real board refuses, and ignores other units', () => {
    const sim = new RelayBoardSimulator({ unitId: 3, channels: 4 });
    expect(sim.handle(1, Buffer.from([0x05, 0x00, 0x00, 0xff, 0x00]))).toBeNull();
    expect(sim.handle(3, Buffer.from([0x05, 0x00, 0x09, 0xff, 0x00]))?.toString('hex')).toBe('8502');
    expect(sim.handle(3, Buffer.from([0x05, 0x00, 0x01, 0x12, 0x34]))?.toString('hex')).toBe('8503');
    expect(sim.handle(3, Buffer.from([0x2b, 0x0e, 0x01, 0x00]))?.toString('hex')).toBe('ab01');
    expect(sim.requests).toEqual({ total: 3, exceptions: 3 });
  });

  it('lets a person walk through after a relay opens (pass-sensor input)', async () => {
    const sim = new RelayBoardSimulator({ autoPass: [{ coil: 0, input: 2, afterMs: 10, holdMs: 20 }] });
    const changes: boolean[] = [];
    sim.on('input', (c) => c.channel === 2 && changes.push(c.value));
    sim.handle(1, Buffer.from([0x05, 0x02, 0x00, 0x00, 0x03]));
    await eventually(() => changes.length === 2, 5000, 'the person to pass');
    expect(changes).toEqual([true, false]);
    sim.close();
  });
});
