import { describe, expect, it } from 'vitest';
import { withCrc } from '../../src/modbus/crc16.js';
import { rtuFraming, tcpFraming, type ReplyExpectation } from '../../src/modbus/framing.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
// Unit 1 asked for 2 input registers: normal reply PDU is 04 04 xx xx xx xx.
const expect2: ReplyExpectation = { unit: 1, functionCode: 4, pduLength: 6, txId: 7 };
const good = withCrc(hex('01 04 04 43 66 33 34'));

describe('RTU reply framing', () => {
  it('finds the reply, also behind line noise, and says what surrounded it', () => {
    expect(rtuFraming.scan(good, expect2)).toMatchObject({ status: 'complete', leading: 0, trailing: 0 });
    const noisy = Buffer.concat([hex('00 FF 01'), good, hex('00')]);
    const r = rtuFraming.scan(noisy, expect2);
    expect(r).toMatchObject({ status: 'complete', leading: 3, trailing: 1 });
    expect(r.status === 'complete' && r.pdu).toEqual(hex('04 04 43 66 33 34'));
  });

  it('ignores a valid frame from another unit', () => {
    const other = withCrc(hex('02 04 04 43 66 33 34'));
    expect(rtuFraming.scan(other, expect2)).toEqual({ status: 'pending', settled: true });
    expect(rtuFraming.classify(other, expect2).kind).toBe('frame_error');
  });

  it('accepts an exception reply', () => {
    const exc = withCrc(hex('01 84 02'));
    const r = rtuFraming.scan(exc, expect2);
    expect(r.status === 'complete' && r.pdu).toEqual(hex('84 02'));
  });

  it('waits for more bytes while a reply is incomplete', () => {
    expect(rtuFraming.scan(good.subarray(0, 5), expect2)).toEqual({ status: 'pending', settled: false });
  });

  it('classifies what went wrong', () => {
    expect(rtuFraming.classify(Buffer.alloc(0), expect2).kind).toBe('timeout');
    const badCrc = Buffer.from(good);
    badCrc[badCrc.length - 1]! ^= 0xff;
    expect(rtuFraming.scan(badCrc, expect2)).toEqual({ status: 'pending', settled: true });
    expect(rtuFraming.classify(badCrc, expect2).kind).toBe('crc_error');
    expect(rtuFraming.classify(good.subarray(0, 6), expect2)).toMatchObject({ kind: 'frame_error', detail: expect.stringMatching(/short/) });
    const overlong = withCrc(Buffer.concat([good.subarray(0, good.length - 2), hex('00 00')]));
    expect(rtuFraming.scan(overlong, expect2).status).toBe('pending');
    expect(rtuFraming.classify(overlong, expect2)).toMatchObject({ kind: 'frame_error', detail: expect.stringMatching(/overlong/) });
    const wrongCount = withCrc(hex('01 04 02 43 66'));
    expect(rtuFraming.classify(wrongCount, expect2)).toMatchObject({ kind: 'frame_error', detail: expect.stringMatching(/byte count/) });
    expect(rtuFraming.classify(hex('FF FF FF'), expect2)).toMatchObject({ kind: 'frame_error', detail: expect.stringMatching(/without a reply header/) });
  });
});

describe('Modbus TCP reply framing', () => {
  const mbap = (txId: number, pdu: Buffer, unit = 1) => {
    const b = Buffer.alloc(7);
    b.writeUInt16BE(txId, 0);
    b.writeUInt16BE(0, 2);
    b.writeUInt16BE(pdu.length + 1, 4);
    b[6] = unit;
    return Buffer.concat([b, pdu]);
  };

  it('encodes the MBAP header', () => {
    expect(tcpFraming.encode(17, hex('04 00 00 00 02'), 0x1234)).toEqual(hex('12 34 00 00 00 06 11 04 00 00 00 02'));
  });

  it('skips a late reply to an earlier transaction', () => {
    const stale = mbap(6, hex('04 04 00 00 00 00'));
    const fresh = mbap(7, hex('04 04 43 66 33 34'));
    const r = tcpFraming.scan(Buffer.concat([stale, fresh]), expect2);
    expect(r).toMatchObject({ status: 'complete', leading: stale.length, trailing: 0 });
  });

  it('declares the stream out of sync on a foreign header', () => {
    expect(tcpFraming.scan(hex('00 07 12 34 00 06 01 04 04 00 00 00'), expect2).status).toBe('desync');
    expect(tcpFraming.scan(hex('00 07 00 00 FF FF 01'), expect2).status).toBe('desync');
  });
});
