import { USB_REASON, type UsbReason } from '@campus/protocol/usb/reasons';
import { policyTargets, type UsbPolicy } from '@campus/protocol/usb/policy';
import { classifyPolicyUpdate } from '@campus/protocol/usb/policy-update';
import { verifySignedPolicy, type PolicyKeyring, type SignedUsbPolicy } from '@campus/protocol/usb/signing';

/**
 * What to do with a message that arrived on campus/pc/{id}/policy. Pure: verification,
 * addressing and version rules in one place, tested without a broker.
 */
export const MAX_POLICY_BYTES = 256 * 1024;

export type PolicyVerdict =
  | { action: 'ignore' }
  | { action: 'apply'; envelope: SignedUsbPolicy; policy: UsbPolicy; digest: string }
  | { action: 'already-applied'; version: number }
  | { action: 'refuse'; reason: UsbReason; version: number | null; detail: string };

export interface InboxContext {
  keyring: PolicyKeyring;
  agentId: string;
  groups: readonly string[];
  active: { version: number; digest: string | null };
}

export function judgePolicyMessage(payload: Uint8Array, ctx: InboxContext): PolicyVerdict {
  // An empty retained message is the edge clearing the topic: keep enforcing what we have.
  if (payload.length === 0) return { action: 'ignore' };
  if (payload.length > MAX_POLICY_BYTES) return { action: 'refuse', reason: USB_REASON.policyTooLarge, version: null, detail: `${payload.length} bytes` };
  let envelope: unknown;
  try {
    envelope = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch (e) {
    return { action: 'refuse', reason: USB_REASON.policyMalformed, version: null, detail: (e as Error).message.slice(0, 200) };
  }
  const v = verifySignedPolicy(envelope, ctx.keyring);
  if (!v.ok) return { action: 'refuse', reason: v.reason, version: v.version ?? null, detail: v.detail };
  const { policy, digest } = v;
  if (!policyTargets(policy.target, { agentId: ctx.agentId, groups: ctx.groups })) {
    return { action: 'refuse', reason: USB_REASON.policyWrongTarget, version: policy.version, detail: JSON.stringify(policy.target) };
  }
  switch (classifyPolicyUpdate(ctx.active, { version: policy.version, digest })) {
    case 'newer':
      return { action: 'apply', envelope: envelope as SignedUsbPolicy, policy, digest };
    case 'same':
      return { action: 'already-applied', version: policy.version };
    case 'older':
      return { action: 'refuse', reason: USB_REASON.policyOlder, version: policy.version, detail: `active v${ctx.active.version}` };
    case 'version-conflict':
      return { action: 'refuse', reason: USB_REASON.policyVersionConflict, version: policy.version, detail: `digest ${digest.slice(0, 12)}` };
  }
}
