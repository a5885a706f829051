#!/usr/bin/env node
// Runs every bench/*.bench.ts in its own process (TypeScript via tsx, workspace
// packages from source), collects `BENCH {json}` lines and writes bench/results.json.
// Usage: npm run bench [-- filter]   (filter: part of a file name, or a result name such
// as demo.restart.healthz: the files that report it are run)
//
// Exits non-zero when any result misses its target, when a target cannot be checked,
// when a ratio target comes without the baseline measured in the same run, when two
// results share a name, when a bench reports nothing or when a bench process fails.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = new URL('.', import.meta.url).pathname;
const filter = process.argv[2];
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
// A part of a file name selects files; otherwise a result name (a.b.c) selects the files that report it.
const byFile = all.filter((f) => !filter || f.includes(filter));
const files = byFile.length || !filter?.includes('.') ? byFile : all.filter((f) => readFileSync(join(dir, f), 'utf8').includes(`'${filter}'`));
if (files.length === 0) {
  console.error(`no benchmark matches "${filter}"`);
  process.exit(2);
}
const results = [];
const problems = [];
const seen = new Map();
for (const f of files) {
  console.error(`\n== ${f}`);
  const r = spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', '--expose-gc', join(dir, f)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
    timeout: 30 * 60 * 1000,
    // BENCH_ONLY: the result asked for, so a file with several parts may run only the one reporting it.
    env: { ...process.env, ...(filter && !f.includes(filter) ? { BENCH_ONLY: filter } : {}) },
  });
  let reported = 0;
  for (const line of (r.stdout ?? '').split('\n')) {
    if (line.startsWith('BENCH ')) {
      const res = { file: f, ...JSON.parse(line.slice(6)) };
      results.push(res);
      reported++;
      const verdict = check(res);
      if (seen.has(res.name)) verdict.push(`result name also reported by ${seen.get(res.name)}`);
      seen.set(res.name, f);
      for (const v of verdict) problems.push(`${res.name}: ${v}`);
      const base = res.baseline ? `  (baseline ${res.baseline.name}: ${res.baseline.value} ${res.baseline.unit})` : '';
      const mark = verdict.length ? 'MISS' : res.target ? 'ok  ' : '    ';
      console.error(`  ${mark} ${res.name} = ${res.value} ${res.unit}  target ${res.target ?? '-'}${base}${verdict.length ? `  <- ${verdict.join('; ')}` : ''}`);
    } else if (line.trim()) console.error(`  | ${line}`);
  }
  if (r.status !== 0) problems.push(`${f} exited with ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ''}`);
  else if (reported === 0) problems.push(`${f} reported no result`);
}

/** What is wrong with one result (empty when it met its target or has none). */
function check(res) {
  const out = [];
  for (const k of ['name', 'metric', 'unit']) if (typeof res[k] !== 'string' || !res[k]) out.push(`missing ${k}`);
  if (typeof res.value !== 'number' || !Number.isFinite(res.value)) out.push(`value ${res.value} is not a number`);
  if (res.target === undefined) return out;
  if (res.pass === undefined) out.push(`target "${res.target}" cannot be checked`);
  else if (res.pass === false) out.push(`missed target ${res.target}`);
  if (/ratio/.test(res.name) || /×|x baseline/.test(res.unit)) {
    const b = res.baseline;
    if (!b || typeof b.value !== 'number' || !Number.isFinite(b.value) || !b.name || !b.unit) out.push('ratio without the baseline measured in the same run');
  }
  return out;
}

const out = { date: new Date().toISOString(), node: process.version, filter: filter ?? null, results, problems };
writeFileSync(join(dir, 'results.json'), JSON.stringify(out, null, 2) + '\n');
console.log(JSON.stringify(out, null, 2));
if (problems.length) {
  console.error(`\n${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.error(`\nall ${results.length} results met their targets`);
