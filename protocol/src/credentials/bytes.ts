/**
 * A tiny cursor over credential bytes. Varints are unsigned LEB128 (7 bits a byte, low
 * group first), held in plain numbers up to 2^53 so the gate's hot path allocates no
 * BigInt except for person ids (see person-id.ts).
 */

/** Raised by ByteReader when the body is shorter than its fields say. Caught by the decoder. */
export class TruncatedBody extends Error {
  constructor() {
    super('credential body ends inside a field');
  }
}

/** Raised by ByteReader/ByteWriter for a value the layout cannot hold. */
export class FieldOutOfRange extends Error {}

const MAX_VARINT_BYTES = 8; // 56 bits: more than any field needs, short enough to refuse garbage quickly

export class ByteWriter {
  private readonly bytes: number[] = [];

  u8(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new FieldOutOfRange(`u8 out of range: ${v}`);
    this.bytes.push(v);
    return this;
  }

  u16(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new FieldOutOfRange(`u16 out of range: ${v}`);
    this.bytes.push(v >>> 8, v & 0xff);
    return this;
  }

  u24(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffff) throw new FieldOutOfRange(`u24 out of range: ${v}`);
    this.bytes.push(v >>> 16, (v >>> 8) & 0xff, v & 0xff);
    return this;
  }

  varint(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new FieldOutOfRange(`varint out of range: ${v}`);
    let rest = v;
    while (rest >= 0x80) {
      this.bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.bytes.push(rest);
    return this;
  }

  bigVarint(v: bigint): this {
    if (v < 0n) throw new FieldOutOfRange(`varint out of range: ${v}`);
    let rest = v;
    while (rest >= 0x80n) {
      this.bytes.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    this.bytes.push(Number(rest));
    return this;
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export class ByteReader {
  private pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  u8(): number {
    const v = this.bytes[this.pos];
    if (v === undefined) throw new TruncatedBody();
    this.pos += 1;
    return v;
  }

  u16(): number {
    return this.u8() * 0x100 + this.u8();
  }

  u24(): number {
    return this.u8() * 0x10000 + this.u8() * 0x100 + this.u8();
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const b = this.u8();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        // A final zero group after the first byte means a padded (non-canonical) varint:
        // refusing it keeps exactly one byte form per credential.
        if (b === 0 && i > 0) throw new FieldOutOfRange('non-canonical varint');
        return value;
      }
      scale *= 0x80;
    }
    throw new FieldOutOfRange('varint too long');
  }

  bigVarint(maxBytes: number): bigint {
    let value = 0n;
    let shift = 0n;
    for (let i = 0; i < maxBytes; i++) {
      const b = this.u8();
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        if (b === 0 && i > 0) throw new FieldOutOfRange('non-canonical varint');
        return value;
      }
      shift += 7n;
    }
    throw new FieldOutOfRange('varint too long');
  }
}
