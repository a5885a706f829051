/**
 * Just enough Modbus framing for the relay-board simulator: CRC-16/MODBUS, cutting RTU
 * requests out of a byte stream, and MBAP headers for Modbus TCP. The edge's own master
 * side is modbus-serial; keeping the simulator's framing separate means the two check
 * each other.
 */
const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    table[i] = c;
  }
  return table;
})();

export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (let i = 0; i < bytes.length; i++) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}

/** unit + pdu + CRC (little-endian), as it goes on an RS-485 line. */
export function rtuFrame(unitId: number, pdu: Buffer): Buffer {
  const frame = Buffer.alloc(pdu.length + 3);
  frame[0] = unitId;
  pdu.copy(frame, 1);
  frame.writeUInt16LE(crc16(frame.subarray(0, frame.length - 2)), frame.length - 2);
  return frame;
}

export interface RtuRequest {
  unitId: number;
  pdu: Buffer;
}

/** Request length from its first bytes, or null if more bytes are needed, or 0 if unknown. */
function requestLength(buf: Buffer): number | null {
  if (buf.length < 2) return null;
  const fc = buf[1]!;
  if (fc >= 1 && fc <= 6) return 8;
  if (fc === 15 || fc === 16) return buf.length < 7 ? null : 9 + buf[6]!;
  return 0;
}

/**
 * Cuts RTU requests out of a stream. A bad CRC or an unknown function code drops one
 * byte and resynchronises, as a slave on a noisy RS-485 line must; a gap longer than
 * `gapMs` starts a new frame (Modbus's 3.5-character silence, generously).
 */
export class RtuRequestReader {
  #buf = Buffer.alloc(0);
  #lastAt = 0;
  dropped = 0;

  constructor(private readonly gapMs = 50) {}

  push(chunk: Buffer, now = Date.now()): RtuRequest[] {
    if (now - this.#lastAt > this.gapMs && this.#buf.length > 0) {
      this.dropped += this.#buf.length;
      this.#buf = Buffer.alloc(0);
    }
    this.#lastAt = now;
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : Buffer.from(chunk);
    const out: RtuRequest[] = [];
    for (;;) {
      const len = requestLength(this.#buf);
      if (len === null || (len > 0 && this.#buf.length < len)) break;
      if (len === 0 || crc16(this.#buf.subarray(0, len - 2)) !== this.#buf.readUInt16LE(len - 2)) {
        this.#buf = this.#buf.subarray(1);
        this.dropped++;
        continue;
      }
      out.push({ unitId: this.#buf[0]!, pdu: Buffer.from(this.#buf.subarray(1, len - 2)) });
      this.#buf = this.#buf.subarray(len);
    }
    if (this.#buf.length > 512) {
      this.dropped += this.#buf.length;
      this.#buf = Buffer.alloc(0);
    }
    return out;
  }
}

export interface MbapRequest extends RtuRequest {
  transactionId: number;
}

/** Cuts Modbus TCP requests (MBAP header + PDU) out of a stream; null on a protocol violation. */
export class MbapRequestReader {
  #buf = Buffer.alloc(0);

  push(chunk: Buffer): MbapRequest[] | null {
    this.#buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : Buffer.from(chunk);
    const out: MbapRequest[] = [];
    while (this.#buf.length >= 7) {
      const protocol = this.#buf.readUInt16BE(2);
      const length = this.#buf.readUInt16BE(4);
      if (protocol !== 0 || length < 2 || length > 254) return null;
      if (this.#buf.length < 6 + length) break;
      out.push({ transactionId: this.#buf.readUInt16BE(0), unitId: this.#buf[6]!, pdu: Buffer.from(this.#buf.subarray(7, 6 + length)) });
      this.#buf = this.#buf.subarray(6 + length);
    }
    return out;
  }
}

export function mbapFrame(transactionId: number, unitId: number, pdu: Buffer): Buffer {
  const frame = Buffer.alloc(7 + pdu.length);
  frame.writeUInt16BE(transactionId, 0);
  frame.writeUInt16BE(0, 2);
  frame.writeUInt16BE(pdu.length + 1, 4);
  frame[6] = unitId;
  pdu.copy(frame, 7);
  return frame;
}
