import { decideDevice, type DeviceDecision } from '@campus/protocol/usb/decide';
import type { UsbPolicy } from '@campus/protocol/usb/policy';
import type { UsbEnforcer } from '../enforcer.js';
import type { GuardObservation } from '../linux/linux-usb-guard.js';
import type { Logger } from '../log/logger.js';
import { planWindowsEnforcement, type WindowsPlan } from './device-install-plan.js';
import { groupWindowsDevices, type WindowsDeviceGroup } from './windows-devices.js';
import { applyWindowsPlan, type WindowsDeviceHost } from './windows-host.js';

/**
 * Enforcement on Windows through Device Installation Restrictions: the registry part of
 * the plan is written when the policy changes (or a temporary exception lapses); the
 * present devices are listed again every `rescanMs` and the pnputil part applied, which
 * also reports insertions and removals. Windows itself refuses to install denied
 * devices in between scans, so the scan interval is about reporting, not protection.
 *
 * NOT verified on real Windows: see firmware-notes/pc-agent-windows.md.
 */
export interface WindowsUsbEnforcerOptions {
  host: WindowsDeviceHost;
  log: Logger;
  now?: () => number;
  observe?: (o: GuardObservation) => void;
  rescanMs?: number;
}

export class WindowsUsbEnforcer implements UsbEnforcer {
  private policy: UsbPolicy | null = null;
  private registryFor: { version: number; until: number | null } | null = null;
  private known = new Map<string, { group: WindowsDeviceGroup; key: string }>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: WindowsUsbEnforcerOptions) {
    this.now = opts.now ?? Date.now;
  }

  async start(policy: UsbPolicy): Promise<void> {
    this.policy = policy;
    await this.enforce();
    this.timer = setInterval(() => void this.enforce().catch((err: unknown) => this.opts.log.error('windows rescan failed', { err })), this.opts.rescanMs ?? 15_000);
    this.timer.unref();
  }

  async applyPolicy(policy: UsbPolicy): Promise<number> {
    this.policy = policy;
    return this.enforce();
  }

  snapshot(): { present: number; blocked: number } {
    let blocked = 0;
    for (const { key } of this.known.values()) if (!key.startsWith('allowed')) blocked++;
    return { present: this.known.size, blocked };
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass: plan against what is present now, apply, report changes. Passes never overlap. */
  enforce(): Promise<number> {
    const previous = this.running ?? Promise.resolve(0);
    const next = previous.catch(() => 0).then(() => this.pass());
    this.running = next;
    return next;
  }

  private async pass(): Promise<number> {
    const policy = this.policy;
    if (!policy) return 0;
    const now = this.now();
    const nodes = await this.opts.host.listUsbNodes();
    const plan = planWindowsEnforcement(policy, nodes, now);
    const rewriteRegistry = !this.registryFor || this.registryFor.version !== policy.version || (this.registryFor.until !== null && now >= this.registryFor.until);
    const steps: WindowsPlan = rewriteRegistry ? plan : { ...plan, registry: [] };
    const results = await applyWindowsPlan(steps, this.opts.host);
    const failed = results.filter((r) => !r.ok);
    if (failed.length) this.opts.log.error('windows plan steps failed', { failed: failed.slice(0, 5) });
    else if (rewriteRegistry) this.registryFor = { version: policy.version, until: plan.replanAt };
    for (const w of plan.warnings) this.opts.log.warn('policy rule not enforceable on Windows', { ...w });

    const groups = groupWindowsDevices(nodes);
    const seen = new Set<string>();
    for (const g of groups) {
      const id = g.parent.instanceId;
      seen.add(id);
      const decision = decideDevice(policy, g.device, now, { arrival: 'present-at-start', otherKeyboards: 0 });
      const key = outcomeKey(decision);
      const prev = this.known.get(id);
      if (!prev) this.opts.observe?.({ kind: 'inserted', name: id, device: g.device, arrival: 'inserted' });
      if (!prev || prev.key !== key) this.opts.observe?.({ kind: 'decided', name: id, device: g.device, decision });
      this.known.set(id, { group: g, key });
    }
    for (const [id, { group }] of this.known) {
      if (seen.has(id)) continue;
      this.known.delete(id);
      this.opts.observe?.({ kind: 'removed', name: id, device: group.device });
    }
    return groups.length;
  }
}

function outcomeKey(d: DeviceDecision): string {
  return `${d.outcome}|${d.rule}|${d.interfaces.map((i) => `${i.number}:${i.action}`).join(',')}`;
}
