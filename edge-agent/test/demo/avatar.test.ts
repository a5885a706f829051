import { describe, expect, it } from 'vitest';
import { inflateSync } from 'node:zlib';
import { avatarPng } from '../../src/demo/avatar.js';

/** Decodes the avatar's PNG (8-bit RGB, filter 0 rows, one IDAT) into its pixels. */
function pixels(png: Buffer): { width: number; height: number; rgb: Buffer } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 2]);
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  expect(raw.length).toBe(height * (1 + width * 3));
  const rgb = Buffer.concat(Array.from({ length: height }, (_, y) => raw.subarray(y * (1 + width * 3) + 1, (y + 1) * (1 + width * 3))));
  return { width, height, rgb };
}

describe('demo placeholder photos', () => {
  it('are PNGs the photo API accepts: a colour per person with the surname in white, drawn locally', async () => {
    const wang = pixels(await avatarPng('2026010101', '王小明'));
    expect([wang.width, wang.height]).toEqual([128, 128]);
    const white = (p: ReturnType<typeof pixels>) => {
      let n = 0;
      for (let i = 0; i < p.rgb.length; i += 3) if (p.rgb[i]! > 240 && p.rgb[i + 1]! > 240 && p.rgb[i + 2]! > 240) n++;
      return n;
    };
    // The surname covers a fair part of the picture, not all of it; its corners are the background.
    expect(white(wang)).toBeGreaterThan(300);
    expect(white(wang)).toBeLessThan(128 * 128 * 0.5);
    const zheng = pixels(await avatarPng('T0001', '郑老师'));
    expect(zheng.rgb.subarray(0, 3)).not.toEqual(wang.rgb.subarray(0, 3));
    // Another surname, another drawing; the same person, the same photo.
    expect(white(pixels(await avatarPng('2026010101', '李小红')))).not.toBe(white(wang));
    expect(await avatarPng('2026010101', '王小明')).toEqual(await avatarPng('2026010101', '王小明'));
  });
});
