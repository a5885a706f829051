import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { deflateSync } from 'node:zlib';
import PDFDocument from 'pdfkit';

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `campus-cards-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A real RGB PNG (a warm background with a dark disc), w × h pixels. */
export function makePng(w: number, h: number): Buffer {
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0; // filter: none
    for (let x = 0; x < w; x++) {
      const inside = (x - w / 2) ** 2 + (y - h / 2.6) ** 2 < (w / 4) ** 2;
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = inside ? 40 : 240;
      raw[o + 1] = inside ? 40 : 210;
      raw[o + 2] = inside ? 60 : 180;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A real JPEG, made by drawing with pdfkit and rasterising with poppler's pdftoppm. */
export async function makeJpeg(dir: string, name: string): Promise<string> {
  const pdf = join(dir, `${name}.pdf`);
  const doc = new PDFDocument({ size: [60, 80], margin: 0 });
  const ws = createWriteStream(pdf);
  doc.pipe(ws);
  doc.rect(0, 0, 60, 80).fill('#cfe3f5');
  doc.circle(30, 30, 14).fill('#20304a');
  doc.end();
  await finished(ws);
  execFileSync('pdftoppm', ['-jpeg', '-r', '96', '-singlefile', pdf, join(dir, name)]);
  return join(dir, `${name}.jpg`);
}

export function writePng(dir: string, name: string, w = 90, h = 120): string {
  const path = join(dir, name);
  writeFileSync(path, makePng(w, h));
  return path;
}

/** Pages as the PDF's own page objects count them ("/Type /Page", not "/Pages"). */
export function countPdfPages(pdf: Buffer): number {
  return pdf.toString('latin1').match(/\/Type \/Page(?![s\w])/g)?.length ?? 0;
}

/**
 * QR texts found by zbar (a decoder nobody here wrote) on one rendered page. zbar's
 * whole-page scan occasionally misses one of ten codes at a given resolution, so the
 * page is rendered at three resolutions and the distinct texts are united.
 */
export function decodeQrOnPage(pdfPath: string, page: number, dir: string): string[] {
  const found = new Set<string>();
  for (const dpi of [150, 220, 300]) {
    const prefix = join(dir, `page-${page}-${dpi}`);
    execFileSync('pdftoppm', ['-png', '-r', String(dpi), '-f', String(page), '-l', String(page), '-singlefile', pdfPath, prefix]);
    let out = '';
    try {
      out = execFileSync('zbarimg', ['-q', '--raw', '-Sdisable', '-Sqrcode.enable', `${prefix}.png`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch (err) {
      out = String((err as { stdout?: string }).stdout ?? ''); // exit 4: nothing found at this resolution
    }
    for (const l of out.split('\n')) if (l.length > 0) found.add(l);
  }
  return [...found];
}

export function pdfText(pdfPath: string): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', pdfPath, '-'], { encoding: 'utf8' });
}

export function pdfInfoPages(pdfPath: string): number {
  const out = execFileSync('pdfinfo', [pdfPath], { encoding: 'utf8' });
  return Number(/^Pages:\s+(\d+)/m.exec(out)?.[1]);
}
