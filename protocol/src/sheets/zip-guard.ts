import { inflateRawSync } from 'node:zlib';
import { SheetError } from './errors.js';

/**
 * An .xlsx file is a zip archive. Before a spreadsheet library sees one from outside,
 * its central directory is read here: entry count, declared sizes and compression
 * ratio must be reasonable, and every entry is then inflated with its declared size as
 * a hard cap (a lying header cannot make it grow further) to prove the declaration
 * true. A zip bomb is refused after at most `maxTotalBytes` of inflating, usually
 * before any.
 */
export interface ZipLimits {
  maxEntries: number;
  /** Sum of the uncompressed sizes of all entries. */
  maxTotalBytes: number;
  /** Uncompressed size of one entry (a sheet, the shared strings). */
  maxEntryBytes: number;
  /** Uncompressed ÷ compressed, for entries above 1 MiB. */
  maxRatio: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 1000,
  maxTotalBytes: 64 * 1024 * 1024,
  maxEntryBytes: 48 * 1024 * 1024,
  maxRatio: 200,
};

export interface ZipEntryInfo {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MiB = 1024 * 1024;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype', '..', '.']);

function mb(n: number): string {
  return (n / MiB).toFixed(1);
}

/** Checks the archive; returns its entries or throws SheetError naming the problem. */
export function checkZip(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipEntryInfo[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 22 || buf.readUInt32LE(0) !== LOCAL) throw new SheetError('sheet.not_xlsx');
  // End of central directory: the last 22 bytes, or up to 64 KiB earlier with a comment.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new SheetError('sheet.not_xlsx');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) throw new SheetError('sheet.zip64');
  if (count > limits.maxEntries) throw new SheetError('sheet.too_many_entries', { count, limit: limits.maxEntries });
  if (cdOffset + cdSize > eocd) throw new SheetError('sheet.not_xlsx');

  const entries: Array<ZipEntryInfo & { localOffset: number }> = [];
  const names = new Set<string>();
  let p = cdOffset;
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > eocd || buf.readUInt32LE(p) !== CENTRAL) throw new SheetError('sheet.not_xlsx');
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOffset = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff) throw new SheetError('sheet.zip64');
    if (flags & 0x1) throw new SheetError('sheet.encrypted');
    if (method !== 0 && method !== 8) throw new SheetError('sheet.bad_entry', { name: printable(name) });
    if (!name || name.startsWith('/') || name.includes('\\') || name.split('/').some((s) => FORBIDDEN_SEGMENTS.has(s)) || names.has(name)) {
      throw new SheetError('sheet.bad_entry', { name: printable(name) });
    }
    names.add(name);
    if (size > limits.maxEntryBytes) throw new SheetError('sheet.too_large', { name: printable(name), size: mb(size), limit: mb(limits.maxEntryBytes) });
    if (size > MiB && size / Math.max(compressedSize, 1) > limits.maxRatio) {
      throw new SheetError('sheet.ratio', { name: printable(name), ratio: Math.round(size / Math.max(compressedSize, 1)), limit: limits.maxRatio });
    }
    total += size;
    if (total > limits.maxTotalBytes) throw new SheetError('sheet.too_large', { name: '*', size: `> ${mb(total)}`, limit: mb(limits.maxTotalBytes) });
    entries.push({ name, method, compressedSize, size, localOffset });
  }

  // The declarations pass; prove them, never inflating past what an entry declared.
  for (const e of entries) {
    const o = e.localOffset;
    if (o + 30 > buf.length || buf.readUInt32LE(o) !== LOCAL) throw new SheetError('sheet.not_xlsx');
    const start = o + 30 + buf.readUInt16LE(o + 26) + buf.readUInt16LE(o + 28);
    const data = buf.subarray(start, start + e.compressedSize);
    if (data.length !== e.compressedSize) throw new SheetError('sheet.not_xlsx');
    let actual: number;
    if (e.method === 0) actual = data.length;
    else {
      try {
        actual = inflateRawSync(data, { maxOutputLength: Math.max(e.size, 1) }).length;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw new SheetError('sheet.size_mismatch', { name: printable(e.name) });
        throw new SheetError('sheet.not_xlsx');
      }
    }
    if (actual !== e.size) throw new SheetError('sheet.size_mismatch', { name: printable(e.name) });
  }
  return entries.map(({ localOffset: _o, ...e }) => e);
}

function printable(name: string): string {
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 80);
}
