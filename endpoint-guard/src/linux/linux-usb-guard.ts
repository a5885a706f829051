import { isBootKeyboard } from '@campus/protocol/usb/classes';
import { decideDevice, interfaceVerdict, type DeviceDecision } from '@campus/protocol/usb/decide';
import type { UsbDevice } from '@campus/protocol/usb/device';
import { nextExpiryAfter, type UsbPolicy } from '@campus/protocol/usb/policy';
import type { UsbEnforcer } from '../enforcer.js';
import type { Logger } from '../log/logger.js';
import { DeviceWorkQueue } from './device-work-queue.js';
import type { UsbKernelEvent, UsbKernelEventSource } from './kernel-events.js';
import { classifyName, deviceNameOf } from './sysfs-names.js';
import { isGone, type LiveDevice, type SysfsUsb } from './sysfs-usb.js';

/**
 * USBGuard-style enforcement on Linux, level-triggered: every kernel event about a
 * device (or one of its interfaces) makes the guard re-read that device from sysfs,
 * decide, and write whatever authorization differs. Nothing depends on seeing every
 * event in order, so a missed or duplicated event, a slow fake kernel or a restart of
 * the agent all converge on the same state.
 *
 * Default-deny lives in the kernel, not in this process: the controllers'
 * authorized_default stays 0, so while the agent is down new devices wait unconfigured.
 */
export type Arrival = 'present-at-start' | 'inserted';

export type GuardObservation =
  | { kind: 'inserted'; name: string; device: UsbDevice; arrival: Arrival }
  | { kind: 'decided'; name: string; device: UsbDevice; decision: DeviceDecision }
  | { kind: 'removed'; name: string; device: UsbDevice };

export interface LinuxUsbGuardOptions {
  sysfs: SysfsUsb;
  events: UsbKernelEventSource;
  log: Logger;
  now?: () => number;
  observe?: (o: GuardObservation) => void;
  /** Devices reconciled in parallel. */
  concurrency?: number;
  /** Upper bound between re-checks while temporary exceptions exist (clock jumps, suspend). */
  recheckMs?: number;
}

interface DeviceRecord {
  name: string;
  arrival: Arrival;
  device: UsbDevice;
  decision: DeviceDecision | null;
  outcomeKey: string | null;
  /** Has an allowed boot-keyboard interface (counted by the keystroke guard). */
  keyboard: boolean;
}

export class LinuxUsbGuard implements UsbEnforcer {
  private policy: UsbPolicy | null = null;
  private readonly devices = new Map<string, DeviceRecord>();
  private readonly queue: DeviceWorkQueue;
  private readonly now: () => number;
  private expiryTimer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(private readonly opts: LinuxUsbGuardOptions) {
    this.now = opts.now ?? Date.now;
    this.queue = new DeviceWorkQueue(
      (name) => this.reconcile(name),
      (name, err) => opts.log.error('reconcile failed', { device: name, err }),
      opts.concurrency ?? 8,
    );
  }

  get activePolicy(): UsbPolicy | null {
    return this.policy;
  }

  /** Locks the controllers, starts watching, then decides every device already present. */
  async start(policy: UsbPolicy): Promise<void> {
    this.policy = policy;
    this.running = true;
    await this.setControllerDefaults();
    // Listen before scanning: a device arriving during the scan is then seen twice, never zero times.
    await this.opts.events.start((e) => this.onKernelEvent(e));
    await this.initialScan();
    this.scheduleExpiry();
  }

  /** Enforces a new policy on every connected device; resolves once all are re-checked. */
  async applyPolicy(policy: UsbPolicy): Promise<number> {
    this.policy = policy;
    await this.setControllerDefaults();
    const n = await this.recheckAll();
    this.scheduleExpiry();
    return n;
  }

  /** Re-reads and re-decides every device (present in sysfs or remembered). */
  async recheckAll(): Promise<number> {
    const names = new Set([...(await this.opts.sysfs.listDevices()), ...this.devices.keys()]);
    await Promise.all([...names].map((n) => this.queue.schedule(n)));
    return names.size;
  }

  /** Resolves when no device is waiting for a decision. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  snapshot(): { present: number; blocked: number } {
    let blocked = 0;
    for (const r of this.devices.values()) if (r.decision && r.decision.outcome !== 'allowed') blocked++;
    return { present: this.devices.size, blocked };
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    await this.opts.events.stop();
    await this.queue.idle();
  }

  private onKernelEvent(e: UsbKernelEvent): void {
    if (!this.running) return;
    if (e.action === 'resync') {
      void this.setControllerDefaults().then(() => this.recheckAll()).catch((err: unknown) => this.opts.log.error('resync failed', { err }));
      return;
    }
    if (classifyName(e.name) === 'root-hub') {
      // A controller that appears later (a dock) must wait for decisions like the others.
      if (e.action === 'add') void this.setControllerDefaults().catch((err: unknown) => this.opts.log.error('controller lock failed', { err }));
      return;
    }
    const device = deviceNameOf(e.name);
    if (device) void this.queue.schedule(device);
  }

  private async setControllerDefaults(): Promise<void> {
    const allow = this.policy?.killSwitch === true;
    for (const c of await this.opts.sysfs.listControllers()) {
      try {
        const r = await this.opts.sysfs.setControllerDefaults(c, allow);
        if (!r.interfaceDefault) this.opts.log.warn('kernel lacks interface_authorized_default: composite devices are decided as a whole', { controller: c });
      } catch (err) {
        this.opts.log.error('cannot set authorized_default', { controller: c, err });
      }
    }
  }

  private async initialScan(): Promise<void> {
    const names = await this.opts.sysfs.listDevices();
    const states = await Promise.all(names.map((n) => this.opts.sysfs.readDevice(n).catch(() => null)));
    const present: string[] = [];
    const waiting: string[] = [];
    for (const st of states) {
      if (!st || this.devices.has(st.name)) continue;
      // Working at start = accepted by the kernel before we could decide (boot): trusted by
      // the keystroke guard. Anything still waiting is treated as just inserted.
      const arrival: Arrival = st.authorized && st.interfaces.every((i) => i.authorized) ? 'present-at-start' : 'inserted';
      this.remember(st, arrival);
      (arrival === 'present-at-start' ? present : waiting).push(st.name);
    }
    // Decide the trusted devices first so the guard counts their keyboards.
    await Promise.all(present.map((n) => this.queue.schedule(n)));
    await Promise.all(waiting.map((n) => this.queue.schedule(n)));
  }

  private remember(st: LiveDevice, arrival: Arrival): DeviceRecord {
    const rec: DeviceRecord = { name: st.name, arrival, device: st.device, decision: null, outcomeKey: null, keyboard: false };
    this.devices.set(st.name, rec);
    this.opts.observe?.({ kind: 'inserted', name: st.name, device: st.device, arrival });
    return rec;
  }

  private forget(rec: DeviceRecord): void {
    this.devices.delete(rec.name);
    this.opts.observe?.({ kind: 'removed', name: rec.name, device: rec.device });
    if (rec.keyboard) {
      // A keyboard left: a keyboard held by the guard may now be the only one.
      for (const other of this.devices.values()) {
        if (other.decision?.interfaces.some((i) => i.rule === 'builtin.keystroke-guard')) void this.queue.schedule(other.name);
      }
    }
  }

  private async reconcile(name: string): Promise<void> {
    const policy = this.policy;
    if (!policy || !this.running) return;
    const st = await this.opts.sysfs.readDevice(name);
    let rec = this.devices.get(name);
    if (!st) {
      if (rec) this.forget(rec);
      return;
    }
    if (rec && !sameDevice(rec.device, st.device)) {
      this.forget(rec); // another device took the port between two events
      rec = undefined;
    }
    rec ??= this.remember(st, 'inserted');
    rec.device = st.device;
    const decision = decideDevice(policy, st.device, this.now(), { arrival: rec.arrival, otherKeyboards: this.keyboardsExcept(name) });
    // Recorded before any await, so a keyboard decided concurrently counts this one.
    rec.decision = decision;
    rec.keyboard = decision.interfaces.some((i) => i.action === 'allow' && isBootKeyboard(i));
    try {
      await this.enforce(st, decision);
    } catch (err) {
      if (!isGone(err)) throw err;
      void this.queue.schedule(name); // unplugged under our feet: the next pass records the removal
      return;
    }
    const key = outcomeKey(decision);
    if (key !== rec.outcomeKey) {
      rec.outcomeKey = key;
      this.opts.log.info('usb decision', { device: name, vid: st.device.vid, pid: st.device.pid, outcome: decision.outcome, rule: decision.rule });
      this.opts.observe?.({ kind: 'decided', name, device: st.device, decision });
    }
  }

  private async enforce(st: LiveDevice, d: DeviceDecision): Promise<void> {
    const sysfs = this.opts.sysfs;
    if (!d.authorizeDevice) {
      // Deconfiguring removes every interface and its driver in one step.
      if (st.authorized) await sysfs.setAuthorized(st.name, false);
      return;
    }
    if (!st.authorized) {
      await sysfs.setAuthorized(st.name, true);
      // The kernel creates the interfaces now (unauthorized, as interface_authorized_default
      // is 0); decide them in a fresh pass that sees what the kernel actually built.
      void this.queue.schedule(st.name);
      return;
    }
    for (const i of st.interfaces) {
      const allow = interfaceVerdict(d, i.config, i.number)?.action === 'allow';
      if (allow && !i.authorized) {
        await sysfs.setInterfaceAuthorized(i.name, true);
        try {
          await sysfs.probeDriver(i.name);
        } catch (err) {
          // A driver that fails its probe is the driver's problem; the decision stands.
          if (isGone(err)) throw err;
          this.opts.log.warn('driver probe failed', { interface: i.name, err });
        }
      } else if (!allow && i.authorized) {
        await sysfs.setInterfaceAuthorized(i.name, false);
      }
    }
  }

  private keyboardsExcept(name: string): number {
    let n = 0;
    for (const r of this.devices.values()) if (r.keyboard && r.name !== name) n++;
    return n;
  }

  /** Re-check when the next exception lapses, on this PC's own clock (no edge needed). */
  private scheduleExpiry(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    const policy = this.policy;
    if (!policy || !this.running || policy.exceptions.length === 0) return;
    const now = this.now();
    const next = nextExpiryAfter(policy, now);
    if (next === null) return;
    // Wake at least every recheckMs: a clock stepped forward by NTP or a resume from
    // suspend must not leave an expired exception in force for long.
    const delay = Math.min(Math.max(next - now + 1, 0), this.opts.recheckMs ?? 60_000);
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = null;
      this.recheckAll()
        .catch((err: unknown) => this.opts.log.error('expiry re-check failed', { err }))
        .finally(() => this.scheduleExpiry());
    }, delay);
    this.expiryTimer.unref();
  }
}

function sameDevice(a: UsbDevice, b: UsbDevice): boolean {
  return a.vid === b.vid && a.pid === b.pid && a.serial === b.serial;
}

function outcomeKey(d: DeviceDecision): string {
  return `${d.outcome}|${d.rule}|${d.interfaces.map((i) => `${i.config}.${i.number}.${i.alternate}:${i.action}:${i.rule}`).join(',')}`;
}
