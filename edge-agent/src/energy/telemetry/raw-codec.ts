/**
 * Compact encoding of one meter's raw readings over one flush window, so that
 * ~10 changed values per poll cost ~15 bytes on the flash instead of ~10 rows.
 *
 *   record := varint(dt) varint(k) k × ( varint(point) zigzag-varint(Δq) )
 *
 * dt: tenths of a second since the previous record (the first record is at the
 * row's t0); point: index into energy_points; q: the value in steps of the
 * point's resolution; Δq: change from the same point's previous value in this
 * chunk (from 0 for its first).
 */
export interface RawValue {
  point: number;
  q: number;
}

export class RawChunkWriter {
  readonly t0: number;
  private buf: Buffer;
  private len = 0;
  private lastT: number;
  private readonly lastQ = new Map<number, number>();
  count = 0;
  t1: number;

  constructor(t0: number, capacity = 256) {
    this.t0 = t0;
    this.t1 = t0;
    this.lastT = t0;
    this.buf = Buffer.allocUnsafe(capacity);
  }

  add(at: number, values: readonly RawValue[]): void {
    if (values.length === 0) return;
    const dt = Math.max(0, Math.round((at - this.lastT) / 100));
    this.lastT += dt * 100;
    this.t1 = this.lastT;
    this.varint(dt);
    this.varint(values.length);
    for (const v of values) {
      this.varint(v.point);
      this.varint(zigzag(v.q - (this.lastQ.get(v.point) ?? 0)));
      this.lastQ.set(v.point, v.q);
    }
    this.count += values.length;
  }

  bytes(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }

  private varint(n: number): void {
    if (this.len + 10 > this.buf.length) {
      const next = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    // Plain arithmetic: values can exceed 32 bits (a kWh counter in 0.01 steps).
    while (n >= 0x80) {
      this.buf[this.len++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.len++] = n;
  }
}

export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Decodes a chunk into (time, point, q) triples; throws on a truncated chunk. */
export function decodeRawChunk(t0: number, data: Uint8Array): Array<{ at: number; point: number; q: number }> {
  const out: Array<{ at: number; point: number; q: number }> = [];
  const lastQ = new Map<number, number>();
  let pos = 0;
  let t = t0;
  const varint = (): number => {
    let n = 0;
    let mul = 1;
    for (;;) {
      if (pos >= data.length) throw new Error('truncated raw chunk');
      const b = data[pos++]!;
      n += (b & 0x7f) * mul;
      if (b < 0x80) return n;
      mul *= 0x80;
    }
  };
  while (pos < data.length) {
    t += varint() * 100;
    const k = varint();
    for (let i = 0; i < k; i++) {
      const point = varint();
      const q = (lastQ.get(point) ?? 0) + unzigzag(varint());
      lastQ.set(point, q);
      out.push({ at: t, point, q });
    }
  }
  return out;
}
