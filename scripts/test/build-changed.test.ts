import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// @ts-expect-error -- a plain .mjs script without types
import { panelIsStale } from '../build-changed.mjs';

const isStale = panelIsStale as (base: string) => boolean;

/** npm start skips the panel's vite builds when web-panel/dist-console (built last) is newer than what they are built from. */
describe('build-changed: when the panel is rebuilt', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  const tree = () => {
    const dir = mkdtempSync(join(tmpdir(), 'build-changed-'));
    dirs.push(dir);
    const file = (path: string, at: number) => {
      const p = join(dir, path);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, 'x');
      utimesSync(p, at / 1000, at / 1000);
      // Folders count too (a deleted file changes its folder): the new ones get the file's time.
      for (let d = dirname(p); d.length > dir.length; d = dirname(d)) if (statSync(d).mtimeMs > at) utimesSync(d, at / 1000, at / 1000);
    };
    return { dir, file };
  };

  it('builds when there is no build, skips when the build is newer, builds after a source or protocol change', () => {
    const t0 = Date.now() - 60_000;
    const { dir, file } = tree();
    file('web-panel/src/main.tsx', t0);
    file('web-panel/src/pages/gate/GatePage.tsx', t0);
    file('protocol/src/i18n/index.ts', t0);
    expect(isStale(dir)).toBe(true);
    file('web-panel/dist-console/index.html', t0 + 10_000);
    expect(isStale(dir)).toBe(false);
    file('web-panel/src/pages/gate/GatePage.tsx', t0 + 20_000);
    expect(isStale(dir)).toBe(true);
    file('web-panel/dist-console/index.html', t0 + 30_000);
    expect(isStale(dir)).toBe(false);
    file('protocol/src/i18n/index.ts', t0 + 40_000);
    expect(isStale(dir)).toBe(true);
  });

  it('ignores node_modules and the build itself', () => {
    const t0 = Date.now() - 60_000;
    const { dir, file } = tree();
    file('web-panel/src/main.tsx', t0);
    file('web-panel/dist-console/index.html', t0 + 10_000);
    file('web-panel/src/node_modules/x/index.js', t0 + 20_000);
    file('web-panel/src/dist/old.js', t0 + 20_000);
    for (const d of ['web-panel/src', 'web-panel/src/node_modules', 'web-panel/src/dist']) utimesSync(join(dir, d), t0 / 1000, t0 / 1000);
    expect(isStale(dir)).toBe(false);
  });
});
