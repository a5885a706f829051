import { describe, expect, it } from 'vitest';
import { ALWAYS_ALLOWED_SETUP_CLASSES, planWindowsEnforcement, RESTRICTIONS_KEY, type WindowsPlan } from '../../src/windows/device-install-plan.js';
import { classOf, groupWindowsDevices, parseInstanceId, type WindowsUsbNode } from '../../src/windows/windows-devices.js';
import { applyWindowsPlan, type WindowsDeviceHost } from '../../src/windows/windows-host.js';
import { makePolicy, teacherDriveRule } from '../helpers/policies.js';

const NOW = Date.UTC(2025, 8, 1, 8);

/** Registry values the plan leaves, as a flat map "Key\\Name" -> value, after replaying it. */
function registryAfter(plan: WindowsPlan, before: Record<string, string | number> = {}): Record<string, string | number> {
  const reg = { ...before };
  for (const a of plan.registry) {
    if (a.op === 'delete-key') for (const k of Object.keys(reg)) if (k.startsWith(`${a.key}\\`)) delete reg[k];
    if (a.op === 'set') reg[`${a.key}\\${a.name}`] = a.value;
  }
  return reg;
}
const R = (name: string) => `${RESTRICTIONS_KEY}\\${name}`;
function list(reg: Record<string, string | number>, name: string): string[] {
  return Object.entries(reg)
    .filter(([k]) => k.startsWith(`${R(name)}\\`))
    .sort(([a], [b]) => Number(a.split('\\').pop()) - Number(b.split('\\').pop()))
    .map(([, v]) => String(v));
}

const drive: WindowsUsbNode = {
  instanceId: 'USB\\VID_0781&PID_5567\\4C530001230101104512',
  hardwareIds: ['USB\\VID_0781&PID_5567&REV_0100', 'USB\\VID_0781&PID_5567'],
  compatibleIds: ['USB\\Class_08&SubClass_06&Prot_50', 'USB\\Class_08&SubClass_06', 'USB\\Class_08'],
};
const studentDrive: WindowsUsbNode = {
  instanceId: 'USB\\VID_090C&PID_1000\\AA00000000011283',
  hardwareIds: ['USB\\VID_090C&PID_1000'],
  compatibleIds: ['USB\\Class_08&SubClass_06&Prot_50', 'USB\\Class_08'],
};
const stickParent: WindowsUsbNode = { instanceId: 'USB\\VID_1A86&PID_E026\\5&1A2B3C4D&0&3', hardwareIds: ['USB\\VID_1A86&PID_E026'], compatibleIds: ['USB\\DevClass_00', 'USB\\COMPOSITE'] };
const stickKeyboard: WindowsUsbNode = {
  instanceId: 'USB\\VID_1A86&PID_E026&MI_00\\6&11111111&0&0000',
  hardwareIds: ['USB\\VID_1A86&PID_E026&MI_00'],
  compatibleIds: ['USB\\Class_03&SubClass_01&Prot_01', 'USB\\Class_03&SubClass_01', 'USB\\Class_03'],
  parentInstanceId: stickParent.instanceId,
};
const stickStorage: WindowsUsbNode = {
  instanceId: 'USB\\VID_1A86&PID_E026&MI_01\\6&11111111&0&0001',
  hardwareIds: ['USB\\VID_1A86&PID_E026&MI_01'],
  compatibleIds: ['USB\\Class_08&SubClass_06&Prot_50', 'USB\\Class_08'],
  parentInstanceId: stickParent.instanceId,
};
const rootHub: WindowsUsbNode = { instanceId: 'USB\\ROOT_HUB30\\4&2A1B2C3D&0&0', hardwareIds: ['USB\\ROOT_HUB30'], compatibleIds: [] };

describe('Windows device ids', () => {
  it('parses instance ids: serials, generated ids, composite functions', () => {
    expect(parseInstanceId(drive.instanceId)).toEqual({ vid: '0781', pid: '5567', mi: null, serial: '4C530001230101104512' });
    expect(parseInstanceId(stickParent.instanceId)).toEqual({ vid: '1a86', pid: 'e026', mi: null, serial: null });
    expect(parseInstanceId(stickStorage.instanceId)).toMatchObject({ mi: 1, serial: null });
    expect(parseInstanceId(rootHub.instanceId)).toBeNull();
    expect(classOf(stickKeyboard)).toEqual({ class: 3, subClass: 1, protocol: 1 });
  });

  it('groups a composite device with its functions', () => {
    const [g] = groupWindowsDevices([stickParent, stickKeyboard, stickStorage]);
    expect(g!.device.interfaces.map((i) => [i.number, i.class])).toEqual([
      [0, 3],
      [1, 8],
    ]);
    expect(g!.nodeByInterface.get(1)).toBe(stickStorage);
  });
});

describe('planWindowsEnforcement', () => {
  it('default policy: layered evaluation, storage and every non-HID class denied retroactively, hubs and keyboards allowed', () => {
    const plan = planWindowsEnforcement(makePolicy(), [], NOW);
    expect(plan.registry.slice(0, 4).every((a) => a.op === 'delete-key')).toBe(true);
    const reg = registryAfter(plan, { [`${R('DenyDeviceIDs')}\\9`]: 'USB\\VID_DEAD&PID_BEEF' });
    expect(reg[R('AllowDenyLayered')]).toBe(1);
    expect(reg[R('DenyDeviceIDs')]).toBe(1);
    expect(reg[R('DenyDeviceIDsRetroactive')]).toBe(1);
    const deny = list(reg, 'DenyDeviceIDs');
    expect(deny).toEqual(expect.arrayContaining(['USB\\Class_08', 'USB\\Class_06', 'USB\\Class_FF', 'USB\\Class_0E']));
    expect(deny).not.toContain('USB\\Class_03');
    expect(deny).not.toContain('USB\\Class_09');
    expect(deny).not.toContain('USB\\VID_DEAD&PID_BEEF'); // a stale entry from an older plan is gone
    expect(list(reg, 'AllowDeviceIDs')).toEqual(expect.arrayContaining(['USB\\ROOT_HUB30', 'USB\\Class_09', 'USB\\Class_03&SubClass_01&Prot_01', 'USB\\COMPOSITE']));
    expect(list(reg, 'AllowDeviceClasses')).toEqual([...ALWAYS_ALLOWED_SETUP_CLASSES]);
    expect(plan.warnings).toEqual([]);
    expect(plan.pnputil).toEqual([]);
  });

  it('default allow: only mass storage is denied', () => {
    expect(list(registryAfter(planWindowsEnforcement(makePolicy({ defaultAction: 'allow' }), [], NOW)), 'DenyDeviceIDs')).toEqual(['USB\\Class_08']);
  });

  it("allows the teacher's drive by instance id, the layer above the class deny", () => {
    const reg = registryAfter(planWindowsEnforcement(makePolicy({ rules: [teacherDriveRule] }), [], NOW));
    expect(list(reg, 'AllowInstanceIDs')).toEqual(['USB\\VID_0781&PID_5567\\4C530001230101104512']);
    expect(reg[R('AllowInstanceIDs')]).toBe(1);
  });

  it('lets a class rule take its class off the deny list', () => {
    const reg = registryAfter(planWindowsEnforcement(makePolicy({ rules: [{ id: 'printers', action: 'allow', match: { interfaceClass: 7 } }] }), [], NOW));
    expect(list(reg, 'DenyDeviceIDs')).not.toContain('USB\\Class_07');
  });

  it('denies a blocked vid:pid by device id', () => {
    const reg = registryAfter(planWindowsEnforcement(makePolicy({ defaultAction: 'allow', rules: [{ id: 'bad', action: 'block', match: { vid: 'dead', pid: 'beef' } }] }), [], NOW));
    expect(list(reg, 'DenyDeviceIDs')).toEqual(['USB\\Class_08', 'USB\\VID_DEAD&PID_BEEF']);
  });

  it('says what it cannot express on Windows', () => {
    const plan = planWindowsEnforcement(
      makePolicy({
        keystrokeGuard: { enabled: true },
        rules: [
          { id: 'front', action: 'allow', match: { port: '1-2' } },
          { id: 'model', action: 'allow', match: { vid: '0781', pid: '5567' } },
          { id: 'vendor', action: 'allow', match: { vid: '0781' } },
          { id: 'one-stick', action: 'allow', match: { serial: 'X1' } },
        ],
      }),
      [],
      NOW,
    );
    expect(plan.warnings).toEqual([
      { code: 'port-rule-unsupported', ruleId: 'front' },
      { code: 'vid-pid-allow-present-only', ruleId: 'model' },
      { code: 'vendor-only-rule-unsupported', ruleId: 'vendor' },
      { code: 'serial-only-allow-present-only', ruleId: 'one-stick' },
      { code: 'keystroke-guard-unsupported' },
    ]);
  });

  it('disables only the storage function of a keyboard+storage stick that is plugged in', () => {
    const plan = planWindowsEnforcement(makePolicy(), [rootHub, stickParent, stickKeyboard, stickStorage, studentDrive], NOW);
    expect(plan.pnputil).toEqual([
      { args: ['/disable-device', stickStorage.instanceId], rule: 'builtin.mass-storage' },
      { args: ['/disable-device', studentDrive.instanceId], rule: 'builtin.mass-storage' },
    ]);
  });

  it('re-enables a present device the new policy allows, and allows it by instance id', () => {
    const plan = planWindowsEnforcement(makePolicy({ rules: [{ id: 'model', action: 'allow', match: { vid: '0781', pid: '5567' } }] }), [{ ...drive, disabled: true }], NOW);
    expect(plan.pnputil).toEqual([{ args: ['/enable-device', drive.instanceId], rule: 'rule:model' }]);
    expect(list(registryAfter(plan), 'AllowInstanceIDs')).toEqual([drive.instanceId]);
  });

  it('includes active exceptions and asks to be rebuilt when the first one lapses', () => {
    const plan = planWindowsEnforcement(
      makePolicy({
        exceptions: [
          { id: 'exam', match: { vid: '0781', pid: '5567', serial: '4C530001230101104512' }, expiresAt: NOW + 7_200_000 },
          { id: 'old', match: { vid: '090c', pid: '1000', serial: 'AA00000000011283' }, expiresAt: NOW - 1 },
        ],
      }),
      [],
      NOW,
    );
    expect(list(registryAfter(plan), 'AllowInstanceIDs')).toEqual(['USB\\VID_0781&PID_5567\\4C530001230101104512']);
    expect(plan.replanAt).toBe(NOW + 7_200_000);
  });

  it('kill switch: restrictions off, disabled devices back on', () => {
    const plan = planWindowsEnforcement(makePolicy({ killSwitch: true }), [{ ...studentDrive, disabled: true }, stickParent], NOW);
    const reg = registryAfter(plan, { [`${R('DenyDeviceIDs')}\\1`]: 'USB\\Class_08' });
    expect(reg[R('DenyDeviceIDs')]).toBe(0);
    expect(list(reg, 'DenyDeviceIDs')).toEqual([]);
    expect(plan.pnputil).toEqual([{ args: ['/enable-device', studentDrive.instanceId], rule: 'kill-switch' }]);
  });
});

describe('applyWindowsPlan', () => {
  it('runs every step in order through the host and records failures without stopping', async () => {
    const calls: string[] = [];
    const host: WindowsDeviceHost = {
      async setRegistryValue(key, name, type, value) {
        calls.push(`set ${key}\\${name} ${type} ${value}`);
      },
      async deleteRegistryKey(key) {
        calls.push(`delete ${key}`);
      },
      async pnputil(args) {
        calls.push(`pnputil ${args.join(' ')}`);
        return args[1] === studentDrive.instanceId ? { code: 5, output: 'Access is denied.' } : { code: 0, output: '' };
      },
      async listUsbNodes() {
        return [];
      },
    };
    const plan = planWindowsEnforcement(makePolicy(), [stickParent, stickKeyboard, stickStorage, studentDrive], NOW);
    const results = await applyWindowsPlan(plan, host);
    expect(results).toHaveLength(plan.registry.length + plan.pnputil.length);
    expect(calls[0]).toBe(`delete ${RESTRICTIONS_KEY}\\DenyDeviceIDs`);
    expect(calls.at(-1)).toBe(`pnputil /disable-device ${studentDrive.instanceId}`);
    expect(results.filter((r) => !r.ok)).toEqual([{ step: `pnputil /disable-device ${studentDrive.instanceId}`, ok: false, error: 'pnputil exited 5: Access is denied.' }]);
  });
});
