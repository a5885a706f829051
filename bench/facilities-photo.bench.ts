/**
 * photo.stored.kb (issue 14): a real ~4 MB phone photo goes through the panel's own resize
 * code and upload in Debian's Chromium, on the report-a-fault screen at a phone viewport,
 * to a real edge; the result is what the edge stored per photo (its sealed file on flash),
 * and the MB that 10,000 such photos take against the configured flash budget
 * (facilities.photoBudgetMb). The photos are made by Chromium's own JPEG encoder from a
 * canvas (a scene of gradients and shapes with sensor-like noise, the noise raised until the
 * file is about 4 MB, as a 12-megapixel phone writes it), each different. Needs
 * `npm run build -w web-panel` first.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { median, report } from './lib.js';
import { startEdge } from '../edge-agent/src/edge.js';
import type { FacilitiesDomain } from '../edge-agent/src/facilities/domain.js';

const PW = 'bench-password-1';
const PHOTOS = 5;
const TARGET_BYTES = 4 * 1024 * 1024;
const DIST = fileURLToPath(new URL('../web-panel/dist/', import.meta.url));
if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}index.html is missing: run "npm run build -w web-panel" first.`);

/**
 * Runs in the page: a 4032×3024 JPEG (quality 0.92, as phone cameras write) of a scene with
 * noise of amplitude `noise`; answers its bytes as base64.
 */
const MAKE_PHOTO = `async ({ seed, noise }) => {
  const W = 4032, H = 3024;
  const c = document.createElement('canvas');
  c.width = W; c.height = H;
  const g = c.getContext('2d');
  let s = seed >>> 0;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
  const sky = g.createLinearGradient(0, 0, 0, H);
  sky.addColorStop(0, 'rgb(' + (120 + rnd() * 60 | 0) + ',160,210)');
  sky.addColorStop(0.6, 'rgb(220,215,200)');
  sky.addColorStop(1, 'rgb(90,80,70)');
  g.fillStyle = sky; g.fillRect(0, 0, W, H);
  for (let i = 0; i < 60; i++) {
    g.fillStyle = 'rgba(' + (rnd() * 255 | 0) + ',' + (rnd() * 255 | 0) + ',' + (rnd() * 255 | 0) + ',0.7)';
    g.fillRect(rnd() * W, rnd() * H, 100 + rnd() * 900, 60 + rnd() * 700);
  }
  g.font = '160px sans-serif'; g.fillStyle = '#222'; g.fillText('配电箱 B-' + seed, 400, 1500);
  const img = g.getImageData(0, 0, W, H);
  const d = img.data;
  for (let i = 0; i < d.length; i += 4) {
    const n = (rnd() - 0.5) * noise;
    d[i] += n; d[i + 1] += n * 0.9; d[i + 2] += n * 1.1;
  }
  g.putImageData(img, 0, 0);
  const blob = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.92));
  const buf = new Uint8Array(await blob.arrayBuffer());
  let bin = '';
  for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode.apply(null, buf.subarray(i, i + 0x8000));
  return btoa(bin);
}`;

const dir = mkdtempSync(join(tmpdir(), 'campus-bench-photo-'));
const edge = await startEdge(
  {
    dataDir: dir,
    log: { level: 'silent' },
    http: { host: '127.0.0.1', port: 0, panelDir: DIST },
    mqtt: { host: '127.0.0.1', port: 0 },
    clock: { trust: 'always' },
    auth: { bootstrapAdmin: { username: 'admin', password: PW } },
    facilities: { enabled: true, supervisors: ['boss'], rota: [{ category: '*', assignee: 'boss' }] },
  },
  { logger: pino({ level: 'silent' }), users: [{ username: 'teacher', password: PW, roles: ['staff'] }, { username: 'boss', password: PW, roles: ['facility'] }] },
);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
try {
  const facilities = edge.domains.get('facilities') as FacilitiesDomain;
  const budgetMb = edge.config.facilities.photoBudgetMb;
  const photosDir = facilities.services!.photos.dir;
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', deviceScaleFactor: 3, isMobile: true, hasTouch: true });
  const login = await context.request.post(`${edge.httpUrl}/api/auth/login`, { data: { username: 'teacher', password: PW } });
  if (!login.ok()) throw new Error(`sign-in refused: ${login.status()}`);
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(`${edge.httpUrl}/#/facilities/report`);
  await page.getByTestId('report-photo-take').waitFor();

  // The noise that makes Chromium's JPEG of the scene about 4 MB (found on the first seed).
  let lo = 0;
  let hi = 120;
  let noise = 40;
  for (let i = 0; i < 7; i++) {
    const b64 = (await page.evaluate(`(${MAKE_PHOTO})({ seed: 1, noise: ${noise} })`)) as string;
    const size = (b64.length * 3) / 4;
    if (Math.abs(size - TARGET_BYTES) / TARGET_BYTES < 0.05) break;
    if (size < TARGET_BYTES) lo = noise;
    else hi = noise;
    noise = (lo + hi) / 2;
  }

  const originals: number[] = [];
  const stored: number[] = [];
  const uploadsMs: number[] = [];
  for (let i = 0; i < PHOTOS; i++) {
    const jpeg = Buffer.from((await page.evaluate(`(${MAKE_PHOTO})({ seed: ${i + 2}, noise: ${noise} })`)) as string, 'base64');
    originals.push(jpeg.length);
    const before = new Set(readdirSync(photosDir));
    const t0 = performance.now();
    // The file input of the photo field: the panel resizes (canvas, JPEG) and uploads.
    await page.getByTestId('report-photo-file').setInputFiles({ name: `IMG_${1000 + i}.jpg`, mimeType: 'image/jpeg', buffer: jpeg });
    await page.getByTestId('report-photo-size').waitFor();
    uploadsMs.push(performance.now() - t0);
    const added = readdirSync(photosDir).filter((f) => !before.has(f));
    if (added.length !== 1) throw new Error(`expected one stored photo, found ${added.length}`);
    stored.push(statSync(join(photosDir, added[0]!)).size);
    // Remove it from the form (the stored photo stays) for the next one.
    await page.getByTestId('report-photo').getByRole('button', { name: '删除照片' }).click();
    await page.getByTestId('report-photo-take').waitFor();
  }
  const usage = facilities.services!.photos.usage();
  const storedKb = median(stored) / 1024;
  const originalKb = median(originals) / 1024;
  const tenThousandMb = (median(stored) * 10_000) / 1024 / 1024;
  report({
    name: 'photo.stored.kb',
    metric: `median stored size (sealed file on flash) of ${PHOTOS} phone photos (4032×3024 JPEG) resized in Chromium by the panel and uploaded`,
    value: Number(storedKb.toFixed(1)),
    unit: 'KB',
    target: '<= 300',
    baseline: { name: 'photo.original.kb', value: Number(originalKb.toFixed(1)), unit: 'KB' },
    stored: stored.map((b) => Number((b / 1024).toFixed(1))),
    originals: originals.map((b) => Number((b / 1024).toFixed(1))),
    uploadMedianS: Number((median(uploadsMs) / 1000).toFixed(2)),
    edgeUsage: usage,
    notes: `JPEG noise amplitude ${noise.toFixed(1)}`,
  });
  report({
    name: 'photo.10k.mb',
    metric: `flash used by 10,000 such photos (median stored size × 10,000) against facilities.photoBudgetMb`,
    value: Number(tenThousandMb.toFixed(0)),
    unit: 'MB',
    target: `<= ${budgetMb}`,
    budgetMb,
  });
} finally {
  await browser.close();
  await edge.stop();
  rmSync(dir, { recursive: true, force: true });
}
