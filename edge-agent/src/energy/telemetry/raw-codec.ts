/**
 * Compact encoding of one meter's raw readings over one flush window: a poll's
 * changed values cost a byte or two each on the flash instead of a row each.
 *
 *   chunk  := format(1 byte, = 1) header record*
 *   header := varint(n) n × varint(point)        the chunk's points, in order of first use
 *   record := varint(dt) mask Δ*                 one poll
 *   mask   := bitmask of the chunk points present, 7 bits a byte, high bit = more bytes
 *   Δ      := zigzag-varint(q − previous q of that point in this chunk, or 0)
 *
 * dt: tenths of a second since the previous record (the first is at the row's
 * t0); point: index into energy_points; q: the value in steps of the point's
 * resolution. Chunk-local point numbers in a bitmask beat a point id per value:
 * the few points that change in a poll are usually among the first seven.
 */
const FORMAT = 1;

export class RawChunkWriter {
  readonly t0: number;
  private body: Buffer;
  private len = 0;
  private lastT: number;
  private readonly slots = new Map<number, number>();
  private readonly order: number[] = [];
  private readonly lastQ: number[] = [];
  count = 0;
  t1: number;

  constructor(t0: number, capacity = 256) {
    this.t0 = t0;
    this.t1 = t0;
    this.lastT = t0;
    this.body = Buffer.allocUnsafe(capacity);
  }

  /** One record: the first `n` entries of `points` and `qs` (parallel arrays, reused by the caller). */
  add(at: number, points: readonly number[], qs: readonly number[], n = points.length): void {
    if (n === 0) return;
    const dt = Math.max(0, Math.round((at - this.lastT) / 100));
    this.lastT += dt * 100;
    this.t1 = this.lastT;
    const deltas = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      let slot = this.slots.get(points[i]!);
      if (slot === undefined) {
        slot = this.order.length;
        this.slots.set(points[i]!, slot);
        this.order.push(points[i]!);
        this.lastQ.push(0);
      }
      deltas.set(slot, qs[i]! - this.lastQ[slot]!);
      this.lastQ[slot] = qs[i]!;
    }
    this.varint(dt);
    this.mask(deltas);
    for (let slot = 0; slot < this.order.length; slot++) {
      const d = deltas.get(slot);
      if (d !== undefined) this.varint(zigzag(d));
    }
    this.count += deltas.size;
  }

  bytes(): Buffer {
    const head: number[] = [FORMAT];
    pushVarint(head, this.order.length);
    for (const p of this.order) pushVarint(head, p);
    return Buffer.concat([Buffer.from(head), this.body.subarray(0, this.len)]);
  }

  private mask(deltas: Map<number, number>): void {
    const slots = this.order.length;
    for (let base = 0; base < slots || base === 0; base += 7) {
      let byte = 0;
      for (let b = 0; b < 7; b++) if (deltas.has(base + b)) byte |= 1 << b;
      const more = base + 7 < slots && [...deltas.keys()].some((s) => s >= base + 7);
      this.byte(more ? byte | 0x80 : byte);
      if (!more) break;
    }
  }

  private byte(b: number): void {
    if (this.len + 1 > this.body.length) this.grow();
    this.body[this.len++] = b;
  }

  private varint(n: number): void {
    if (this.len + 10 > this.body.length) this.grow();
    // Plain arithmetic: values can exceed 32 bits (a kWh counter in 0.01 steps).
    while (n >= 0x80) {
      this.body[this.len++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.body[this.len++] = n;
  }

  private grow(): void {
    const next = Buffer.allocUnsafe(this.body.length * 2);
    this.body.copy(next, 0, 0, this.len);
    this.body = next;
  }
}

function pushVarint(out: number[], n: number): void {
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
}

export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

export function unzigzag(z: number): number {
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Decodes a chunk into (time, point, q) triples; throws on a damaged chunk. */
export function decodeRawChunk(t0: number, data: Uint8Array): Array<{ at: number; point: number; q: number }> {
  if (data[0] !== FORMAT) throw new Error(`unknown raw chunk format ${String(data[0])}`);
  let pos = 1;
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
  const order: number[] = [];
  for (let i = varint(); i > 0; i--) order.push(varint());
  const lastQ = order.map(() => 0);
  const out: Array<{ at: number; point: number; q: number }> = [];
  let t = t0;
  while (pos < data.length) {
    t += varint() * 100;
    const present: number[] = [];
    for (let base = 0; ; base += 7) {
      if (pos >= data.length) throw new Error('truncated raw chunk');
      const b = data[pos++]!;
      for (let bit = 0; bit < 7; bit++) if (b & (1 << bit)) present.push(base + bit);
      if (b < 0x80) break;
    }
    for (const slot of present) {
      if (slot >= order.length) throw new Error('raw chunk names an unknown point');
      lastQ[slot]! += unzigzag(varint());
      out.push({ at: t, point: order[slot]!, q: lastQ[slot]! });
    }
  }
  return out;
}
