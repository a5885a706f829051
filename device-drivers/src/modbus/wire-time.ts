import { responsePduLength, encodeRequest, type ModbusRequest } from './pdu.js';

/**
 * Wire-time arithmetic for RTU lines. A character on an 8N1 line is 10 bits
 * (start + 8 data + stop); parity or a second stop bit makes it 11.
 */
export interface LineFormat {
  baudRate: number;
  dataBits?: 7 | 8;
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
}

export function bitsPerChar(line: LineFormat): number {
  return 1 + (line.dataBits ?? 8) + (line.parity && line.parity !== 'none' ? 1 : 0) + (line.stopBits ?? 1);
}

export function charTimeMs(line: LineFormat): number {
  return (bitsPerChar(line) * 1000) / line.baudRate;
}

/** Time on the wire for `bytes` characters. */
export function wireTimeMs(bytes: number, line: LineFormat): number {
  return bytes * charTimeMs(line);
}

/**
 * The silent interval that separates RTU frames: 3.5 character times, fixed at
 * 1.75 ms above 19200 baud (Modbus over Serial Line v1.02, section 2.5.1.1).
 */
export function interFrameGapMs(line: LineFormat): number {
  return line.baudRate > 19200 ? 1.75 : 3.5 * charTimeMs(line);
}

/** RTU bytes of a request: unit + PDU + CRC. */
export function rtuRequestBytes(req: ModbusRequest): number {
  return 1 + encodeRequest(req).length + 2;
}

/** RTU bytes of the normal reply: unit + PDU + CRC. */
export function rtuResponseBytes(req: ModbusRequest): number {
  return 1 + responsePduLength(req) + 2;
}

/**
 * The least time one transaction can take on an RTU line: request and reply on
 * the wire plus the device's turnaround. The floor of a poll plan is the sum of these.
 */
export function rtuTransactionFloorMs(req: ModbusRequest, line: LineFormat, turnaroundMs: number): number {
  return wireTimeMs(rtuRequestBytes(req) + rtuResponseBytes(req), line) + turnaroundMs;
}
