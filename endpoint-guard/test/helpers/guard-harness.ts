import type { DeviceDecision } from '@campus/protocol/usb/decide';
import type { UsbPolicy } from '@campus/protocol/usb/policy';
import { FakeUsbKernel, type FakeDeviceView } from '../../src/fake-kernel/fake-usb-kernel.js';
import { LinuxUsbGuard, type GuardObservation } from '../../src/linux/linux-usb-guard.js';
import { SysfsUsb } from '../../src/linux/sysfs-usb.js';
import { silentLogger } from '../../src/log/logger.js';
import { waitFor } from './wait.js';

/** A guard running in-process against a fresh fake kernel. */
export class GuardHarness {
  readonly observations: GuardObservation[] = [];
  guard!: LinuxUsbGuard;

  private constructor(readonly kernel: FakeUsbKernel) {}

  static async create(buses = 2): Promise<GuardHarness> {
    return new GuardHarness(await FakeUsbKernel.create({ buses }));
  }

  async start(policy: UsbPolicy, opts: { now?: () => number; recheckMs?: number } = {}): Promise<void> {
    this.guard = new LinuxUsbGuard({
      sysfs: new SysfsUsb(this.kernel.root),
      events: this.kernel,
      log: silentLogger,
      observe: (o) => this.observations.push(o),
      ...opts,
    });
    await this.guard.start(policy);
    await this.controllersLocked(!policy.killSwitch);
  }

  /** Waits until the fake kernel has applied the guard's authorized_default writes. */
  async controllersLocked(locked = true): Promise<void> {
    await waitFor(
      () => this.kernel.buses.every((b) => {
        const s = this.kernel.controllerState(b);
        return locked ? s.authorizedDefault === 0 && !s.interfaceAuthorizedDefault : s.authorizedDefault === 1 && s.interfaceAuthorizedDefault;
      }),
      `controllers ${locked ? 'locked' : 'open'}`,
    );
  }

  /** The latest decision the guard reported for a device, once there is one matching `pred`. */
  async decision(name: string, pred: (d: DeviceDecision) => boolean = () => true): Promise<DeviceDecision> {
    return waitFor(() => {
      for (let i = this.observations.length - 1; i >= 0; i--) {
        const o = this.observations[i]!;
        if (o.kind === 'decided' && o.name === name) return pred(o.decision) ? o.decision : null;
      }
      return null;
    }, `a decision for ${name}`);
  }

  /** Waits until the kernel tree shows the device in the expected state. */
  async state(name: string, expected: ExpectedState): Promise<FakeDeviceView> {
    return waitFor(async () => {
      const v = await this.kernel.inspect(name);
      return v && matchesState(v, expected) ? v : null;
    }, `${name} to be ${JSON.stringify(expected)}`);
  }

  async close(): Promise<void> {
    await this.guard?.stop();
    await this.kernel.close();
  }
}

/** authorized: the device is configured; interfaces: per interface number, bound to a driver or not. */
export interface ExpectedState {
  authorized: boolean;
  interfaces?: Record<number, 'bound' | 'refused'>;
}

export function matchesState(v: FakeDeviceView, e: ExpectedState): boolean {
  if (v.authorized !== e.authorized) return false;
  if (!e.authorized) return v.interfaces.length === 0;
  for (const [num, want] of Object.entries(e.interfaces ?? {})) {
    const i = v.interfaces.find((x) => x.number === Number(num));
    if (!i) return false;
    if (want === 'bound' && !(i.authorized && i.driver)) return false;
    if (want === 'refused' && (i.authorized || i.driver)) return false;
  }
  return true;
}
