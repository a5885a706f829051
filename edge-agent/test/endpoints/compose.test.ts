import { describe, expect, it } from 'vitest';
import { decideDevice } from '@campus/protocol/usb/decide';
import type { UsbDevice } from '@campus/protocol/usb/device';
import { UsbPolicySchema } from '@campus/protocol/usb/policy';
import { composeAgentPolicy, enforcementKey, grantMatch, resolvePolicyVersion } from '../../src/endpoints/compose.js';
import type { GrantRecord } from '../../src/endpoints/grant-repo.js';
import { defaultPolicyContent } from '../../src/endpoints/policy-content.js';
import type { PolicyVersionRecord } from '../../src/endpoints/policy-repo.js';
import { STUDENT_DRIVE, TEACHER_DRIVE } from './helpers.js';

const NOW = 1_790_000_000_000;

const version = (v: number, target: PolicyVersionRecord['target'], over: Partial<PolicyVersionRecord['content']> = {}): PolicyVersionRecord => ({
  version: v,
  target,
  content: { ...defaultPolicyContent(), ...over },
  basedOn: null,
  createdAt: NOW,
  createdBy: 'it-zhang',
});

const grant = (id: number, over: Partial<GrantRecord>): GrantRecord => ({
  id,
  agentId: 'pc-1',
  match: grantMatch(TEACHER_DRIVE),
  device: TEACHER_DRIVE,
  kind: 'temporary',
  expiresAt: NOW + 3600_000,
  requestId: null,
  grantedTo: '王老师',
  grantedBy: 'it-zhang',
  grantedAt: NOW,
  note: null,
  revokedAt: null,
  revokedBy: null,
  ...over,
});

const asDevice = (d: typeof TEACHER_DRIVE): UsbDevice => ({
  vid: d.vid,
  pid: d.pid,
  serial: d.serial,
  port: d.port,
  manufacturer: d.manufacturer,
  product: d.product,
  interfaces: d.interfaceClasses.map((c, i) => ({ config: 1, number: i, alternate: 0, class: c, subClass: 6, protocol: 0x50 })),
  problems: [],
});

const decide = (policy: ReturnType<typeof composeAgentPolicy>, d: typeof TEACHER_DRIVE, now = NOW) =>
  decideDevice(UsbPolicySchema.parse(policy), asDevice(d), now, { arrival: 'inserted', otherKeyboards: 0 });

describe('a PC’s policy document', () => {
  it('runs the newest version that reaches the PC, whatever its scope', () => {
    const newestFirst = [version(5, { scope: 'pc', agentId: 'pc-2' }), version(4, { scope: 'group', group: 'lab-1' }), version(3, { scope: 'all' })];
    expect(resolvePolicyVersion(newestFirst, { agentId: 'pc-1', groups: ['lab-1'] })!.version).toBe(4);
    expect(resolvePolicyVersion(newestFirst, { agentId: 'pc-2', groups: ['lab-1'] })!.version).toBe(5);
    expect(resolvePolicyVersion(newestFirst, { agentId: 'pc-3', groups: [] })!.version).toBe(3);
    expect(resolvePolicyVersion([version(2, { scope: 'group', group: 'x' })], { agentId: 'pc-3', groups: [] })).toBeUndefined();
  });

  it('pins a grant to the serial, or to the socket for a device without one', () => {
    expect(grantMatch(TEACHER_DRIVE)).toEqual({ vid: '0781', pid: '5567', serial: TEACHER_DRIVE.serial });
    expect(grantMatch(STUDENT_DRIVE)).toEqual({ vid: '090c', pid: '1000', port: '1-2' });
  });

  it('is addressed to the PC alone and valid for the protocol schema', () => {
    const doc = composeAgentPolicy({ agentId: 'pc-1', version: 9, issuedAt: NOW, issuedBy: 'it-zhang', base: version(3, { scope: 'all' }), grants: [] });
    const parsed = UsbPolicySchema.parse(doc);
    expect(parsed.target).toEqual({ scope: 'pc', agentId: 'pc-1' });
    expect(parsed.version).toBe(9);
  });

  it('table: what the teacher’s drive and a student’s drive get on the PC', () => {
    const blockSandisk = { id: 'no-sandisk', action: 'block' as const, match: { vid: '0781' } };
    const rows: Array<{ name: string; grants: GrantRecord[]; rules?: (typeof blockSandisk)[]; now?: number; teacher: string; student: string }> = [
      { name: 'no grant: both drives blocked as storage', grants: [], teacher: 'usb.blocked.mass_storage', student: 'usb.blocked.mass_storage' },
      { name: 'temporary grant: teacher allowed until expiry', grants: [grant(1, {})], teacher: 'usb.allowed.exception', student: 'usb.blocked.mass_storage' },
      { name: 'temporary grant after expiry: blocked, saying it expired', grants: [grant(1, {})], now: NOW + 3600_001, teacher: 'usb.blocked.exception_expired', student: 'usb.blocked.mass_storage' },
      { name: 'permanent grant beats a vendor block rule (first match wins)', grants: [grant(2, { kind: 'permanent', expiresAt: null })], rules: [blockSandisk], teacher: 'usb.allowed.rule', student: 'usb.blocked.mass_storage' },
      { name: 'vendor block rule without a grant', grants: [], rules: [blockSandisk], teacher: 'usb.blocked.rule', student: 'usb.blocked.mass_storage' },
    ];
    for (const row of rows) {
      const doc = composeAgentPolicy({ agentId: 'pc-1', version: 2, issuedAt: NOW, issuedBy: 'it', base: version(1, { scope: 'all' }, { rules: row.rules ?? [] }), grants: row.grants });
      expect(decide(doc, TEACHER_DRIVE, row.now).reason, row.name).toBe(row.teacher);
      expect(decide(doc, STUDENT_DRIVE, row.now).reason, row.name).toBe(row.student);
    }
  });

  it('compares documents by what they enforce, not by version or issue time', () => {
    const base = version(3, { scope: 'all' });
    const a = UsbPolicySchema.parse(composeAgentPolicy({ agentId: 'pc-1', version: 3, issuedAt: NOW, issuedBy: 'a', base, grants: [] }));
    const b = UsbPolicySchema.parse(composeAgentPolicy({ agentId: 'pc-1', version: 8, issuedAt: NOW + 5, issuedBy: 'b', base, grants: [] }));
    const c = UsbPolicySchema.parse(composeAgentPolicy({ agentId: 'pc-1', version: 8, issuedAt: NOW, issuedBy: 'b', base, grants: [grant(1, {})] }));
    expect(enforcementKey(a)).toBe(enforcementKey(b));
    expect(enforcementKey(a)).not.toBe(enforcementKey(c));
  });
});
