import { crcMatches, withCrc } from './crc16.js';

/** What the bus waits for after sending a request. */
export interface ReplyExpectation {
  unit: number;
  functionCode: number;
  /** Length of the normal reply PDU (function code included). */
  pduLength: number;
  /** MBAP transaction id (Modbus TCP only). */
  txId: number;
}

export type ScanResult =
  | { status: 'complete'; pdu: Buffer; leading: number; trailing: number }
  /**
   * `settled`: enough bytes are in that a good reply would be complete, yet none
   * is. More bytes are unlikely, so the bus classifies after a short silence
   * instead of waiting out the whole response timeout.
   */
  | { status: 'pending'; settled: boolean }
  /** The byte stream can no longer be parsed (TCP): drop the connection. */
  | { status: 'desync'; detail: string };

export interface FailedReply {
  kind: 'timeout' | 'crc_error' | 'frame_error';
  detail: string;
}

export interface Framing {
  readonly kind: 'rtu' | 'tcp';
  encode(unit: number, pdu: Buffer, txId: number): Buffer;
  scan(buf: Buffer, expect: ReplyExpectation): ScanResult;
  /** Why the bytes received so far are not a reply (called on silence or timeout). */
  classify(buf: Buffer, expect: ReplyExpectation): FailedReply;
}

const isRead = (fc: number) => fc >= 1 && fc <= 4;

/**
 * RTU framing: [unit][PDU][CRC lo][CRC hi], frames separated by line silence.
 * RTU has no length field, so the master uses what it asked for: the reply
 * length is known from the request. Leading noise (a bus turning around, a
 * late reply from another device) is skipped by scanning for the expected header.
 */
export const rtuFraming: Framing = {
  kind: 'rtu',
  encode(unit, pdu) {
    const body = Buffer.alloc(pdu.length + 1);
    body[0] = unit;
    pdu.copy(body, 1);
    return withCrc(body);
  },
  scan(buf, expect) {
    const normalTotal = 1 + expect.pduLength + 2;
    for (let i = 0; i + 1 < buf.length; i++) {
      if (buf[i] !== expect.unit) continue;
      const fc = buf[i + 1]!;
      let total: number;
      if (fc === expect.functionCode) {
        if (isRead(fc) && i + 2 < buf.length && buf[i + 2] !== expect.pduLength - 2) continue;
        total = normalTotal;
      } else if (fc === (expect.functionCode | 0x80)) {
        total = 5;
      } else continue;
      if (buf.length - i < total) continue;
      if (crcMatches(buf, i, i + total)) {
        return { status: 'complete', pdu: buf.subarray(i + 1, i + total - 2), leading: i, trailing: buf.length - i - total };
      }
    }
    return { status: 'pending', settled: buf.length >= normalTotal };
  },
  classify(buf, expect) {
    if (buf.length === 0) return { kind: 'timeout', detail: 'no reply' };
    let i = 0;
    for (; i + 1 < buf.length; i++) {
      if (buf[i] === expect.unit && (buf[i + 1] === expect.functionCode || buf[i + 1] === (expect.functionCode | 0x80))) break;
    }
    if (i + 1 >= buf.length) return { kind: 'frame_error', detail: `${buf.length} bytes without a reply header` };
    const isException = buf[i + 1] === (expect.functionCode | 0x80);
    const total = isException ? 5 : 1 + expect.pduLength + 2;
    const have = buf.length - i;
    const wholeCrcOk = crcMatches(buf, i, buf.length);
    if (!isException && isRead(expect.functionCode) && have >= 3 && buf[i + 2] !== expect.pduLength - 2) {
      return wholeCrcOk
        ? { kind: 'frame_error', detail: `byte count ${buf[i + 2]}, expected ${expect.pduLength - 2}` }
        : { kind: 'crc_error', detail: `byte count ${buf[i + 2]} and CRC wrong` };
    }
    if (have < total) return { kind: 'frame_error', detail: `short reply: ${have} of ${total} bytes` };
    if (have > total && wholeCrcOk) return { kind: 'frame_error', detail: `overlong reply: ${have} bytes, expected ${total}` };
    return { kind: 'crc_error', detail: `CRC mismatch in ${have}-byte reply` };
  },
};

/**
 * Modbus TCP framing (MBAP header): [txId 2][protocol 0 2][length 2][unit 1][PDU].
 * Replies to an earlier, timed-out transaction are skipped by transaction id.
 */
export const tcpFraming: Framing = {
  kind: 'tcp',
  encode(unit, pdu, txId) {
    const out = Buffer.alloc(7 + pdu.length);
    out.writeUInt16BE(txId & 0xffff, 0);
    out.writeUInt16BE(0, 2);
    out.writeUInt16BE(pdu.length + 1, 4);
    out[6] = unit;
    pdu.copy(out, 7);
    return out;
  },
  scan(buf, expect) {
    let offset = 0;
    while (buf.length - offset >= 7) {
      const txId = buf.readUInt16BE(offset);
      const protocol = buf.readUInt16BE(offset + 2);
      const length = buf.readUInt16BE(offset + 4);
      if (protocol !== 0 || length < 2 || length > 254) {
        return { status: 'desync', detail: `MBAP header protocol ${protocol}, length ${length}` };
      }
      if (buf.length - offset < 6 + length) return { status: 'pending', settled: false };
      const pdu = buf.subarray(offset + 7, offset + 6 + length);
      const fc = pdu[0];
      if (txId === (expect.txId & 0xffff) && (fc === expect.functionCode || fc === (expect.functionCode | 0x80))) {
        return { status: 'complete', pdu, leading: offset, trailing: buf.length - offset - 6 - length };
      }
      offset += 6 + length;
    }
    return { status: 'pending', settled: false };
  },
  classify(buf) {
    if (buf.length === 0) return { kind: 'timeout', detail: 'no reply' };
    return { kind: 'frame_error', detail: `incomplete or foreign MBAP reply (${buf.length} bytes)` };
  },
};
