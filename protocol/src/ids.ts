import { randomBytes } from 'node:crypto';

/**
 * Time-ordered ids (RFC 9562 UUIDv7). The generator is monotonic: when the wall
 * clock stands still or jumps backwards, ids keep increasing (the 48-bit time
 * field is held at the last value and the 74 random bits act as a counter), so
 * the event log never reorders even on an edge box whose clock was corrected.
 */
export class UuidV7Generator {
  private lastMs = 0;
  private rand = new Uint8Array(10);

  constructor(private readonly now: () => number = Date.now) {}

  next(): string {
    let ms = Math.floor(this.now());
    if (ms > this.lastMs) {
      this.lastMs = ms;
      this.rand = new Uint8Array(randomBytes(10));
      this.rand[0] = this.rand[0]! & 0x0f; // leave headroom so increments rarely overflow
    } else {
      ms = this.lastMs;
      if (!incrementBytes(this.rand)) {
        this.lastMs = ms + 1; // counter overflow: borrow a millisecond
        ms = this.lastMs;
        this.rand = new Uint8Array(randomBytes(10));
        this.rand[0] = this.rand[0]! & 0x0f;
      }
    }
    return formatV7(ms, this.rand);
  }
}

function incrementBytes(bytes: Uint8Array): boolean {
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 0xff) {
      bytes[i] = bytes[i]! + 1;
      return true;
    }
    bytes[i] = 0;
  }
  return false;
}

function formatV7(ms: number, rand: Uint8Array): string {
  const b = new Uint8Array(16);
  let t = ms;
  for (let i = 5; i >= 0; i--) {
    b[i] = t % 256;
    t = Math.floor(t / 256);
  }
  // rand[0..1] (12 bits) -> rand_a, rand[2..9] (62 bits) -> rand_b
  b[6] = 0x70 | (rand[0]! & 0x0f);
  b[7] = rand[1]!;
  b[8] = 0x80 | (rand[2]! & 0x3f);
  for (let i = 3; i < 10; i++) b[i + 6] = rand[i]!;
  const hex = Buffer.from(b).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const UUID_V7_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isUuidV7(id: string): boolean {
  return UUID_V7_RE.test(id);
}

/** Milliseconds since the epoch encoded in a UUIDv7. */
export function uuidV7Time(id: string): number {
  return parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}

const defaultGenerator = new UuidV7Generator();
export function uuidv7(): string {
  return defaultGenerator.next();
}
