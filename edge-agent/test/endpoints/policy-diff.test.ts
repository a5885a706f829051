import { describe, expect, it } from 'vitest';
import { diffPolicies } from '../../src/endpoints/policy-diff.js';
import { defaultPolicyContent, PolicyContentSchema, type PolicyContent } from '../../src/endpoints/policy-content.js';

const rule = (id: string, vid = '0781', action: 'allow' | 'block' = 'allow') => ({ id, action, match: { vid } });
const content = (over: Partial<PolicyContent> = {}): PolicyContent => ({ ...defaultPolicyContent(), ...over });
const all = { scope: 'all' as const };

describe('policy diff', () => {
  it('is empty for equal versions, whatever the key order', () => {
    const a = content({ rules: [rule('a'), rule('b')] });
    const b = JSON.parse(JSON.stringify({ exceptions: [], rules: [rule('a'), rule('b')], keystrokeGuard: { enabled: false }, defaultAction: 'deny', killSwitch: false }));
    expect(diffPolicies({ target: all, content: a }, { target: all, content: b })).toEqual([]);
  });

  it('reports target and switch changes', () => {
    const changes = diffPolicies(
      { target: all, content: content() },
      { target: { scope: 'group', group: 'lab-1' }, content: content({ killSwitch: true, keystrokeGuard: { enabled: true }, note: '考试周' }) },
    );
    expect(changes).toEqual([
      { section: 'target', kind: 'changed', before: all, after: { scope: 'group', group: 'lab-1' } },
      { section: 'settings', kind: 'changed', field: 'killSwitch', before: false, after: true },
      { section: 'settings', kind: 'changed', field: 'keystrokeGuard', before: { enabled: false }, after: { enabled: true } },
      { section: 'settings', kind: 'changed', field: 'note', before: null, after: '考试周' },
    ]);
  });

  it('reports rules added, removed and changed by id', () => {
    const changes = diffPolicies(
      { target: all, content: content({ rules: [rule('a'), rule('b'), rule('c')] }) },
      { target: all, content: content({ rules: [rule('a', '090c'), rule('c'), rule('d', '1a86', 'block')] }) },
    );
    expect(changes).toEqual([
      { section: 'rules', kind: 'removed', id: 'b', before: rule('b'), position: 1 },
      { section: 'rules', kind: 'changed', id: 'a', before: rule('a'), after: rule('a', '090c') },
      { section: 'rules', kind: 'added', id: 'd', after: rule('d', '1a86', 'block'), position: 2 },
    ]);
  });

  it('reports a rule that moved (first match wins) but not the ones an insertion shifted', () => {
    const before = content({ rules: [rule('a'), rule('b'), rule('c')] });
    const inserted = diffPolicies({ target: all, content: before }, { target: all, content: content({ rules: [rule('new'), rule('a'), rule('b'), rule('c')] }) });
    expect(inserted.map((c) => `${c.kind}:${'id' in c ? c.id : ''}`)).toEqual(['added:new']);
    const moved = diffPolicies({ target: all, content: before }, { target: all, content: content({ rules: [rule('c'), rule('a'), rule('b')] }) });
    expect(moved).toEqual([{ section: 'rules', kind: 'moved', id: 'c', from: 2, to: 0 }]);
  });

  it('diffs exceptions separately from rules', () => {
    const ex = { id: 'exam', match: { vid: '0781' }, expiresAt: 1_800_000_000_000 };
    const changes = diffPolicies({ target: all, content: content() }, { target: all, content: content({ exceptions: [ex] }) });
    expect(changes).toEqual([{ section: 'exceptions', kind: 'added', id: 'exam', after: ex, position: 0 }]);
  });

  it('content schema: reserves grant- ids, refuses duplicates across rules and exceptions, fills defaults', () => {
    expect(PolicyContentSchema.parse({})).toEqual(defaultPolicyContent());
    const reserved = PolicyContentSchema.safeParse({ rules: [rule('grant-7')] });
    expect(reserved.success).toBe(false);
    expect(reserved.error!.issues[0]!.message).toMatch(/reserved/);
    const dup = PolicyContentSchema.safeParse({ rules: [rule('x')], exceptions: [{ id: 'x', match: { vid: '0781' }, expiresAt: 1 }] });
    expect(dup.success).toBe(false);
    expect(dup.error!.issues[0]!.message).toMatch(/duplicate rule id "x"/);
    expect(PolicyContentSchema.safeParse({ rules: [{ id: 'p', action: 'allow', match: { pid: '5567' } }] }).success).toBe(false);
    expect(PolicyContentSchema.safeParse({ unknown: 1 }).success).toBe(false);
  });
});
