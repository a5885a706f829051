import { canonicalJson } from './canonical-json.js';
import type { UsbException, UsbPolicy, UsbRule } from './policy.js';

/**
 * What changed between two policy versions, for IT to review before pushing (and for
 * the audit trail): settings that changed, and rules/exceptions added, removed or
 * changed, matched by id. Pure; order changes of rules are reported because the first
 * matching rule wins.
 */
export interface UsbPolicyDiff {
  settings: Array<{ field: 'killSwitch' | 'defaultAction' | 'keystrokeGuard' | 'target' | 'note'; from: unknown; to: unknown }>;
  rules: ItemChanges<UsbRule>;
  exceptions: ItemChanges<UsbException>;
  /** Rule ids whose relative order changed (first match wins, so order is meaning). */
  reordered: string[];
}

export interface ItemChanges<T> {
  added: T[];
  removed: T[];
  changed: Array<{ from: T; to: T }>;
}

export function diffUsbPolicies(from: UsbPolicy, to: UsbPolicy): UsbPolicyDiff {
  const settings: UsbPolicyDiff['settings'] = [];
  for (const field of ['killSwitch', 'defaultAction', 'keystrokeGuard', 'target', 'note'] as const) {
    if (canonicalJson(from[field] ?? null) !== canonicalJson(to[field] ?? null)) settings.push({ field, from: from[field], to: to[field] });
  }
  const common = (ids: string[], other: Set<string>) => ids.filter((id) => other.has(id));
  const fromIds = from.rules.map((r) => r.id);
  const toIds = to.rules.map((r) => r.id);
  const a = common(fromIds, new Set(toIds));
  const b = common(toIds, new Set(fromIds));
  return {
    settings,
    rules: itemChanges(from.rules, to.rules),
    exceptions: itemChanges(from.exceptions, to.exceptions),
    reordered: a.filter((id, i) => b[i] !== id),
  };
}

function itemChanges<T extends { id: string }>(from: readonly T[], to: readonly T[]): ItemChanges<T> {
  const before = new Map(from.map((x) => [x.id, x]));
  const after = new Map(to.map((x) => [x.id, x]));
  return {
    added: to.filter((x) => !before.has(x.id)),
    removed: from.filter((x) => !after.has(x.id)),
    changed: to.filter((x) => before.has(x.id) && canonicalJson(before.get(x.id)) !== canonicalJson(x)).map((x) => ({ from: before.get(x.id)!, to: x })),
  };
}
