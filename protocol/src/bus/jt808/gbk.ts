/**
 * GBK text (plates such as 京A12345, authentication codes). Decoding uses the platform's
 * WHATWG TextDecoder; encoding builds the reverse table once, on first use, from the same
 * decoder, so both directions agree and nothing outside the standard library is needed.
 */
let decoder: { decode(b: Uint8Array): string } | null = null;
let reverse: Map<number, number> | null = null;

export function decodeGbk(bytes: Uint8Array): string {
  decoder ??= new TextDecoder('gbk');
  return decoder.decode(bytes);
}

function table(): Map<number, number> {
  if (reverse) return reverse;
  decoder ??= new TextDecoder('gbk');
  const m = new Map<number, number>();
  const pair = new Uint8Array(2);
  for (let hi = 0x81; hi <= 0xfe; hi++) {
    for (let lo = 0x40; lo <= 0xfe; lo++) {
      if (lo === 0x7f) continue;
      pair[0] = hi;
      pair[1] = lo;
      const s = decoder.decode(pair);
      if (s.length === 1 && s !== '\uFFFD') {
        const cp = s.codePointAt(0)!;
        if (!m.has(cp)) m.set(cp, (hi << 8) | lo);
      }
    }
  }
  reverse = m;
  return m;
}

/** Text → GBK bytes; a character GBK cannot hold becomes "?". */
export function encodeGbk(text: string): Buffer {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) {
      out.push(cp);
      continue;
    }
    const code = table().get(cp);
    if (code === undefined) out.push(0x3f);
    else out.push(code >> 8, code & 0xff);
  }
  return Buffer.from(out);
}
