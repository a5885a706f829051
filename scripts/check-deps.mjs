#!/usr/bin/env node
// Dependency-direction check (DESIGN.md §2). Fails when a workspace imports an
// internal package it may not, when its package.json lists one it may not, or when
// web-panel imports protocol at runtime (it may use types, plus the i18n catalogue).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { builtinModules } from 'node:module';

const root = process.argv[2] ?? new URL('..', import.meta.url).pathname;
const allowed = {
  protocol: [],
  'device-drivers': ['protocol'],
  'endpoint-guard': ['protocol'],
  'cloud-sync': ['protocol'],
  'edge-agent': ['protocol', 'device-drivers', 'cloud-sync'],
  'web-panel': ['protocol'],
  // The shared test kit: peers, fake clock, fixtures from the protocol schemas.
  testkit: ['protocol'],
};
// Packages only tests may import: any package's test/ folder (listed in devDependencies),
// never its src.
const testOnly = new Set(['testkit']);
// Subpaths a package may import from another (absent = any subpath).
const subpathRules = {
  'edge-agent': { 'cloud-sync': (sub) => sub === 'client' || sub.startsWith('client/') },
};
const runtimeImportRules = {
  'web-panel': { protocol: (sub) => sub === 'i18n' || sub.startsWith('i18n/') },
};

const problems = [];
function* walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) yield p;
  }
}
const importRe = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

for (const [pkg, allow] of Object.entries(allowed)) {
  const manifest = JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8'));
  const listed = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies, ...manifest.peerDependencies })
    .filter((d) => d.startsWith('@campus/'))
    .map((d) => d.slice('@campus/'.length));
  const declared = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
  for (const d of listed) {
    if (testOnly.has(d) && d !== pkg) {
      if (!(manifest.devDependencies && `@campus/${d}` in manifest.devDependencies) || `@campus/${d}` in declared) problems.push(`${pkg}/package.json lists @campus/${d} outside devDependencies; it is for tests only`);
      continue;
    }
    if (!allow.includes(d)) problems.push(`${pkg}/package.json lists @campus/${d}, which ${pkg} may not depend on`);
  }
  const tsconfigPath = join(root, pkg, 'tsconfig.json');
  try {
    const refs = (JSON.parse(readFileSync(tsconfigPath, 'utf8')).references ?? []).map((r) => r.path.replace(/^\.\.\//, ''));
    for (const r of refs) if (!allow.includes(r)) problems.push(`${pkg}/tsconfig.json references ${r}, which ${pkg} may not depend on`);
  } catch { /* web-panel tsconfig may have no references */ }

  for (const file of walk(join(root, pkg))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[3] ?? m[4];
      const typeOnly = Boolean(m[2]);
      const rel = relative(root, file);
      if (spec.startsWith('.')) {
        const target = relative(root, join(file, '..', spec)).split('/')[0];
        if (target !== pkg && target in allowed) problems.push(`${rel}: relative import "${spec}" reaches into ${target}; import @campus/${target} instead`);
        continue;
      }
      const hit = /^@campus\/([^/]+)(?:\/(.*))?$/.exec(spec);
      if (!hit) {
        // Every external package a package's source uses must be declared by that package.
        const isSource = rel.split(sep)[1] === 'src';
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (isSource && !typeOnly && !spec.startsWith('node:') && !builtinModules.includes(name) && !(name in declared)) {
          problems.push(`${rel}: imports "${name}", which ${pkg}/package.json does not declare`);
        }
        continue;
      }
      const [, dep, sub = ''] = hit;
      if (dep === pkg) continue; // a package may import itself by name (tests do)
      if (testOnly.has(dep)) {
        if (rel.split(sep)[1] !== 'test') problems.push(`${rel}: imports @campus/${dep}, which only tests (${pkg}/test/) may import`);
        continue;
      }
      if (!allow.includes(dep)) { problems.push(`${rel}: imports @campus/${dep}${sub ? '/' + sub : ''}, but ${pkg} may not import ${dep} (DESIGN.md §2)`); continue; }
      const subRule = subpathRules[pkg]?.[dep];
      if (subRule && !subRule(sub)) problems.push(`${rel}: imports @campus/${dep}/${sub}; ${pkg} may only use the client part of ${dep}`);
      const rtRule = runtimeImportRules[pkg]?.[dep];
      if (rtRule && !typeOnly && !rtRule(sub)) problems.push(`${rel}: runtime import of @campus/${dep}${sub ? '/' + sub : ''}; ${pkg} may import only types from it (use "import type")`);
    }
  }
}
// Inside edge-agent: the edge's core (core/, store/, http/, config/, school/, modules/,
// security/) never imports a domain. Domains are the folders src/domains.ts registers,
// so a newly registered domain is covered without editing this script.
{
  const src = join(root, 'edge-agent', 'src');
  let registry = '';
  try {
    registry = readFileSync(join(src, 'domains.ts'), 'utf8');
  } catch {
    /* a scratch tree without the registry */
  }
  const domains = new Set([...registry.matchAll(/from\s+'\.\/([\w-]+)\//g)].map((m) => m[1]));
  const coreDirs = ['core', 'store', 'http', 'config', 'school', 'modules', 'security'];
  for (const dir of coreDirs) {
    let files;
    try {
      files = [...walk(join(src, dir))];
    } catch {
      continue;
    }
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(importRe)) {
        const spec = m[3] ?? m[4];
        if (!spec.startsWith('.')) continue;
        const target = relative(src, join(file, '..', spec)).split(sep)[0];
        if (domains.has(target)) problems.push(`${relative(root, file)}: imports "${spec}" from the ${target} domain; edge-agent/src/${dir}/ never imports a domain (docs/architecture.md)`);
      }
    }
  }
}

if (problems.length) {
  console.error(`dependency check failed (${problems.length}):\n  ` + problems.join('\n  '));
  process.exit(1);
}
console.log('dependency check: ok');
