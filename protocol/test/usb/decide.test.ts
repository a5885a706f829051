import { describe, expect, it } from 'vitest';
import { classVerdict, decideDevice, interfaceVerdict, type DecisionContext } from '@campus/protocol/usb/decide';
import { USB_CLASS } from '@campus/protocol/usb/classes';
import type { UsbPolicyInput } from '@campus/protocol/usb/policy';
import { device, iface, KEYBOARD, MOUSE, policy, STORAGE, T0 } from './fixtures.js';

const inserted: DecisionContext = { arrival: 'inserted', otherKeyboards: 0 };
const HOUR = 3_600_000;

const teacherDrive = device();
const badUsb = device({ vid: '1234', pid: '5678', serial: null, product: 'Keyboard+Disk', interfaces: [KEYBOARD, { ...STORAGE, number: 1 }] });
const keyboard = device({ vid: '046d', pid: 'c31c', serial: null, interfaces: [KEYBOARD] });
const mouse = device({ vid: '046d', pid: 'c077', serial: null, interfaces: [MOUSE] });
const hub = device({ vid: '05e3', pid: '0610', serial: null, interfaces: [iface(USB_CLASS.hub)] });
const webcam = device({ vid: '046d', pid: '0825', serial: null, interfaces: [iface(0x0e, 1), iface(0x0e, 2, 0, 1), iface(0x01, 1, 0, 2)] });
const printer = device({ vid: '03f0', pid: '2b17', serial: 'PRN1', interfaces: [iface(0x07, 1, 2)] });

type Row = [name: string, over: Partial<UsbPolicyInput>, dev: typeof teacherDrive, ctx: DecisionContext, outcome: string, rule: string, reason: string];
const rows: Row[] = [
  ['teacher drive blocked by default', {}, teacherDrive, inserted, 'blocked', 'builtin.mass-storage', 'usb.blocked.mass_storage'],
  ['teacher drive allowed by serial', { rules: [{ id: 'wang-drive', action: 'allow', match: { vid: '0781', pid: '5567', serial: 'TEACHER-0001' } }] }, teacherDrive, inserted, 'allowed', 'rule:wang-drive', 'usb.allowed.rule'],
  ['a clone with another serial stays blocked', { rules: [{ id: 'wang-drive', action: 'allow', match: { vid: '0781', pid: '5567', serial: 'OTHER' } }] }, teacherDrive, inserted, 'blocked', 'builtin.mass-storage', 'usb.blocked.mass_storage'],
  ['storage stays blocked under default allow', { defaultAction: 'allow' }, teacherDrive, inserted, 'blocked', 'builtin.mass-storage', 'usb.blocked.mass_storage'],
  ['keyboard allowed', {}, keyboard, inserted, 'allowed', 'builtin.hid', 'usb.allowed.hid'],
  ['mouse allowed', {}, mouse, inserted, 'allowed', 'builtin.hid', 'usb.allowed.hid'],
  ['HID cannot be blocked by a rule', { rules: [{ id: 'no-logitech', action: 'block', match: { vid: '046d' } }] }, keyboard, inserted, 'allowed', 'builtin.hid', 'usb.allowed.hid'],
  ['hub allowed', {}, hub, inserted, 'allowed', 'builtin.hub', 'usb.allowed.hub'],
  ['keyboard+storage: keyboard kept, storage refused', {}, badUsb, inserted, 'partial', 'builtin.mass-storage', 'usb.blocked.mass_storage'],
  ['webcam blocked by default-deny', {}, webcam, inserted, 'blocked', 'default', 'usb.blocked.default'],
  ['webcam allowed under default allow', { defaultAction: 'allow' }, webcam, inserted, 'allowed', 'default', 'usb.allowed.default'],
  ['printer class allowed by a class rule', { rules: [{ id: 'printers', action: 'allow', match: { interfaceClass: 7 } }] }, printer, inserted, 'allowed', 'rule:printers', 'usb.allowed.rule'],
  ['first matching rule wins', { rules: [{ id: 'deny-sandisk', action: 'block', match: { vid: '0781' } }, { id: 'wang', action: 'allow', match: { serial: 'TEACHER-0001' } }] }, teacherDrive, inserted, 'blocked', 'rule:deny-sandisk', 'usb.blocked.rule'],
  ['port rule allows only that socket', { rules: [{ id: 'front-port', action: 'allow', match: { port: '1-2' } }] }, teacherDrive, inserted, 'allowed', 'rule:front-port', 'usb.allowed.rule'],
  ['port rule does not reach another socket', { rules: [{ id: 'front-port', action: 'allow', match: { port: '1-3' } }] }, teacherDrive, inserted, 'blocked', 'builtin.mass-storage', 'usb.blocked.mass_storage'],
  ['active exception allows', { exceptions: [{ id: 'exam', match: { serial: 'TEACHER-0001' }, expiresAt: T0 + 2 * HOUR }] }, teacherDrive, inserted, 'allowed', 'exception:exam', 'usb.allowed.exception'],
  ['exception beats a block rule', { rules: [{ id: 'deny-sandisk', action: 'block', match: { vid: '0781' } }], exceptions: [{ id: 'exam', match: { serial: 'TEACHER-0001' }, expiresAt: T0 + HOUR }] }, teacherDrive, inserted, 'allowed', 'exception:exam', 'usb.allowed.exception'],
  ['expired exception says so', { exceptions: [{ id: 'exam', match: { serial: 'TEACHER-0001' }, expiresAt: T0 }] }, teacherDrive, inserted, 'blocked', 'exception:exam', 'usb.blocked.exception_expired'],
  ['kill switch allows all', { killSwitch: true }, badUsb, inserted, 'allowed', 'kill-switch', 'usb.allowed.kill_switch'],
  ['second keyboard held by the guard', { keystrokeGuard: { enabled: true } }, keyboard, { arrival: 'inserted', otherKeyboards: 1 }, 'blocked', 'builtin.keystroke-guard', 'usb.blocked.keystroke_guard'],
  ['first keyboard passes the guard', { keystrokeGuard: { enabled: true } }, keyboard, { arrival: 'inserted', otherKeyboards: 0 }, 'allowed', 'builtin.hid', 'usb.allowed.hid'],
  ['keyboard present at start passes the guard', { keystrokeGuard: { enabled: true } }, keyboard, { arrival: 'present-at-start', otherKeyboards: 1 }, 'allowed', 'builtin.hid', 'usb.allowed.hid'],
  ['guard does not hold mice', { keystrokeGuard: { enabled: true } }, mouse, { arrival: 'inserted', otherKeyboards: 1 }, 'allowed', 'builtin.hid', 'usb.allowed.hid'],
  ['approved second keyboard passes the guard', { keystrokeGuard: { enabled: true }, rules: [{ id: 'lab-kbd', action: 'allow', match: { vid: '046d', pid: 'c31c' } }] }, keyboard, { arrival: 'inserted', otherKeyboards: 1 }, 'allowed', 'rule:lab-kbd', 'usb.allowed.rule'],
  ['guard holds the keyboard of a BadUSB, storage refused too', { keystrokeGuard: { enabled: true } }, badUsb, { arrival: 'inserted', otherKeyboards: 1 }, 'blocked', 'builtin.keystroke-guard', 'usb.blocked.keystroke_guard'],
  ['malformed descriptors: HID no longer trusted', {}, device({ ...keyboard, problems: ['truncated'] }), inserted, 'blocked', 'builtin.malformed', 'usb.blocked.malformed'],
  ['malformed but explicitly allowed by IT', { rules: [{ id: 'odd', action: 'allow', match: { vid: '046d', pid: 'c31c' } }] }, device({ ...keyboard, problems: ['truncated'] }), inserted, 'allowed', 'rule:odd', 'usb.allowed.rule'],
  ['no interfaces at all', {}, device({ interfaces: [] }), inserted, 'blocked', 'builtin.no-interfaces', 'usb.blocked.no_interfaces'],
  ['no interfaces and malformed', {}, device({ interfaces: [], problems: ['zero-length descriptor'] }), inserted, 'blocked', 'builtin.malformed', 'usb.blocked.malformed'],
];

describe('decideDevice', () => {
  it.each(rows)('%s', (_name, over, dev, ctx, outcome, rule, reason) => {
    const d = decideDevice(policy(over), dev, T0, ctx);
    expect({ outcome: d.outcome, rule: d.rule, reason: d.reason }).toEqual({ outcome, rule, reason });
    expect(d.authorizeDevice).toBe(outcome !== 'blocked');
  });

  it('decides each interface of a composite device separately', () => {
    const d = decideDevice(policy(), badUsb, T0, inserted);
    expect(d.interfaces.map((i) => [i.number, i.class, i.action])).toEqual([
      [0, 3, 'allow'],
      [1, 8, 'deny'],
    ]);
    expect(interfaceVerdict(d, 1, 0)?.action).toBe('allow');
    expect(interfaceVerdict(d, 1, 1)?.action).toBe('deny');
    expect(interfaceVerdict(d, 1, 2)).toBeUndefined();
  });

  it('denies an interface slot when any alternate setting is denied', () => {
    const sneaky = device({ vid: '1111', pid: '2222', serial: null, interfaces: [iface(3, 1, 1, 0, 0), iface(8, 6, 0x50, 0, 1)] });
    const d = decideDevice(policy(), sneaky, T0, inserted);
    expect(interfaceVerdict(d, 1, 0)?.action).toBe('deny');
  });

  it('limits a class rule to matching interfaces', () => {
    const d = decideDevice(policy({ rules: [{ id: 'audio', action: 'allow', match: { interfaceClass: 1 } }] }), webcam, T0, inserted);
    expect(d.outcome).toBe('partial');
    expect(d.interfaces.map((i) => i.action)).toEqual(['deny', 'deny', 'allow']);
  });

  it('reports when the exception it rests on lapses, and lapses exactly then', () => {
    const p = policy({ exceptions: [{ id: 'exam', match: { serial: 'TEACHER-0001' }, expiresAt: T0 + HOUR }] });
    expect(decideDevice(p, teacherDrive, T0, inserted).expiresAt).toBe(T0 + HOUR);
    expect(decideDevice(p, teacherDrive, T0 + HOUR - 1, inserted).outcome).toBe('allowed');
    expect(decideDevice(p, teacherDrive, T0 + HOUR, inserted).outcome).toBe('blocked');
  });

  it('does not match serial rules against devices without a serial', () => {
    const d = decideDevice(policy({ rules: [{ id: 'r', action: 'allow', match: { serial: 'X' } }] }), device({ serial: null }), T0, inserted);
    expect(d.outcome).toBe('blocked');
  });
});

describe('classVerdict', () => {
  it('speaks about classes only, ignoring device-specific rules', () => {
    const p = policy({ rules: [{ id: 'wang', action: 'allow', match: { serial: 'X', interfaceClass: 8 } }, { id: 'printers', action: 'allow', match: { interfaceClass: 7 } }] });
    expect(classVerdict(p, 8)).toEqual({ action: 'deny', rule: 'builtin.mass-storage' });
    expect(classVerdict(p, 7)).toEqual({ action: 'allow', rule: 'rule:printers' });
    expect(classVerdict(p, 3).action).toBe('allow');
    expect(classVerdict(p, 0x0e)).toEqual({ action: 'deny', rule: 'default' });
    expect(classVerdict(policy({ killSwitch: true }), 8).action).toBe('allow');
  });
});
