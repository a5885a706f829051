import { randomBytes } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTime, cst, startFacilitiesEdge, uploadPhoto } from './helpers.js';

/** An RGB PNG of random noise (deflate cannot shrink it): about w·h·3 bytes. */
function noisePng(w: number, h: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const raw = randomBytes((w * 3 + 1) * h);
  for (let row = 0; row < h; row++) raw[row * (w * 3 + 1)] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 1 })), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * The photos' flash budget (facilities.photoBudgetMb): uploads fit until the stored photos
 * would pass it; then the edge refuses with a clear error in both languages, keeps every
 * photo it has, and keeps running.
 */
describe('facilities photo flash budget', () => {
  const time = new FakeTime(cst('2026-09-07 08:00'));
  let env: Awaited<ReturnType<typeof startFacilitiesEdge>>;
  beforeAll(async () => {
    env = await startFacilitiesEdge(time, { photoMaxKb: 1024, photoBudgetMb: 1 });
  }, 60_000);
  afterAll(async () => {
    await env?.edge.cleanup();
  });

  it('refuses a photo past the budget (507) and loses none stored', async () => {
    const photo = noisePng(300, 300); // ~270 KB
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await uploadPhoto(env.teacher, photo);
      expect(r.status, JSON.stringify(r.json)).toBe(201);
      ids.push(r.json.photo.id);
    }
    const full = await uploadPhoto(env.teacher, photo);
    expect(full.status).toBe(507);
    expect(full.json.error.code).toBe('facilities.photo_budget_full');
    expect(full.json.error.message['zh-CN']).toBe('照片存储空间已满（已用 1 MB，上限 1 MB）：请联系管理员清理旧照片或调大 facilities.photoBudgetMb');
    expect(full.json.error.message.en).toMatch(/photo storage is full/);
    // A small one still fits; everything stored reads back whole.
    expect((await uploadPhoto(env.teacher, noisePng(40, 40))).status).toBe(201);
    for (const id of ids) {
      const res = await fetch(`${env.edge.httpUrl}/api/facilities/photos/${id}`, { headers: { cookie: env.boss.cookie } });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(photo)).toBe(true);
    }
  });
});
