import { describe, expect, it } from 'vitest';
import { MalformedReply, ModbusExceptionReply, decodeResponse, encodeRequest, responsePduLength, type ModbusRequest } from '../../src/modbus/pdu.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('request PDUs', () => {
  it('encodes reads and writes as the spec shows', () => {
    expect(encodeRequest({ kind: 'read', table: 'input', address: 0x2006, count: 6 })).toEqual(hex('04 20 06 00 06'));
    expect(encodeRequest({ kind: 'read', table: 'coil', address: 0, count: 8 })).toEqual(hex('01 00 00 00 08'));
    expect(encodeRequest({ kind: 'write-coil', address: 3, value: 0xff00 })).toEqual(hex('05 00 03 FF 00'));
    expect(encodeRequest({ kind: 'write-register', address: 0x4000, value: 7 })).toEqual(hex('06 40 00 00 07'));
    // Modbus spec 6.11 example: coils 20-29 = CD 01.
    const coils = [true, false, true, true, false, false, true, true, true, false];
    expect(encodeRequest({ kind: 'write-coils', address: 19, values: coils })).toEqual(hex('0F 00 13 00 0A 02 CD 01'));
    expect(encodeRequest({ kind: 'write-registers', address: 1, values: [0x000a, 0x0102] })).toEqual(hex('10 00 01 00 02 04 00 0A 01 02'));
  });

  it('refuses requests the spec does not allow, before anything is sent', () => {
    expect(() => encodeRequest({ kind: 'read', table: 'holding', address: 0, count: 126 })).toThrow(RangeError);
    expect(() => encodeRequest({ kind: 'read', table: 'coil', address: 0, count: 2001 })).toThrow(RangeError);
    expect(() => encodeRequest({ kind: 'read', table: 'input', address: 0xfff0, count: 32 })).toThrow(/past/);
    expect(() => encodeRequest({ kind: 'write-register', address: 0, value: 0x10000 })).toThrow(RangeError);
    expect(() => encodeRequest({ kind: 'write-registers', address: 0, values: [] })).toThrow(RangeError);
  });
});

describe('reply PDUs', () => {
  const read: ModbusRequest = { kind: 'read', table: 'holding', address: 107, count: 3 };

  it('decodes registers and bits', () => {
    expect(responsePduLength(read)).toBe(8);
    const r = decodeResponse(read, hex('03 06 02 2B 00 00 00 64'));
    expect(r.kind === 'registers' && [...r.values]).toEqual([0x022b, 0, 0x64]);
    const bits = decodeResponse({ kind: 'read', table: 'coil', address: 19, count: 10 }, hex('01 02 CD 01'));
    expect(bits).toEqual({ kind: 'bits', values: [true, false, true, true, false, false, true, true, true, false] });
  });

  it('raises an exception reply with its code', () => {
    expect(() => decodeResponse(read, hex('83 02'))).toThrow(ModbusExceptionReply);
    try {
      decodeResponse(read, hex('83 02'));
    } catch (e) {
      expect((e as ModbusExceptionReply).exceptionCode).toBe(2);
    }
  });

  it('rejects replies that do not answer the request', () => {
    expect(() => decodeResponse(read, hex('04 06 02 2B 00 00 00 64'))).toThrow(MalformedReply);
    expect(() => decodeResponse(read, hex('03 04 02 2B 00 00'))).toThrow(/byte count/);
    expect(() => decodeResponse(read, hex('03 06 02 2B 00 00 00'))).toThrow(/byte count/);
    const w: ModbusRequest = { kind: 'write-coil', address: 3, value: 0xff00 };
    expect(() => decodeResponse(w, hex('05 00 03 00 00'))).toThrow(/echo/);
    expect(decodeResponse(w, hex('05 00 03 FF 00'))).toEqual({ kind: 'written' });
  });
});
