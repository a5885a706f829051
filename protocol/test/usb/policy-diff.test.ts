import { describe, expect, it } from 'vitest';
import { diffUsbPolicies } from '@campus/protocol/usb/policy-diff';
import { policy, T0 } from './fixtures.js';

describe('diffUsbPolicies', () => {
  it('reports nothing for the same content under a new version', () => {
    expect(diffUsbPolicies(policy({ version: 1 }), policy({ version: 2, issuedAt: T0 + 1 }))).toEqual({
      settings: [],
      rules: { added: [], removed: [], changed: [] },
      exceptions: { added: [], removed: [], changed: [] },
      reordered: [],
    });
  });

  it('reports settings, rules and exceptions added, removed, changed and reordered', () => {
    const a = policy({
      rules: [
        { id: 'printers', action: 'allow', match: { interfaceClass: 7 } },
        { id: 'wang', action: 'allow', match: { serial: 'A' } },
        { id: 'old', action: 'block', match: { vid: 'dead' } },
      ],
      exceptions: [{ id: 'exam', match: { serial: 'B' }, expiresAt: T0 }],
    });
    const b = policy({
      killSwitch: true,
      rules: [
        { id: 'wang', action: 'allow', match: { serial: 'A2' } },
        { id: 'printers', action: 'allow', match: { interfaceClass: 7 } },
        { id: 'new', action: 'allow', match: { port: '1-2' } },
      ],
      exceptions: [],
    });
    const d = diffUsbPolicies(a, b);
    expect(d.settings).toEqual([{ field: 'killSwitch', from: false, to: true }]);
    expect(d.rules.added.map((r) => r.id)).toEqual(['new']);
    expect(d.rules.removed.map((r) => r.id)).toEqual(['old']);
    expect(d.rules.changed.map((c) => [c.from.match.serial, c.to.match.serial])).toEqual([['A', 'A2']]);
    expect(d.exceptions.removed.map((e) => e.id)).toEqual(['exam']);
    expect(d.reordered).toEqual(['printers', 'wang']);
  });
});
