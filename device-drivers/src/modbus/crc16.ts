/**
 * CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF), appended low byte first.
 * Table-driven because the bus manager checks every candidate frame offset when a
 * reply arrives behind line noise.
 */
const TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

export function crc16(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ buf[i]!) & 0xff]!;
  return crc;
}

/** Returns body + CRC (low byte first), as an RTU frame goes on the wire. */
export function withCrc(body: Uint8Array): Buffer {
  const out = Buffer.alloc(body.length + 2);
  out.set(body, 0);
  out.writeUInt16LE(crc16(body), body.length);
  return out;
}

/** True when the last two bytes of buf[start, end) are the CRC of the bytes before them. */
export function crcMatches(buf: Uint8Array, start = 0, end = buf.length): boolean {
  if (end - start < 3) return false;
  const expected = crc16(buf, start, end - 2);
  return buf[end - 2] === (expected & 0xff) && buf[end - 1] === expected >>> 8;
}
