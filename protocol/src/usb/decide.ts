import { isBootKeyboard, USB_CLASS } from './classes.js';
import type { UsbDevice, UsbInterface } from './device.js';
import type { UsbException, UsbMatch, UsbPolicy, UsbRule } from './policy.js';
import { USB_REASON, type UsbReason } from './reasons.js';

/**
 * The USB decision, as a pure function shared by the Linux agent, the Windows planner
 * and the edge (to preview a policy). Evaluated per interface, in this order:
 *
 *   1. kill switch                      -> allow everything
 *   2. hub (09), HID (03)               -> always allow (nobody is locked out), except
 *      a second keyboard under the keystroke guard, which needs an explicit grant
 *      (both skipped for devices whose descriptors are malformed)
 *   3. an active temporary exception    -> allow
 *   4. the first matching rule          -> allow or block
 *   5. malformed descriptors            -> deny
 *   6. a matching exception that expired -> deny (so the event says why)
 *   7. mass storage (08)                -> deny, whatever the default
 *   8. policy default
 */
export type RuleRef =
  | 'kill-switch'
  | 'builtin.hub'
  | 'builtin.hid'
  | 'builtin.keystroke-guard'
  | 'builtin.mass-storage'
  | 'builtin.malformed'
  | 'builtin.no-interfaces'
  | 'default'
  | `rule:${string}`
  | `exception:${string}`;

export interface DecisionContext {
  /**
   * 'present-at-start': the device was already working when the guard started (it was
   * accepted by the kernel at boot, before any agent could run). 'inserted': it arrived
   * while the guard was watching, or was still waiting for a decision.
   */
  arrival: 'present-at-start' | 'inserted';
  /** Other devices on this PC that currently have a working keyboard interface. */
  otherKeyboards: number;
}

export interface InterfaceDecision extends UsbInterface {
  action: 'allow' | 'deny';
  rule: RuleRef;
  reason: UsbReason;
  /** Set when the allow rests on a temporary exception. */
  expiresAt?: number;
}

export interface DeviceDecision {
  /** allowed: every interface; partial: some (e.g. the keyboard of a keyboard+disk stick); blocked: none. */
  outcome: 'allowed' | 'partial' | 'blocked';
  /** Whether the device may be configured at all: true when at least one interface is allowed. */
  authorizeDevice: boolean;
  interfaces: InterfaceDecision[];
  /** The rule that decided the device's outcome: the first refusal if any, else the most specific grant. */
  rule: RuleRef;
  reason: UsbReason;
  /** The earliest instant an exception this decision rests on lapses, or null. */
  expiresAt: number | null;
}

export function decideDevice(policy: UsbPolicy, device: UsbDevice, now: number, context: DecisionContext): DeviceDecision {
  const malformed = device.problems.length > 0;
  const interfaces = device.interfaces.map((i) => decideInterface(policy, device, i, now, context, malformed));
  if (interfaces.length === 0) {
    const rule: RuleRef = policy.killSwitch ? 'kill-switch' : malformed ? 'builtin.malformed' : 'builtin.no-interfaces';
    const reason = policy.killSwitch ? USB_REASON.allowedKillSwitch : malformed ? USB_REASON.blockedMalformed : USB_REASON.blockedNoInterfaces;
    // Under the kill switch the kernel decides; an interface-less device is harmless to configure.
    return { outcome: policy.killSwitch ? 'allowed' : 'blocked', authorizeDevice: policy.killSwitch, interfaces, rule, reason, expiresAt: null };
  }
  const allowed = interfaces.filter((d) => d.action === 'allow');
  const denied = interfaces.filter((d) => d.action === 'deny');
  const outcome = denied.length === 0 ? 'allowed' : allowed.length === 0 ? 'blocked' : 'partial';
  const decisive = denied[0] ?? allowed.find((d) => d.rule.startsWith('exception:') || d.rule.startsWith('rule:')) ?? allowed[0]!;
  let expiresAt: number | null = null;
  for (const d of allowed) if (d.expiresAt !== undefined && (expiresAt === null || d.expiresAt < expiresAt)) expiresAt = d.expiresAt;
  return { outcome, authorizeDevice: allowed.length > 0, interfaces, rule: decisive.rule, reason: decisive.reason, expiresAt };
}

/**
 * The verdict for one interface slot of the active configuration: every alternate
 * setting must be allowed, because a driver may switch to any of them after binding.
 * Undefined when the decision knows nothing about that interface.
 */
export function interfaceVerdict(decision: DeviceDecision, config: number, number: number): InterfaceDecision | undefined {
  let verdict: InterfaceDecision | undefined;
  for (const d of decision.interfaces) {
    if (d.config !== config || d.number !== number) continue;
    if (!verdict || (verdict.action === 'allow' && d.action === 'deny')) verdict = d;
  }
  return verdict;
}

function decideInterface(
  policy: UsbPolicy,
  device: UsbDevice,
  iface: UsbInterface,
  now: number,
  ctx: DecisionContext,
  malformed: boolean,
): InterfaceDecision {
  const allow = (rule: RuleRef, reason: UsbReason, expiresAt?: number): InterfaceDecision => ({
    ...iface,
    action: 'allow',
    rule,
    reason,
    ...(expiresAt !== undefined ? { expiresAt } : {}),
  });
  const deny = (rule: RuleRef, reason: UsbReason): InterfaceDecision => ({ ...iface, action: 'deny', rule, reason });

  if (policy.killSwitch) return allow('kill-switch', USB_REASON.allowedKillSwitch);

  const exception = policy.exceptions.find((e) => e.expiresAt > now && matches(e.match, device, iface));
  const rule = policy.rules.find((r) => matches(r.match, device, iface));
  const grant = (): InterfaceDecision | undefined =>
    exception
      ? allow(`exception:${exception.id}`, USB_REASON.allowedException, exception.expiresAt)
      : rule?.action === 'allow'
        ? allow(`rule:${rule.id}`, USB_REASON.allowedRule)
        : undefined;

  if (!malformed) {
    if (iface.class === USB_CLASS.hub) return allow('builtin.hub', USB_REASON.allowedHub);
    if (iface.class === USB_CLASS.hid) {
      if (policy.keystrokeGuard.enabled && isBootKeyboard(iface) && ctx.arrival === 'inserted' && ctx.otherKeyboards > 0) {
        return grant() ?? deny('builtin.keystroke-guard', USB_REASON.blockedKeystrokeGuard);
      }
      return allow('builtin.hid', USB_REASON.allowedHid);
    }
  }
  const granted = grant();
  if (granted) return granted;
  if (rule) return deny(`rule:${rule.id}`, USB_REASON.blockedRule);
  if (malformed) return deny('builtin.malformed', USB_REASON.blockedMalformed);
  const expired = latestExpired(policy.exceptions, device, iface, now);
  if (expired && (iface.class === USB_CLASS.massStorage || policy.defaultAction === 'deny')) {
    return deny(`exception:${expired.id}`, USB_REASON.blockedExceptionExpired);
  }
  if (iface.class === USB_CLASS.massStorage) return deny('builtin.mass-storage', USB_REASON.blockedMassStorage);
  return policy.defaultAction === 'allow' ? allow('default', USB_REASON.allowedDefault) : deny('default', USB_REASON.blockedDefault);
}

export function matches(m: UsbMatch, device: Pick<UsbDevice, 'vid' | 'pid' | 'serial' | 'port'>, iface: Pick<UsbInterface, 'class'>): boolean {
  if (m.vid !== undefined && m.vid !== device.vid) return false;
  if (m.pid !== undefined && m.pid !== device.pid) return false;
  if (m.serial !== undefined && m.serial !== device.serial) return false;
  if (m.port !== undefined && m.port !== device.port) return false;
  if (m.interfaceClass !== undefined && m.interfaceClass !== iface.class) return false;
  return true;
}

function latestExpired(exceptions: readonly UsbException[], device: UsbDevice, iface: UsbInterface, now: number): UsbException | undefined {
  let latest: UsbException | undefined;
  for (const e of exceptions) {
    if (e.expiresAt <= now && matches(e.match, device, iface) && (!latest || e.expiresAt > latest.expiresAt)) latest = e;
  }
  return latest;
}

/**
 * What the policy says about an interface class on its own, for any device (no vid,
 * pid, serial or port known). Used where enforcement can only speak in classes, such
 * as Windows' device-ID deny lists. Rules that name a device are skipped.
 */
export function classVerdict(policy: UsbPolicy, interfaceClass: number): { action: 'allow' | 'deny'; rule: RuleRef } {
  if (policy.killSwitch) return { action: 'allow', rule: 'kill-switch' };
  if (interfaceClass === USB_CLASS.hub) return { action: 'allow', rule: 'builtin.hub' };
  if (interfaceClass === USB_CLASS.hid) return { action: 'allow', rule: 'builtin.hid' };
  const rule: UsbRule | undefined = policy.rules.find((r) => isClassOnly(r.match) && r.match.interfaceClass === interfaceClass);
  if (rule) return { action: rule.action === 'allow' ? 'allow' : 'deny', rule: `rule:${rule.id}` };
  if (interfaceClass === USB_CLASS.massStorage) return { action: 'deny', rule: 'builtin.mass-storage' };
  return { action: policy.defaultAction === 'allow' ? 'allow' : 'deny', rule: 'default' };
}

export function isClassOnly(m: UsbMatch): boolean {
  return m.vid === undefined && m.pid === undefined && m.serial === undefined && m.port === undefined && m.interfaceClass !== undefined;
}
