/**
 * Staff panel benchmarks (issue 11):
 *   panel.js.initial.kb      JavaScript the built panel's index.html loads before anything is
 *                            lazy-loaded: the entry script, its modulepreloads and every chunk
 *                            they import statically, gzip-compressed (KB). The energy chart and
 *                            each page stay out of it (route-level import()).
 *   panel.gate.first.render  The gate page (门岗实时) from navigation to the latest decision (or
 *                            "waiting") on screen, in Debian's Chromium with the CPU slowed 4×
 *                            (CDP Emulation.setCPUThrottlingRate, a mid-range phone), a cold
 *                            cache and a signed-in guard session, against the real demo campus
 *                            (median of several loads, s).
 * Needs `npm run build` first (as `npm run bench` does).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { median, report } from './lib.js';
import { startDemoEdge } from '../web-panel/test/e2e/demo-edge.js';

const DIST = fileURLToPath(new URL('../web-panel/dist/', import.meta.url));
const LOADS = 5;
const CPU_SLOWDOWN = 4;

// ---- panel.js.initial.kb -----------------------------------------------------------------

/** Static imports of a built chunk ("./x.js"), not dynamic import() calls. */
function staticImports(code: string): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{},\s]+from\s*)?["'](\.\/[^"']+\.js)["']/g)) out.push(m[1]!);
  return out;
}

function initialJs(): { kb: number; files: string[] } {
  const html = readFileSync(join(DIST, 'index.html'), 'utf8');
  const roots = [
    ...[...html.matchAll(/<script[^>]+type="module"[^>]+src="\/?([^"]+)"/g)].map((m) => m[1]!),
    ...[...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/?([^"]+)"/g)].map((m) => m[1]!),
  ];
  if (roots.length === 0) throw new Error('web-panel/dist/index.html names no module script');
  const seen = new Set<string>();
  const queue = [...roots];
  let bytes = 0;
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(join(DIST, file));
    bytes += gzipSync(code, { level: 9 }).length;
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/') + 1) : '';
    for (const imp of staticImports(code.toString('utf8'))) queue.push(dir + imp.slice(2));
  }
  return { kb: Math.round((bytes / 1024) * 10) / 10, files: [...seen] };
}

// ---- panel.gate.first.render -------------------------------------------------------------

async function gateFirstRender(): Promise<{ median: number; runs: number[] }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'campus-panel-bench-'));
  const demo = await startDemoEdge(dataDir);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const runs: number[] = [];
  try {
    // Let the demo's gates produce some decisions first, so the page has a latest scan to show.
    await new Promise((r) => setTimeout(r, 8000));
    for (let i = 0; i < LOADS + 1; i++) {
      // A fresh profile each load: nothing cached, only the session cookie of a signed-in user.
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN', deviceScaleFactor: 2, isMobile: true, hasTouch: true });
      const login = await context.request.post(`${demo.url}/api/auth/login`, { data: demo.admin });
      if (!login.ok()) throw new Error(`sign-in refused: ${login.status()}`);
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
      await page.goto(`${demo.url}/#/access/live`, { waitUntil: 'commit' });
      // Time since navigation start, taken in the frame the card first shows in.
      // Runs in the page: its `document` (the benches compile without the DOM library).
      const at = await page.waitForFunction(() => ((globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('[data-testid=decision-hero], [data-testid=decision-waiting]') ? performance.now() : 0), undefined, { polling: 'raf', timeout: 30_000 });
      const ms = (await at.jsonValue()) as number;
      // The first load warms the edge (SQLite pages, JIT); it is not counted.
      if (i > 0) runs.push(Math.round(ms) / 1000);
      await context.close();
    }
  } finally {
    await browser.close();
    await demo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { median: median(runs), runs };
}

if (!existsSync(join(DIST, 'index.html'))) throw new Error(`${DIST}index.html is missing: run "npm run build" first.`);
const initial = initialJs();
report({ name: 'panel.js.initial.kb', metric: 'size', value: initial.kb, unit: 'KB gzip', target: '<= 250', files: initial.files });
const gate = await gateFirstRender();
report({ name: 'panel.gate.first.render', metric: 'median', value: gate.median, unit: 's', target: '<= 1.5', runs: gate.runs, notes: `Chromium, CPU ${CPU_SLOWDOWN}x slower, cold cache, 390x844` });
