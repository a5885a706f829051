import { describe, expect, it } from 'vitest';
import { bootstrapUsbPolicy, nextExpiryAfter, policyTargets, UsbPolicySchema } from '@campus/protocol/usb/policy';
import { classifyPolicyUpdate } from '@campus/protocol/usb/policy-update';
import { policy, T0 } from './fixtures.js';

const base = { format: 'campus.usb-policy/1', version: 2, issuedAt: T0, target: { scope: 'all' } };

describe('UsbPolicySchema', () => {
  it('fills safe defaults: default-deny, no kill switch, guard off', () => {
    expect(UsbPolicySchema.parse(base)).toMatchObject({ defaultAction: 'deny', killSwitch: false, keystrokeGuard: { enabled: false }, rules: [], exceptions: [] });
  });

  it('normalises vid/pid to lower case', () => {
    const p = UsbPolicySchema.parse({ ...base, rules: [{ id: 'r', action: 'allow', match: { vid: '0A5C', pid: 'ABCD' } }] });
    expect(p.rules[0]?.match).toEqual({ vid: '0a5c', pid: 'abcd' });
  });

  it.each([
    ['an unknown top-level field', { ...base, mode: 'audit' }],
    ['an unknown match field', { ...base, rules: [{ id: 'r', action: 'allow', match: { vendor: 'x' } }] }],
    ['an empty match (would match everything)', { ...base, rules: [{ id: 'r', action: 'allow', match: {} }] }],
    ['pid without vid', { ...base, rules: [{ id: 'r', action: 'allow', match: { pid: '1234' } }] }],
    ['a bad port path', { ...base, rules: [{ id: 'r', action: 'allow', match: { port: '/dev/sdb' } }] }],
    ['a duplicate rule id across rules and exceptions', { ...base, rules: [{ id: 'r', action: 'allow', match: { vid: '1234' } }], exceptions: [{ id: 'r', match: { vid: '1234' }, expiresAt: T0 }] }],
    ['version 0 (reserved for the built-in policy)', { ...base, version: 0 }],
    ['a fractional version', { ...base, version: 1.5 }],
    ['an unknown format', { ...base, format: 'campus.usb-policy/2' }],
    ['a pc target with a bad id', { ...base, target: { scope: 'pc', agentId: 'a/b' } }],
    ['an unknown action', { ...base, rules: [{ id: 'r', action: 'quarantine', match: { vid: '1234' } }] }],
  ])('refuses %s', (_name, input) => {
    expect(UsbPolicySchema.safeParse(input).success).toBe(false);
  });

  it('targets all, a group or one PC', () => {
    const pc = { agentId: 'pc-101', groups: ['lab-a'] };
    expect(policyTargets({ scope: 'all' }, pc)).toBe(true);
    expect(policyTargets({ scope: 'group', group: 'lab-a' }, pc)).toBe(true);
    expect(policyTargets({ scope: 'group', group: 'office' }, pc)).toBe(false);
    expect(policyTargets({ scope: 'pc', agentId: 'pc-101' }, pc)).toBe(true);
    expect(policyTargets({ scope: 'pc', agentId: 'pc-102' }, pc)).toBe(false);
  });

  it('finds the next exception expiry after now', () => {
    const p = policy({
      exceptions: [
        { id: 'a', match: { serial: 'A' }, expiresAt: T0 + 5000 },
        { id: 'b', match: { serial: 'B' }, expiresAt: T0 + 1000 },
        { id: 'c', match: { serial: 'C' }, expiresAt: T0 - 1 },
      ],
    });
    expect(nextExpiryAfter(p, T0)).toBe(T0 + 1000);
    expect(nextExpiryAfter(p, T0 + 1000)).toBe(T0 + 5000);
    expect(nextExpiryAfter(p, T0 + 5000)).toBeNull();
  });

  it('has a bootstrap policy that any signed policy supersedes', () => {
    const b = bootstrapUsbPolicy();
    expect(b.version).toBe(0);
    expect(b.defaultAction).toBe('deny');
    expect(classifyPolicyUpdate({ version: b.version, digest: null }, { version: 1, digest: 'x' })).toBe('newer');
  });
});

describe('classifyPolicyUpdate', () => {
  it.each([
    [{ version: 3, digest: 'a' }, { version: 4, digest: 'b' }, 'newer'],
    [{ version: 3, digest: 'a' }, { version: 3, digest: 'a' }, 'same'],
    [{ version: 3, digest: 'a' }, { version: 3, digest: 'b' }, 'version-conflict'],
    [{ version: 3, digest: 'a' }, { version: 2, digest: 'c' }, 'older'],
  ] as const)('%o then %o is %s', (applied, incoming, kind) => {
    expect(classifyPolicyUpdate(applied, incoming)).toBe(kind);
  });
});
