#!/usr/bin/env node
// Runs every bench/*.bench.ts in its own process (TypeScript via tsx, workspace
// packages from source), collects `BENCH {json}` lines and writes bench/results.json.
// Usage: npm run bench [-- name-filter]
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('.', import.meta.url).pathname;
const filter = process.argv[2];
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter))).sort();
const results = [];
let failures = 0;
for (const f of files) {
  console.error(`\n== ${f}`);
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--expose-gc', join(dir, f)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
    timeout: 15 * 60 * 1000,
  });
  for (const line of (r.stdout ?? '').split('\n')) {
    if (line.startsWith('BENCH ')) {
      const res = { file: f, ...JSON.parse(line.slice(6)) };
      results.push(res);
      const base = res.baseline ? `  (baseline ${res.baseline.name}: ${res.baseline.value} ${res.baseline.unit})` : '';
      console.error(`  ${res.pass === false ? 'MISS' : res.pass ? 'ok  ' : '    '} ${res.name} = ${res.value} ${res.unit}  target ${res.target ?? '-'}${base}`);
    } else if (line.trim()) console.error(`  | ${line}`);
  }
  if (r.status !== 0) {
    failures++;
    console.error(`  ${f} exited with ${r.status ?? r.signal}`);
  }
}
const out = { date: new Date().toISOString(), node: process.version, results };
writeFileSync(join(dir, 'results.json'), JSON.stringify(out, null, 2) + '\n');
console.log(JSON.stringify(out, null, 2));
process.exit(failures ? 1 : 0);
