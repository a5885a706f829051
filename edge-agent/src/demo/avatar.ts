import { existsSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';
import { DEFAULT_CJK_FONT_PATHS } from '../cards/fonts.js';

/*
 * Placeholder photos for the demo's people, made here without any network: a PNG with a
 * soft colour per person and their surname in white (drawn from the machine's CJK font,
 * the one card sheets use), or a head-and-shoulders silhouette when there is no such font.
 * Runs in the demo's device process (its "photo studio"), so the edge never loads a font.
 */

type Point = [number, number];
type Polygon = Point[];

const SIZE = 128;
const SUPER = 4;

/** Soft background colours (RGB), one picked per person id. */
const COLOURS: Array<[number, number, number]> = [
  [86, 132, 196],
  [76, 160, 132],
  [196, 120, 86],
  [146, 104, 186],
  [200, 96, 120],
  [90, 150, 170],
  [170, 140, 70],
];

interface GlyphFont {
  unitsPerEm: number;
  glyphForCodePoint(cp: number): { path: { commands: Array<{ command: string; args: number[] }> }; bbox: { minX: number; minY: number; maxX: number; maxY: number } };
  hasGlyphForCodePoint(cp: number): boolean;
}

let font: GlyphFont | null | undefined;

/** The first CJK face of the first Debian CJK font present (null when none: silhouettes then). */
async function cjkFont(): Promise<GlyphFont | null> {
  if (font !== undefined) return font;
  font = null;
  const path = DEFAULT_CJK_FONT_PATHS.find((p) => existsSync(p));
  if (!path) return font;
  try {
    const fontkit = (await import('fontkit')) as unknown as { openSync(p: string): GlyphFont | { fonts: GlyphFont[] } };
    const opened = fontkit.openSync(path);
    const faces = 'fonts' in opened ? opened.fonts : [opened];
    font = faces.find((f) => f.hasGlyphForCodePoint(0x4e2d)) ?? null;
  } catch {
    font = null;
  }
  return font;
}

/** Outline of one character, in pixels, centred in a box of `size` at (cx, cy). */
function glyphPolygons(f: GlyphFont, ch: string, cx: number, cy: number, size: number): Polygon[] {
  const g = f.glyphForCodePoint(ch.codePointAt(0)!);
  const scale = size / f.unitsPerEm;
  const { minX, minY, maxX, maxY } = g.bbox;
  const ox = cx - ((minX + maxX) / 2) * scale;
  const oy = cy + ((minY + maxY) / 2) * scale;
  const map = (x: number, y: number): Point => [ox + x * scale, oy - y * scale];
  const polys: Polygon[] = [];
  let cur: Polygon = [];
  let last: Point = [0, 0];
  const STEPS = 12;
  for (const { command, args: a } of g.path.commands) {
    if (command === 'moveTo') {
      if (cur.length > 2) polys.push(cur);
      last = map(a[0]!, a[1]!);
      cur = [last];
    } else if (command === 'lineTo') {
      last = map(a[0]!, a[1]!);
      cur.push(last);
    } else if (command === 'quadraticCurveTo') {
      const [c, e] = [map(a[0]!, a[1]!), map(a[2]!, a[3]!)];
      for (let i = 1; i <= STEPS; i++) {
        const t = i / STEPS;
        const u = 1 - t;
        cur.push([u * u * last[0] + 2 * u * t * c[0] + t * t * e[0], u * u * last[1] + 2 * u * t * c[1] + t * t * e[1]]);
      }
      last = e;
    } else if (command === 'bezierCurveTo') {
      const [c1, c2, e] = [map(a[0]!, a[1]!), map(a[2]!, a[3]!), map(a[4]!, a[5]!)];
      for (let i = 1; i <= STEPS; i++) {
        const t = i / STEPS;
        const u = 1 - t;
        const k = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t] as const;
        cur.push([k[0] * last[0] + k[1] * c1[0] + k[2] * c2[0] + k[3] * e[0], k[0] * last[1] + k[1] * c1[1] + k[2] * c2[1] + k[3] * e[1]]);
      }
      last = e;
    } else if (command === 'closePath') {
      if (cur.length > 2) polys.push(cur);
      cur = [];
    }
  }
  if (cur.length > 2) polys.push(cur);
  return polys;
}

function ellipse(cx: number, cy: number, rx: number, ry: number, from = 0, to = 2 * Math.PI): Polygon {
  const out: Polygon = [];
  for (let i = 0; i <= 48; i++) {
    const a = from + ((to - from) * i) / 48;
    out.push([cx + rx * Math.cos(a), cy + ry * Math.sin(a)]);
  }
  return out;
}

/** Coverage 0..1 per pixel of the polygons (non-zero winding), 4×4 samples per pixel. */
function coverage(polys: Polygon[]): Float32Array {
  const cov = new Float32Array(SIZE * SIZE);
  const edges: Array<[number, number, number, number, number]> = [];
  for (const p of polys) {
    for (let i = 0; i < p.length; i++) {
      const [x0, y0] = p[i]!;
      const [x1, y1] = p[(i + 1) % p.length]!;
      if (y0 !== y1) edges.push(y0 < y1 ? [x0, y0, x1, y1, 1] : [x1, y1, x0, y0, -1]);
    }
  }
  const w = 1 / (SUPER * SUPER);
  for (let sy = 0; sy < SIZE * SUPER; sy++) {
    const y = (sy + 0.5) / SUPER;
    const xs: Array<[number, number]> = [];
    for (const [x0, y0, x1, y1, dir] of edges) if (y >= y0 && y < y1) xs.push([x0 + ((y - y0) / (y1 - y0)) * (x1 - x0), dir]);
    xs.sort((a, b) => a[0] - b[0]);
    let wind = 0;
    for (let i = 0; i < xs.length - 1; i++) {
      wind += xs[i]![1];
      if (wind === 0) continue;
      const from = Math.max(0, Math.ceil(xs[i]![0] * SUPER - 0.5));
      const to = Math.min(SIZE * SUPER - 1, Math.floor(xs[i + 1]![0] * SUPER - 0.5));
      const row = Math.floor(sy / SUPER) * SIZE;
      for (let sx = from; sx <= to; sx++) cov[row + Math.floor(sx / SUPER)]! += w;
    }
  }
  return cov;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** An RGB PNG of SIZE×SIZE: `bg` everywhere, blended to white by `cov`. */
function png(bg: [number, number, number], cov: Float32Array): Buffer {
  const raw = Buffer.alloc(SIZE * (1 + SIZE * 3));
  for (let y = 0; y < SIZE; y++) {
    const row = y * (1 + SIZE * 3);
    raw[row] = 0;
    for (let x = 0; x < SIZE; x++) {
      const a = Math.min(1, cov[y * SIZE + x]!);
      for (let c = 0; c < 3; c++) raw[row + 1 + x * 3 + c] = Math.round(bg[c]! * (1 - a) + 255 * a);
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A placeholder photo for a person: their surname (the first character of the name) on a colour of their own. */
export async function avatarPng(personId: string, name: string): Promise<Buffer> {
  let h = 0;
  for (const ch of personId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  const bg = COLOURS[h % COLOURS.length]!;
  const f = await cjkFont();
  const surname = [...name][0];
  const polys =
    f && surname && f.hasGlyphForCodePoint(surname.codePointAt(0)!)
      ? glyphPolygons(f, surname, SIZE / 2, SIZE / 2, SIZE * 0.62)
      : [ellipse(SIZE / 2, SIZE * 0.38, SIZE * 0.17, SIZE * 0.19), ellipse(SIZE / 2, SIZE * 0.98, SIZE * 0.36, SIZE * 0.34, Math.PI, 2 * Math.PI)];
  return png(bg, coverage(polys));
}
