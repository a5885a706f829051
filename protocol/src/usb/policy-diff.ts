import { canonicalJson } from './canonical-json.js';
import type { PolicyChange } from './api.js';
import type { PolicyContent } from './policy-content.js';
import type { PolicyTarget } from './policy.js';

/**
 * What changed between two policy versions, in the terms IT reviews before a push (the
 * edge's preview and diff answers, PolicyChangeSchema): who it reaches, the switches, and
 * rules/exceptions by id. Rule order matters (the first match wins), so a rule that only
 * moved is reported as moved. Pure.
 */
export interface DiffSide {
  target: PolicyTarget;
  content: PolicyContent;
}

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);

export function diffPolicies(before: DiffSide, after: DiffSide): PolicyChange[] {
  const changes: PolicyChange[] = [];
  if (!same(before.target, after.target)) changes.push({ section: 'target', kind: 'changed', before: before.target, after: after.target });
  for (const field of ['killSwitch', 'defaultAction', 'keystrokeGuard', 'note'] as const) {
    const a = before.content[field];
    const b = after.content[field];
    if (!same(a, b)) changes.push({ section: 'settings', kind: 'changed', field, before: a ?? null, after: b ?? null });
  }
  changes.push(...diffList('rules', before.content.rules, after.content.rules));
  changes.push(...diffList('exceptions', before.content.exceptions, after.content.exceptions));
  return changes;
}

function diffList(section: 'rules' | 'exceptions', before: ReadonlyArray<{ id: string }>, after: ReadonlyArray<{ id: string }>): PolicyChange[] {
  const out: PolicyChange[] = [];
  const beforeIndex = new Map(before.map((r, i) => [r.id, i]));
  const afterIndex = new Map(after.map((r, i) => [r.id, i]));
  for (const [i, r] of before.entries()) if (!afterIndex.has(r.id)) out.push({ section, kind: 'removed', id: r.id, before: r, position: i });
  for (const [i, r] of after.entries()) {
    const j = beforeIndex.get(r.id);
    if (j === undefined) out.push({ section, kind: 'added', id: r.id, after: r, position: i });
    else if (!same(before[j], r)) out.push({ section, kind: 'changed', id: r.id, before: before[j], after: r });
  }
  // Moves: compare the relative order of the ids both versions share, so one insertion
  // at the top does not report every later rule as moved.
  const kept = after.filter((r) => beforeIndex.has(r.id)).map((r) => r.id);
  const keptBefore = before.filter((r) => afterIndex.has(r.id)).map((r) => r.id);
  const stay = longestCommonSubsequence(keptBefore, kept);
  for (const id of kept) {
    if (!stay.has(id)) out.push({ section, kind: 'moved', id, from: beforeIndex.get(id)!, to: afterIndex.get(id)! });
  }
  return out;
}

/** Ids that keep their relative order (the rest moved). Lists are at most a few hundred long. */
function longestCommonSubsequence(a: readonly string[], b: readonly string[]): Set<string> {
  const n = a.length;
  const m = b.length;
  const table: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      table[i]![j] = a[i] === b[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const keep = new Set<string>();
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      keep.add(a[i]!);
      i++;
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) i++;
    else j++;
  }
  return keep;
}
