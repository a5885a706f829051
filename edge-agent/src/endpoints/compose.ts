import { canonicalJson } from '@campus/protocol/usb/canonical-json';
import type { UsbDeviceIdentity } from '@campus/protocol/usb/device';
import { policyTargets, USB_POLICY_FORMAT, type UsbException, type UsbMatch, type UsbPolicy, type UsbPolicyInput, type UsbRule } from '@campus/protocol/usb/policy';
import type { GrantRecord } from './grant-repo.js';
import { GRANT_ID_PREFIX } from './policy-content.js';
import type { PolicyVersionRecord } from './policy-repo.js';

/**
 * How long a lapsed temporary grant stays in a PC's document. The agent lapses it on
 * time by itself; keeping it a while lets a blocked event say "exception expired"
 * instead of just "blocked", which is what the teacher will ask IT about.
 */
export const EXPIRED_GRANT_KEEP_MS = 24 * 3600_000;

/** The policy version a PC runs: the newest one whose target reaches it. */
export function resolvePolicyVersion(
  newestFirst: readonly PolicyVersionRecord[],
  agent: { agentId: string; groups: readonly string[] },
): PolicyVersionRecord | undefined {
  return newestFirst.find((v) => policyTargets(v.target, agent));
}

/**
 * What a grant matches: the device's vid:pid and serial; a device without a serial is
 * pinned to the socket it was plugged into instead, so "this drive" never silently
 * becomes "every drive of this model".
 */
export function grantMatch(device: Pick<UsbDeviceIdentity, 'vid' | 'pid' | 'serial' | 'port'>): UsbMatch {
  return device.serial ? { vid: device.vid, pid: device.pid, serial: device.serial } : { vid: device.vid, pid: device.pid, port: device.port };
}

export function grantRuleId(grant: Pick<GrantRecord, 'id'>): string {
  return `${GRANT_ID_PREFIX}${grant.id}`;
}

export interface ComposeInput {
  agentId: string;
  version: number;
  issuedAt: number;
  issuedBy: string;
  base: PolicyVersionRecord;
  /** Grants in force for this PC (see EXPIRED_GRANT_KEEP_MS), oldest first. */
  grants: readonly GrantRecord[];
}

/**
 * The document one PC receives: IT's policy version plus the PC's own grants, addressed
 * to that PC alone (a signed document for one PC is useless on another). Permanent
 * grants become allow rules ahead of IT's rules (first match wins, so "this teacher's
 * drive" beats a broader block); temporary ones become expiring exceptions.
 */
export function composeAgentPolicy(input: ComposeInput): UsbPolicyInput {
  const { content } = input.base;
  const grantRules: UsbRule[] = [];
  const grantExceptions: UsbException[] = [];
  for (const g of input.grants) {
    const note = grantNote(g);
    if (g.kind === 'permanent') grantRules.push({ id: grantRuleId(g), action: 'allow', match: g.match, ...(note ? { note } : {}) });
    else grantExceptions.push({ id: grantRuleId(g), match: g.match, expiresAt: g.expiresAt!, ...(g.grantedTo ? { grantedTo: g.grantedTo.slice(0, 64) } : {}), ...(note ? { note } : {}) });
  }
  return {
    format: USB_POLICY_FORMAT,
    version: input.version,
    issuedAt: input.issuedAt,
    issuedBy: input.issuedBy.slice(0, 64),
    target: { scope: 'pc', agentId: input.agentId },
    killSwitch: content.killSwitch,
    defaultAction: content.defaultAction,
    keystrokeGuard: content.keystrokeGuard,
    rules: [...grantRules, ...content.rules],
    exceptions: [...content.exceptions, ...grantExceptions],
    ...(content.note !== undefined ? { note: content.note } : {}),
  };
}

function grantNote(g: GrantRecord): string | undefined {
  const parts = [g.grantedTo, g.note].filter((p): p is string => !!p);
  return parts.length ? parts.join(' · ').slice(0, 500) : undefined;
}

/**
 * What a PC enforces, without the fields that change on every issue (version, issue
 * time, issuer): two documents with the same key need no re-issue.
 */
export function enforcementKey(policy: UsbPolicy | UsbPolicyInput | Record<string, unknown>): string {
  const { version: _v, issuedAt: _i, issuedBy: _b, ...rest } = policy as Record<string, unknown>;
  return canonicalJson(rest);
}
