/**
 * How an incoming (already verified) policy relates to the one a PC enforces. Retained
 * policies are re-delivered on every reconnect, so "the same policy again" is normal and
 * must be acknowledged, not refused; an older version or a different policy reusing the
 * applied version number is a replay or an edge bug and is refused.
 */
export type PolicyUpdateKind = 'newer' | 'same' | 'older' | 'version-conflict';

export interface AppliedPolicyRef {
  version: number;
  digest: string | null;
}

export function classifyPolicyUpdate(applied: AppliedPolicyRef, incoming: { version: number; digest: string }): PolicyUpdateKind {
  if (incoming.version > applied.version) return 'newer';
  if (incoming.version < applied.version) return 'older';
  return incoming.digest === applied.digest ? 'same' : 'version-conflict';
}
