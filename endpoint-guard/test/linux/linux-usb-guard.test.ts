import { afterEach, describe, expect, it } from 'vitest';
import type { UsbPolicyInput } from '@campus/protocol/usb/policy';
import { SAMPLE_DEVICES } from '../../src/fake-kernel/sample-devices.js';
import type { FakeDeviceSpec } from '../../src/fake-kernel/fake-usb-kernel.js';
import { buildDescriptors } from '../../src/fake-kernel/descriptor-builder.js';
import { GuardHarness, type ExpectedState } from '../helpers/guard-harness.js';
import { makePolicy, teacherDriveRule } from '../helpers/policies.js';

let h: GuardHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function started(policy: Partial<UsbPolicyInput> = {}, opts: { recheckMs?: number } = {}): Promise<GuardHarness> {
  h = await GuardHarness.create();
  await h.start(makePolicy(policy), opts);
  return h;
}

const truncatedKeyboard: FakeDeviceSpec = {
  ...SAMPLE_DEVICES.keyboard,
  rawDescriptors: buildDescriptors({ vid: 0x046d, pid: 0xc31c, configurations: [{ value: 1, interfaces: SAMPLE_DEVICES.keyboard.interfaces }] }).subarray(0, 30),
};
const loopingDescriptors = Buffer.from(buildDescriptors({ vid: 0x1a86, pid: 0xe026, configurations: [{ value: 1, interfaces: SAMPLE_DEVICES.keyboardStorageStick.interfaces }] }));
loopingDescriptors[18 + 9] = 0; // bLength 0 right after the configuration header

type Row = [name: string, policy: Partial<UsbPolicyInput>, device: FakeDeviceSpec, outcome: string, rule: string, state: ExpectedState];
const table: Row[] = [
  ["teacher's drive allowed by serial", { rules: [teacherDriveRule] }, SAMPLE_DEVICES.teacherDrive, 'allowed', 'rule:wang-drive', { authorized: true, interfaces: { 0: 'bound' } }],
  ['a student drive (class 08) blocked', { rules: [teacherDriveRule] }, SAMPLE_DEVICES.studentDrive, 'blocked', 'builtin.mass-storage', { authorized: false }],
  ["teacher's drive blocked without a rule", {}, SAMPLE_DEVICES.teacherDrive, 'blocked', 'builtin.mass-storage', { authorized: false }],
  ['keyboard (HID) allowed', {}, SAMPLE_DEVICES.keyboard, 'allowed', 'builtin.hid', { authorized: true, interfaces: { 0: 'bound', 1: 'bound' } }],
  ['mouse (HID) allowed', {}, SAMPLE_DEVICES.mouse, 'allowed', 'builtin.hid', { authorized: true, interfaces: { 0: 'bound' } }],
  ['keyboard+storage stick: keyboard kept, storage refused', {}, SAMPLE_DEVICES.keyboardStorageStick, 'partial', 'builtin.mass-storage', { authorized: true, interfaces: { 0: 'bound', 1: 'refused' } }],
  ['webcam blocked by default-deny', {}, SAMPLE_DEVICES.webcam, 'blocked', 'default', { authorized: false }],
  ['webcam: only audio allowed by a class rule', { rules: [{ id: 'audio', action: 'allow', match: { interfaceClass: 1 } }] }, SAMPLE_DEVICES.webcam, 'partial', 'default', { authorized: true, interfaces: { 0: 'refused', 1: 'refused', 2: 'bound', 3: 'bound' } }],
  ['printer allowed by a class rule', { rules: [{ id: 'printers', action: 'allow', match: { interfaceClass: 7 } }] }, SAMPLE_DEVICES.printer, 'allowed', 'rule:printers', { authorized: true, interfaces: { 0: 'bound' } }],
  ['phone (MTP) blocked', {}, SAMPLE_DEVICES.phone, 'blocked', 'default', { authorized: false }],
  ['storage on the allowed front port', { rules: [{ id: 'front', action: 'allow', match: { port: '1-7' } }] }, SAMPLE_DEVICES.studentDrive, 'allowed', 'rule:front', { authorized: true, interfaces: { 0: 'bound' } }],
  ['truncated descriptors: keyboard blocked', {}, truncatedKeyboard, 'blocked', 'builtin.malformed', { authorized: false }],
  ['looping descriptors (bLength 0): blocked', {}, { ...SAMPLE_DEVICES.keyboardStorageStick, rawDescriptors: loopingDescriptors }, 'blocked', 'builtin.malformed', { authorized: false }],
  ['kill switch: everything works', { killSwitch: true }, SAMPLE_DEVICES.keyboardStorageStick, 'allowed', 'kill-switch', { authorized: true, interfaces: { 0: 'bound', 1: 'bound' } }],
];

describe('Linux guard on the fake kernel: one device inserted', () => {
  it.each(table)('%s', async (_name, policy, device, outcome, rule, state) => {
    const g = await started(policy);
    const name = await g.kernel.plug(device, '1-7');
    const d = await g.decision(name);
    expect({ outcome: d.outcome, rule: d.rule }).toEqual({ outcome, rule });
    const view = await g.state(name, state);
    if (!state.authorized) expect(view.interfaces).toEqual([]);
  });
});

describe('Linux guard on the fake kernel: situations', () => {
  it('decides devices present at start: a working drive is cut off, the keyboard keeps working', async () => {
    h = await GuardHarness.create();
    const drive = await h.kernel.plug(SAMPLE_DEVICES.studentDrive);
    const keyboard = await h.kernel.plug(SAMPLE_DEVICES.keyboard);
    expect((await h.kernel.inspect(drive))!.interfaces[0]!.driver).toBe('usb-storage'); // booted with it in
    await h.start(makePolicy());
    await h.state(drive, { authorized: false });
    await h.state(keyboard, { authorized: true, interfaces: { 0: 'bound', 1: 'bound' } });
    expect(h.observations.filter((o) => o.kind === 'inserted').map((o) => o.kind === 'inserted' && o.arrival)).toEqual(['present-at-start', 'present-at-start']);
    expect(h.guard.snapshot()).toEqual({ present: 2, blocked: 1 });
  });

  it('decides a device inserted while no agent ran (waiting at start)', async () => {
    h = await GuardHarness.create();
    await h.start(makePolicy());
    await h.guard.stop();
    const kbd = await h.kernel.plug(SAMPLE_DEVICES.keyboard);
    const drive = await h.kernel.plug(SAMPLE_DEVICES.teacherDrive);
    expect((await h.kernel.inspect(kbd))!.authorized).toBe(false); // default-deny held with nobody watching
    await h.start(makePolicy());
    await h.state(kbd, { authorized: true, interfaces: { 0: 'bound' } });
    expect((await h.decision(drive)).outcome).toBe('blocked');
    expect((await h.kernel.inspect(drive))!.authorized).toBe(false);
  });

  it('re-checks every connected device on a policy push, both ways', async () => {
    const g = await started();
    const drive = await g.kernel.plug(SAMPLE_DEVICES.teacherDrive);
    const stick = await g.kernel.plug(SAMPLE_DEVICES.keyboardStorageStick);
    await g.state(stick, { authorized: true, interfaces: { 0: 'bound', 1: 'refused' } });
    expect((await g.decision(drive)).outcome).toBe('blocked');

    const rechecked = await g.guard.applyPolicy(makePolicy({ version: 2, rules: [teacherDriveRule] }));
    expect(rechecked).toBe(2);
    await g.state(drive, { authorized: true, interfaces: { 0: 'bound' } });

    await g.guard.applyPolicy(makePolicy({ version: 3 }));
    await g.state(drive, { authorized: false });
    await g.state(stick, { authorized: true, interfaces: { 0: 'bound', 1: 'refused' } });
  });

  it('lets a temporary exception lapse on its own clock, with no edge at all', async () => {
    const g = await started({ exceptions: [{ id: 'exam', match: { serial: SAMPLE_DEVICES.teacherDrive.serial }, expiresAt: Date.now() + 600 }] });
    const drive = await g.kernel.plug(SAMPLE_DEVICES.teacherDrive);
    // Allowed while the exception runs...
    await g.state(drive, { authorized: true, interfaces: { 0: 'bound' } });
    expect((await g.decision(drive)).rule).toBe('exception:exam');
    // ...and cut off when it lapses, by the guard's own timer.
    const lapsed = await g.decision(drive, (d) => d.outcome === 'blocked');
    expect(lapsed.reason).toBe('usb.blocked.exception_expired');
    await g.state(drive, { authorized: false });
  });

  it('holds a second keyboard under the keystroke guard until IT approves it', async () => {
    const g = await started({ keystrokeGuard: { enabled: true } });
    const first = await g.kernel.plug(SAMPLE_DEVICES.keyboard, '1-1');
    await g.state(first, { authorized: true, interfaces: { 0: 'bound' } });
    const second = await g.kernel.plug(SAMPLE_DEVICES.keyboardStorageStick, '1-2');
    const held = await g.decision(second);
    expect(held).toMatchObject({ outcome: 'blocked', rule: 'builtin.keystroke-guard' });
    expect((await g.kernel.inspect(second))!.authorized).toBe(false);

    await g.guard.applyPolicy(makePolicy({ version: 2, keystrokeGuard: { enabled: true }, rules: [{ id: 'approved', action: 'allow', match: { vid: '1a86', pid: 'e026', interfaceClass: 3 } }] }));
    await g.state(second, { authorized: true, interfaces: { 0: 'bound', 1: 'refused' } });
  });

  it('releases a held keyboard when the first keyboard is unplugged (nobody is locked out)', async () => {
    const g = await started({ keystrokeGuard: { enabled: true } });
    const first = await g.kernel.plug(SAMPLE_DEVICES.keyboard, '1-1');
    await g.state(first, { authorized: true, interfaces: { 0: 'bound' } });
    const replacement = await g.kernel.plug(SAMPLE_DEVICES.keyboard, '1-2');
    expect((await g.decision(replacement)).rule).toBe('builtin.keystroke-guard');
    await g.kernel.unplug(first);
    await g.state(replacement, { authorized: true, interfaces: { 0: 'bound' } });
  });

  it('decides devices behind a hub: the hub works, the drive behind it does not', async () => {
    const g = await started();
    const hub = await g.kernel.plug(SAMPLE_DEVICES.hub, '2-1');
    await g.state(hub, { authorized: true, interfaces: { 0: 'bound' } });
    const drive = await g.kernel.plug(SAMPLE_DEVICES.studentDrive, '2-1.1');
    const mouse = await g.kernel.plug(SAMPLE_DEVICES.mouse, '2-1.2');
    expect(drive).toBe('2-1.1');
    await g.state(mouse, { authorized: true, interfaces: { 0: 'bound' } });
    expect((await g.decision(drive)).outcome).toBe('blocked');
    expect((await g.kernel.inspect(drive))!.authorized).toBe(false);
  });

  it('opens every controller under the kill switch and locks them again after it', async () => {
    const g = await started();
    const drive = await g.kernel.plug(SAMPLE_DEVICES.studentDrive);
    expect((await g.decision(drive)).outcome).toBe('blocked');
    await g.guard.applyPolicy(makePolicy({ version: 2, killSwitch: true }));
    await g.controllersLocked(false);
    await g.state(drive, { authorized: true, interfaces: { 0: 'bound' } });
    await g.guard.applyPolicy(makePolicy({ version: 3 }));
    await g.controllersLocked(true);
    await g.state(drive, { authorized: false });
  });

  it('reports inserted, decided and removed once each, and forgets removed devices', async () => {
    const g = await started();
    const drive = await g.kernel.plug(SAMPLE_DEVICES.studentDrive);
    await g.decision(drive);
    await g.kernel.unplug(drive);
    await g.guard.idle();
    await waitRemoved(g, drive);
    expect(g.observations.map((o) => `${o.kind} ${o.name}`)).toEqual([`inserted ${drive}`, `decided ${drive}`, `removed ${drive}`]);
    expect(g.guard.snapshot()).toEqual({ present: 0, blocked: 0 });
  });

  it('treats another device in the same port as a new device', async () => {
    const g = await started({ rules: [teacherDriveRule] });
    const a = await g.kernel.plug(SAMPLE_DEVICES.teacherDrive, '1-3');
    await g.state(a, { authorized: true, interfaces: { 0: 'bound' } });
    await g.kernel.unplug(a);
    const b = await g.kernel.plug(SAMPLE_DEVICES.studentDrive, '1-3');
    const d = await g.decision(b, (x) => x.outcome === 'blocked');
    expect(d.rule).toBe('builtin.mass-storage');
    expect((await g.kernel.inspect(b))!.authorized).toBe(false);
  });

  it('survives devices vanishing mid-decision and a burst of insert/remove cycles', async () => {
    const g = await started();
    for (let i = 0; i < 40; i++) {
      const n = await g.kernel.plug(i % 2 ? SAMPLE_DEVICES.keyboardStorageStick : SAMPLE_DEVICES.studentDrive, '1-9');
      await g.kernel.unplug(n);
    }
    const last = await g.kernel.plug(SAMPLE_DEVICES.keyboardStorageStick, '1-9');
    await g.state(last, { authorized: true, interfaces: { 0: 'bound', 1: 'refused' } });
    await g.guard.idle();
    expect(g.guard.snapshot().present).toBe(1);
  });
});

async function waitRemoved(g: GuardHarness, name: string): Promise<void> {
  const { waitFor } = await import('../helpers/wait.js');
  await waitFor(() => g.observations.some((o) => o.kind === 'removed' && o.name === name), `${name} removed`);
}
