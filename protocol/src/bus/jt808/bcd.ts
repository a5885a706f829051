import { Jt808Error, hex } from './errors.js';

/** Digits → packed BCD of `bytes` bytes, left-padded with zeros. */
export function encodeBcd(digits: string, bytes: number, field = 'bcd'): Buffer {
  if (!/^\d*$/.test(digits) || digits.length > bytes * 2) throw new Jt808Error('jt808.bad_field', { msgId: '-', field });
  const s = digits.padStart(bytes * 2, '0');
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (Number(s[2 * i]) << 4) | Number(s[2 * i + 1]);
  return out;
}

export function decodeBcd(buf: Uint8Array): string {
  let s = '';
  for (const b of buf) {
    const hi = b >> 4;
    const lo = b & 0x0f;
    if (hi > 9 || lo > 9) throw new Jt808Error('jt808.bad_bcd', { byte: hex(b) });
    s += String(hi) + String(lo);
  }
  return s;
}

const GMT8_MS = 8 * 3600_000;

/** BCD[6] YYMMDDhhmmss in GMT+8 (JT/T 808 §4.2) → ms since epoch (UTC). Years 2000–2099. */
export function decodeBcdTime(buf: Uint8Array): number {
  const s = decodeBcd(buf);
  const [yy, mo, dd, hh, mi, ss] = [0, 2, 4, 6, 8, 10].map((i) => Number(s.slice(i, i + 2))) as [number, number, number, number, number, number];
  const ms = Date.UTC(2000 + yy, mo - 1, dd, hh, mi, ss) - GMT8_MS;
  const back = new Date(ms + GMT8_MS);
  if (mo < 1 || mo > 12 || back.getUTCDate() !== dd || back.getUTCMonth() !== mo - 1 || hh > 23 || mi > 59 || ss > 59) {
    throw new Jt808Error('jt808.bad_time', { time: s });
  }
  return ms;
}

export function encodeBcdTime(ms: number): Buffer {
  const d = new Date(Math.floor(ms / 1000) * 1000 + GMT8_MS);
  const y = d.getUTCFullYear();
  if (y < 2000 || y > 2099) throw new Jt808Error('jt808.bad_time', { time: String(ms) });
  const p = (n: number) => String(n).padStart(2, '0');
  return encodeBcd(p(y - 2000) + p(d.getUTCMonth() + 1) + p(d.getUTCDate()) + p(d.getUTCHours()) + p(d.getUTCMinutes()) + p(d.getUTCSeconds()), 6, 'time');
}
