import { Jt808Error, hex } from './errors.js';
import { decodeBcd, encodeBcd } from './bcd.js';

/**
 * JT/T 808 framing (2013 and 2019): 0x7E | header | body | check | 0x7E, with 0x7E and
 * 0x7D inside escaped as 7D 02 and 7D 01, and the check code the XOR of header and body.
 */
export const FLAG = 0x7e;
export const ESC = 0x7d;
/** Largest body a header can declare (10 bits). */
export const MAX_BODY = 1023;
/** Largest unescaped frame: 2019 header with packet items (21) + body + check. */
export const MAX_FRAME = 21 + MAX_BODY + 1;

export type Jt808Version = 2013 | 2019;

export interface Jt808Header {
  msgId: number;
  version: Jt808Version;
  /** 2019 only: the protocol version byte (1 for JT/T 808-2019). */
  protocolVersion?: number;
  /** Terminal phone number as BCD digits: 12 (2013) or 20 (2019), zero-padded. */
  phone: string;
  serial: number;
  /** RSA encryption flag (bit 10); refused on decode. */
  encrypted?: boolean;
  /** Sub-package: total count and this one's index (from 1). */
  packet?: { total: number; index: number };
}

export interface Jt808RawFrame {
  header: Jt808Header;
  body: Buffer;
}

export function escape(raw: Uint8Array): Buffer {
  const out: number[] = [FLAG];
  for (const b of raw) {
    if (b === FLAG) out.push(ESC, 0x02);
    else if (b === ESC) out.push(ESC, 0x01);
    else out.push(b);
  }
  out.push(FLAG);
  return Buffer.from(out);
}

/** One frame, delimiters included → unescaped bytes. */
export function unescape(frame: Uint8Array): Buffer {
  if (frame.length < 2 || frame[0] !== FLAG || frame[frame.length - 1] !== FLAG) throw new Jt808Error('jt808.bad_delimiter');
  const out = Buffer.alloc(frame.length);
  let n = 0;
  for (let i = 1; i < frame.length - 1; i++) {
    const b = frame[i]!;
    if (b === FLAG) throw new Jt808Error('jt808.bad_delimiter');
    if (b === ESC) {
      const next = frame[++i];
      if (next === 0x02) out[n++] = FLAG;
      else if (next === 0x01) out[n++] = ESC;
      else throw new Jt808Error('jt808.bad_escape', { byte: next === undefined || i >= frame.length - 1 ? 'end' : hex(next) });
    } else out[n++] = b;
  }
  return out.subarray(0, n);
}

export function xor(bytes: Uint8Array, end = bytes.length): number {
  let x = 0;
  for (let i = 0; i < end; i++) x ^= bytes[i]!;
  return x;
}

export function encodeFrame(header: Jt808Header, body: Uint8Array): Buffer {
  if (body.length > MAX_BODY) throw new Jt808Error('jt808.too_long', { max: MAX_BODY });
  const v19 = header.version === 2019;
  let props = body.length;
  if (header.packet) props |= 1 << 13;
  if (v19) props |= 1 << 14;
  const parts: Buffer[] = [];
  const head = Buffer.alloc(4);
  head.writeUInt16BE(header.msgId, 0);
  head.writeUInt16BE(props, 2);
  parts.push(head);
  if (v19) parts.push(Buffer.from([header.protocolVersion ?? 1]));
  parts.push(encodeBcd(header.phone, v19 ? 10 : 6, 'phone'));
  const tail = Buffer.alloc(header.packet ? 6 : 2);
  tail.writeUInt16BE(header.serial & 0xffff, 0);
  if (header.packet) {
    tail.writeUInt16BE(header.packet.total, 2);
    tail.writeUInt16BE(header.packet.index, 4);
  }
  parts.push(tail, Buffer.from(body));
  const raw = Buffer.concat(parts);
  return escape(Buffer.concat([raw, Buffer.from([xor(raw)])]));
}

/** A whole frame (with its 0x7E delimiters) → header and body. Throws Jt808Error. */
export function decodeFrame(frame: Uint8Array): Jt808RawFrame {
  if (frame.length > MAX_FRAME * 2 + 2) throw new Jt808Error('jt808.too_long', { max: MAX_FRAME });
  const raw = unescape(frame);
  if (raw.length < 13) throw new Jt808Error('jt808.too_short', { bytes: raw.length });
  const check = raw[raw.length - 1]!;
  const want = xor(raw, raw.length - 1);
  if (check !== want) throw new Jt808Error('jt808.bad_xor', { got: hex(check), want: hex(want) });
  const msgId = raw.readUInt16BE(0);
  const props = raw.readUInt16BE(2);
  const v19 = (props & (1 << 14)) !== 0;
  const hasPacket = (props & (1 << 13)) !== 0;
  const encryption = (props >> 10) & 0x7;
  const bodyLength = props & 0x3ff;
  let off = 4;
  let protocolVersion: number | undefined;
  if (v19) protocolVersion = raw[off++];
  const phoneLen = v19 ? 10 : 6;
  const headLen = off + phoneLen + 2 + (hasPacket ? 4 : 0);
  if (raw.length - 1 < headLen) throw new Jt808Error('jt808.too_short', { bytes: raw.length });
  const phone = decodeBcd(raw.subarray(off, off + phoneLen));
  off += phoneLen;
  const serial = raw.readUInt16BE(off);
  off += 2;
  let packet: Jt808Header['packet'];
  if (hasPacket) {
    packet = { total: raw.readUInt16BE(off), index: raw.readUInt16BE(off + 2) };
    off += 4;
  }
  const actual = raw.length - 1 - off;
  if (actual !== bodyLength) throw new Jt808Error('jt808.bad_length', { declared: bodyLength, actual });
  if (encryption !== 0) throw new Jt808Error('jt808.encrypted');
  const header: Jt808Header = { msgId, version: v19 ? 2019 : 2013, phone, serial };
  if (v19) header.protocolVersion = protocolVersion!;
  if (packet) header.packet = packet;
  return { header, body: Buffer.from(raw.subarray(off, off + bodyLength)) };
}

/**
 * Cuts a TCP byte stream into frames between 0x7E delimiters. Bytes outside a frame
 * and frames longer than MAX_FRAME (escaped) are dropped and counted; memory stays
 * bounded whatever a socket sends.
 */
export class Jt808Splitter {
  readonly #buf = Buffer.alloc(MAX_FRAME * 2 + 2);
  #len = 0;
  #inFrame = false;
  #overlong = false;
  readonly stats = { frames: 0, droppedBytes: 0, overlong: 0 };

  constructor(private readonly sink: (frame: Buffer) => void) {}

  push(chunk: Uint8Array): void {
    for (const b of chunk) {
      if (b === FLAG) {
        if (this.#inFrame && this.#len > 1) {
          // a closing flag; "7E 7E" between two frames is a close and an open
          if (this.#overlong) {
            this.stats.overlong++;
            this.#overlong = false;
          } else {
            this.#buf[this.#len++] = b;
            this.stats.frames++;
            this.sink(Buffer.from(this.#buf.subarray(0, this.#len)));
          }
          this.#len = 0;
          this.#inFrame = false;
          continue;
        }
        this.#inFrame = true;
        this.#len = 0;
        this.#buf[this.#len++] = b;
        continue;
      }
      if (!this.#inFrame) {
        this.stats.droppedBytes++;
        continue;
      }
      if (this.#len >= this.#buf.length - 1) {
        this.#overlong = true;
        this.stats.droppedBytes++;
        continue;
      }
      this.#buf[this.#len++] = b;
    }
  }
}
