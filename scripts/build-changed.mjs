#!/usr/bin/env node
// `npm start` builds only what changed: `tsc -b` is incremental by itself (its .tsbuildinfo
// files), and the panel's vite builds (the edge panel, then the cloud console) run only when a
// file they are built from is newer than web-panel/dist-console/index.html (written last) or
// when there is no build yet.
// `--force-panel` rebuilds the panel anyway.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** Newest modification time under `path` (a file or a folder), skipping node_modules and dist. */
export function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted file changes its folder
  for (const name of readdirSync(path)) {
    if (name === 'node_modules' || name === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, name)));
  }
  return newest;
}

/** What the panel bundle is built from: its own sources and config, and the protocol package it imports. */
export const PANEL_INPUTS = [
  'web-panel/src',
  'web-panel/public',
  'web-panel/index.html',
  'web-panel/vite.config.ts',
  'web-panel/console.html',
  'web-panel/vite.console.config.ts',
  'web-panel/package.json',
  'web-panel/tsconfig.json',
  'protocol/src',
  'protocol/package.json',
  'package-lock.json',
];

export function panelIsStale(base = root) {
  // The console is built after the edge panel (`npm run build -w web-panel`): its index.html is written last.
  const marker = join(base, 'web-panel/dist-console/index.html');
  if (!existsSync(marker)) return true;
  const built = statSync(marker).mtimeMs;
  return PANEL_INPUTS.some((p) => newestMtime(join(base, p)) > built);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-b']);
  if (process.argv.includes('--force-panel') || panelIsStale()) run('npm', ['run', 'build', '-w', 'web-panel']);
  else process.stdout.write('面板无变化，跳过构建 / panel unchanged, build skipped\n');
  process.stdout.write(`构建检查 ${((Date.now() - started) / 1000).toFixed(1)} s / build check done\n`);
}
