import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Request } from 'express';
import { crc32 } from 'node:zlib';
import type { Db } from '../store/open.js';
import type { DataVault } from '../security/vault.js';
import { ApiError } from '../http/errors.js';

/** Beyond this an upload is not even read to the end: the connection is closed. */
const DRAIN_CAP = 64 * 1024 * 1024;

export interface StoredPhoto {
  id: string;
  type: 'image/jpeg' | 'image/png';
  bytes: number;
  width: number;
  height: number;
}

/** Width and height of a JPEG from its first SOF segment, or null when it is not a JPEG. */
export function jpegSize(b: Buffer): { width: number; height: number } | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8 || b[2] !== 0xff) return null;
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    if (len < 2) return null;
    const sof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (sof) {
      if (i + 9 > b.length) return null;
      const height = b.readUInt16BE(i + 5);
      const width = b.readUInt16BE(i + 7);
      return width > 0 && height > 0 ? { width, height } : null;
    }
    if (marker === 0xda || marker === 0xd9) return null;
    i += 2 + len;
  }
  return null;
}

/** Width and height of a PNG whose chunks all check out (IHDR first, CRCs, IEND last), or null. */
export function pngSize(b: Buffer): { width: number; height: number } | null {
  const SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length < 45 || SIG.some((v, i) => b[i] !== v)) return null;
  let i = 8;
  let size: { width: number; height: number } | null = null;
  while (i + 12 <= b.length) {
    const len = b.readUInt32BE(i);
    if (i + 12 + len > b.length) return null;
    const type = b.toString('latin1', i + 4, i + 8);
    if (crc32(b.subarray(i + 4, i + 8 + len)) !== b.readUInt32BE(i + 8 + len)) return null;
    if (i === 8) {
      if (type !== 'IHDR' || len !== 13) return null;
      size = { width: b.readUInt32BE(i + 8), height: b.readUInt32BE(i + 12) };
      if (!size.width || !size.height) return null;
    }
    if (type === 'IEND') return size;
    i += 12 + len;
  }
  return null;
}

/** Reads a raw request body up to `max` bytes; a larger one is refused (413) after draining, or cut off past 64 MB. */
async function readBody(req: Request, max: number): Promise<Buffer> {
  const declared = Number(req.get('content-length') ?? NaN);
  const chunks: Buffer[] = [];
  let total = 0;
  let tooLarge = Number.isFinite(declared) && declared > max;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
    if (total > DRAIN_CAP) {
      req.socket.destroy();
      break;
    }
  }
  if (tooLarge) throw new ApiError(413, 'facilities.photo_too_large', { maxKb: Math.floor(max / 1024) });
  return Buffer.concat(chunks, total);
}

/**
 * Photos of inspections and work orders: JPEG or PNG only (checked by their structure,
 * not by the name or the Content-Type), size-limited, sealed at rest like person photos
 * (the data vault) in `<dataDir>/facilities/photos`. Phones resize before upload; the
 * edge has no image codec to resize, so an oversized photo is refused with that advice.
 */
export class PhotoStore {
  readonly dir: string;

  constructor(
    private readonly db: Db,
    private readonly vault: DataVault,
    dataDir: string,
    private readonly maxBytes: number,
    private readonly now: () => number,
    /** Flash budget of all photos together (bytes). */
    private readonly budgetBytes = Number.POSITIVE_INFINITY,
  ) {
    this.dir = join(dataDir, 'facilities', 'photos');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  async upload(req: Request, uploader: string): Promise<StoredPhoto> {
    const bytes = await readBody(req, this.maxBytes);
    const jpeg = jpegSize(bytes);
    const png = jpeg ? null : pngSize(bytes);
    const size = jpeg ?? png;
    if (!size) throw new ApiError(400, 'facilities.photo_not_image');
    const used = this.usage().bytes;
    if (used + bytes.length > this.budgetBytes) {
      throw new ApiError(507, 'facilities.photo_budget_full', { usedMb: Math.round(used / 1024 / 1024), budgetMb: Math.round(this.budgetBytes / 1024 / 1024) });
    }
    const photo: StoredPhoto = { id: randomUUID(), type: jpeg ? 'image/jpeg' : 'image/png', bytes: bytes.length, ...size };
    writeFileSync(join(this.dir, `${photo.id}.bin`), this.vault.sealFile(bytes), { mode: 0o600 });
    this.db.prepare('INSERT INTO fac_photos (id, type, bytes, uploader, at) VALUES (?, ?, ?, ?, ?)').run(photo.id, photo.type, photo.bytes, uploader, this.now());
    return photo;
  }

  exists(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM fac_photos WHERE id = ?').get(id) !== undefined;
  }

  meta(id: string): { type: string; uploader: string } | undefined {
    return this.db.prepare('SELECT type, uploader FROM fac_photos WHERE id = ?').get(id) as { type: string; uploader: string } | undefined;
  }

  read(id: string): Buffer | null {
    const file = join(this.dir, `${id}.bin`);
    return existsSync(file) ? this.vault.unsealFile(readFileSync(file)) : null;
  }

  /** Total stored bytes (sealed files add 32 bytes each). */
  usage(): { photos: number; bytes: number } {
    return this.db.prepare('SELECT count(*) AS photos, coalesce(sum(bytes), 0) AS bytes FROM fac_photos').get() as { photos: number; bytes: number };
  }
}
