import { z } from 'zod';
import { ID_RE } from '@campus/protocol';
import { PolicyTargetSchema, type PolicyTarget } from '@campus/protocol/usb/policy';
import type { PolicyContent } from '@campus/protocol/usb/policy-content';

/** What IT writes for a policy version: its schema is in protocol (usb/policy-content), shared with the panel. */
export { GRANT_ID_PREFIX, MAX_AUTHORED_ENTRIES, PolicyContentSchema, type PolicyContent } from '@campus/protocol/usb/policy-content';
export const MAX_GRANTS_PER_AGENT = 100;

export { PolicyTargetSchema };
export type { PolicyTarget };

export const GroupIdSchema = z.string().regex(ID_RE, 'letters, digits, - _ . (max 64)');

/** The built-in content of version 1: storage and unknown devices blocked, keyboards and mice working. */
export function defaultPolicyContent(): PolicyContent {
  return { killSwitch: false, defaultAction: 'deny', keystrokeGuard: { enabled: false }, rules: [], exceptions: [] };
}

export function targetKey(target: PolicyTarget): { scope: PolicyTarget['scope']; id: string | null } {
  return target.scope === 'all' ? { scope: 'all', id: null } : target.scope === 'group' ? { scope: 'group', id: target.group } : { scope: 'pc', id: target.agentId };
}

export function targetFrom(scope: string, id: string | null): PolicyTarget {
  if (scope === 'group' && id) return { scope: 'group', group: id };
  if (scope === 'pc' && id) return { scope: 'pc', agentId: id };
  return { scope: 'all' };
}
