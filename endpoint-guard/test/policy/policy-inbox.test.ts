import { describe, expect, it } from 'vitest';
import { generatePolicyKeyPair, policyDigest, policyKeyring, signPolicy } from '@campus/protocol/usb/signing';
import { judgePolicyMessage, MAX_POLICY_BYTES, type InboxContext } from '../../src/policy/policy-inbox.js';
import { makePolicy } from '../helpers/policies.js';

const edge = generatePolicyKeyPair();
const ctx = (active = { version: 3, digest: 'x' as string | null }): InboxContext => ({
  keyring: policyKeyring([{ publicKey: edge.publicKey }]),
  agentId: 'pc-101',
  groups: ['lab-a'],
  active,
});
const msg = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
const signed = (over: Parameters<typeof makePolicy>[0]) => signPolicy(makePolicy(over), edge.privateKey, edge.kid);

describe('judgePolicyMessage', () => {
  it('applies a newer policy addressed to this PC, its group or everyone', () => {
    for (const target of [{ scope: 'all' }, { scope: 'group', group: 'lab-a' }, { scope: 'pc', agentId: 'pc-101' }] as const) {
      expect(judgePolicyMessage(msg(signed({ version: 4, target })), ctx()).action).toBe('apply');
    }
  });

  it('acknowledges the same policy again without re-applying it', () => {
    const s = signed({ version: 3 });
    expect(judgePolicyMessage(msg(s), ctx({ version: 3, digest: policyDigest(s.policy) }))).toEqual({ action: 'already-applied', version: 3 });
  });

  it.each([
    ['an older version', signed({ version: 2 }), 'usb.policy.older', 2],
    ['the applied version with other content', signed({ version: 3, killSwitch: true }), 'usb.policy.version_conflict', 3],
    ['another group', signed({ version: 4, target: { scope: 'group', group: 'office' } }), 'usb.policy.wrong_target', 4],
    ['another PC', signed({ version: 4, target: { scope: 'pc', agentId: 'pc-102' } }), 'usb.policy.wrong_target', 4],
    ['not JSON', '{', 'usb.policy.malformed', null],
    ['JSON but no envelope', { version: 9 }, 'usb.policy.malformed', null],
  ])('refuses %s', (_name, payload, reason, version) => {
    expect(judgePolicyMessage(msg(payload), ctx())).toMatchObject({ action: 'refuse', reason, version });
  });

  it('ignores an empty message and refuses an oversized one before parsing it', () => {
    expect(judgePolicyMessage(Buffer.alloc(0), ctx())).toEqual({ action: 'ignore' });
    expect(judgePolicyMessage(Buffer.alloc(MAX_POLICY_BYTES + 1, 0x20), ctx())).toMatchObject({ action: 'refuse', reason: 'usb.policy.too_large' });
  });
});
