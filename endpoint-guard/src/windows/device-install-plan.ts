import { DEFINED_INTERFACE_CLASSES, hex2, USB_CLASS } from '@campus/protocol/usb/classes';
import { classVerdict, decideDevice, interfaceVerdict } from '@campus/protocol/usb/decide';
import type { UsbMatch, UsbPolicy } from '@campus/protocol/usb/policy';
import { groupWindowsDevices, type WindowsUsbNode } from './windows-devices.js';

/**
 * Turns a USB policy into an explicit Windows plan: the Device Installation Restrictions
 * policy values (what Group Policy "Device Installation Restrictions" writes) plus
 * pnputil calls for devices that are already present. Pure: the plan is data, unit-tested
 * here; one small adapter (windows-host.ts) executes it.
 *
 * How Windows evaluates (AllowDenyLayered = 1, Windows 10 2004+/11): device instance ids
 * > device ids > setup classes > removable devices; within a layer a deny beats an allow.
 * Hence:
 *  - class blocks become DenyDeviceIDs "USB\Class_xx" — compatible ids exist per function,
 *    so a keyboard+storage stick keeps its keyboard function and loses its storage one;
 *  - a teacher's drive is allowed by AllowInstanceIDs "USB\VID_..&PID_..\SERIAL", the
 *    layer above the class deny;
 *  - an allow by vid:pid alone sits in the same layer as the class deny and loses, so the
 *    plan can honour it only for devices present now (by instance id) and says so;
 *  - port rules and the keystroke guard have no Windows equivalent here and are reported.
 * Hubs, host controllers, keyboards and mice are always allowed.
 */
export const RESTRICTIONS_KEY = 'HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\DeviceInstall\\Restrictions';

/** Setup classes that must keep working whatever the policy (Keyboard, Mouse, HIDClass, USB). */
export const ALWAYS_ALLOWED_SETUP_CLASSES = [
  '{4d36e96b-e325-11ce-bfc1-08002be10318}',
  '{4d36e96f-e325-11ce-bfc1-08002be10318}',
  '{745a17a0-74d3-11d0-b6fe-00a0c90f57da}',
  '{36fc9e60-c465-11cf-8056-444553540000}',
] as const;

/** Device ids that must keep working: root hubs, hubs, composite parents, HID. */
export const ALWAYS_ALLOWED_DEVICE_IDS = [
  'USB\\ROOT_HUB',
  'USB\\ROOT_HUB20',
  'USB\\ROOT_HUB30',
  'USB\\Class_09',
  'USB\\COMPOSITE',
  'USB\\Class_03',
  'USB\\Class_03&SubClass_01&Prot_01',
  'USB\\Class_03&SubClass_01&Prot_02',
] as const;

export type RegistryAction =
  | { op: 'set'; key: string; name: string; type: 'REG_DWORD'; value: number }
  | { op: 'set'; key: string; name: string; type: 'REG_SZ'; value: string }
  | { op: 'delete-key'; key: string };

export interface PnputilAction {
  args: ['/disable-device' | '/enable-device', string];
  /** The rule that decided, as in USB events. */
  rule: string;
}

export type WindowsPlanWarning =
  | { code: 'port-rule-unsupported'; ruleId: string }
  | { code: 'keystroke-guard-unsupported' }
  | { code: 'vid-pid-allow-present-only'; ruleId: string }
  | { code: 'serial-only-allow-present-only'; ruleId: string }
  | { code: 'vendor-only-rule-unsupported'; ruleId: string }
  | { code: 'block-rule-with-serial-present-only'; ruleId: string };

export interface WindowsPlan {
  policyVersion: number;
  registry: RegistryAction[];
  pnputil: PnputilAction[];
  warnings: WindowsPlanWarning[];
  /** The plan must be rebuilt at this instant (a temporary exception lapses), or null. */
  replanAt: number | null;
}

const LISTS = ['DenyDeviceIDs', 'AllowDeviceIDs', 'AllowInstanceIDs', 'AllowDeviceClasses'] as const;

export function planWindowsEnforcement(policy: UsbPolicy, present: readonly WindowsUsbNode[], now: number): WindowsPlan {
  const registry: RegistryAction[] = [];
  const warnings: WindowsPlanWarning[] = [];
  const dword = (name: string, value: number) => registry.push({ op: 'set', key: RESTRICTIONS_KEY, name, type: 'REG_DWORD', value });
  const list = (name: (typeof LISTS)[number], values: Iterable<string>) => {
    let i = 1;
    for (const v of values) registry.push({ op: 'set', key: `${RESTRICTIONS_KEY}\\${name}`, name: String(i++), type: 'REG_SZ', value: v });
  };

  // Lists are rewritten whole, so a rule removed from the policy disappears from the PC.
  for (const name of LISTS) registry.push({ op: 'delete-key', key: `${RESTRICTIONS_KEY}\\${name}` });

  if (policy.killSwitch) {
    dword('DenyDeviceIDs', 0);
    dword('DenyDeviceIDsRetroactive', 0);
    dword('AllowDeviceIDs', 0);
    dword('AllowInstanceIDs', 0);
    dword('AllowDeviceClasses', 0);
    dword('AllowDenyLayered', 1);
    const pnputil = present.filter((n) => n.disabled).map((n): PnputilAction => ({ args: ['/enable-device', n.instanceId], rule: 'kill-switch' }));
    return { policyVersion: policy.version, registry, pnputil, warnings, replanAt: null };
  }

  dword('AllowDenyLayered', 1);

  const deny = new Set<string>();
  for (const c of DEFINED_INTERFACE_CLASSES) if (classVerdict(policy, c).action === 'deny') deny.add(`USB\\Class_${hex2(c).toUpperCase()}`);
  const allowDevice = new Set<string>(ALWAYS_ALLOWED_DEVICE_IDS);
  const allowInstance = new Set<string>();

  const active = policy.exceptions.filter((e) => e.expiresAt > now);
  const grants = [...active.map((e) => ({ id: e.id, match: e.match })), ...policy.rules.filter((r) => r.action === 'allow')];
  for (const g of grants) {
    const m = g.match;
    if (m.port !== undefined) warnings.push({ code: 'port-rule-unsupported', ruleId: g.id });
    else if (m.vid !== undefined && m.pid !== undefined && m.serial !== undefined) allowInstance.add(instanceIdFor(m));
    else if (m.vid !== undefined && m.pid !== undefined) {
      allowDevice.add(deviceIdFor(m));
      warnings.push({ code: 'vid-pid-allow-present-only', ruleId: g.id });
    } else if (m.serial !== undefined) warnings.push({ code: 'serial-only-allow-present-only', ruleId: g.id });
    else if (m.vid !== undefined) warnings.push({ code: 'vendor-only-rule-unsupported', ruleId: g.id });
  }
  for (const r of policy.rules.filter((x) => x.action === 'block')) {
    const m = r.match;
    if (m.port !== undefined) warnings.push({ code: 'port-rule-unsupported', ruleId: r.id });
    else if (m.vid !== undefined && m.pid !== undefined && m.serial === undefined) deny.add(deviceIdFor(m));
    else if (m.serial !== undefined) warnings.push({ code: 'block-rule-with-serial-present-only', ruleId: r.id });
    else if (m.vid !== undefined) warnings.push({ code: 'vendor-only-rule-unsupported', ruleId: r.id });
  }
  if (policy.keystrokeGuard.enabled) warnings.push({ code: 'keystroke-guard-unsupported' });

  // Devices present now get the exact shared decision, applied per function node.
  const pnputil: PnputilAction[] = [];
  for (const g of groupWindowsDevices(present)) {
    if (g.device.interfaces.every((i) => i.class === USB_CLASS.hub)) continue;
    const d = decideDevice(policy, g.device, now, { arrival: 'present-at-start', otherKeyboards: 0 });
    const granted = d.interfaces.some((i) => i.action === 'allow' && (i.rule.startsWith('rule:') || i.rule.startsWith('exception:')));
    if (granted) {
      allowInstance.add(g.parent.instanceId);
      for (const [num, node] of g.nodeByInterface) if (interfaceVerdict(d, 1, num)?.action === 'allow') allowInstance.add(node.instanceId);
    }
    for (const [num, node] of g.nodeByInterface) {
      const v = interfaceVerdict(d, 1, num);
      if (!v) continue;
      if (v.action === 'deny' && !node.disabled) pnputil.push({ args: ['/disable-device', node.instanceId], rule: v.rule });
      if (v.action === 'allow' && node.disabled) pnputil.push({ args: ['/enable-device', node.instanceId], rule: v.rule });
    }
  }

  // Nothing that stays allowed may sit in the deny list (a class rule that allows it wins).
  for (const id of allowDevice) deny.delete(id);
  dword('DenyDeviceIDs', deny.size ? 1 : 0);
  dword('DenyDeviceIDsRetroactive', deny.size ? 1 : 0);
  list('DenyDeviceIDs', deny);
  dword('AllowDeviceIDs', 1);
  list('AllowDeviceIDs', allowDevice);
  dword('AllowInstanceIDs', allowInstance.size ? 1 : 0);
  list('AllowInstanceIDs', allowInstance);
  dword('AllowDeviceClasses', 1);
  list('AllowDeviceClasses', ALWAYS_ALLOWED_SETUP_CLASSES);

  const replanAt = active.length ? Math.min(...active.map((e) => e.expiresAt)) : null;
  return { policyVersion: policy.version, registry, pnputil, warnings, replanAt };
}

function deviceIdFor(m: UsbMatch): string {
  return `USB\\VID_${m.vid!.toUpperCase()}&PID_${m.pid!.toUpperCase()}`;
}

function instanceIdFor(m: UsbMatch): string {
  return `${deviceIdFor(m)}\\${m.serial!}`;
}
