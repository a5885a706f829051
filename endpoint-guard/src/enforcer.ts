import type { UsbPolicy } from '@campus/protocol/usb/policy';

/**
 * What enforces the policy on a PC. LinuxUsbGuard is the one that ships; a Windows
 * enforcer would execute windows/device-install-plan.ts plans behind the same interface.
 */
export interface UsbEnforcer {
  start(policy: UsbPolicy): Promise<void>;
  /** Enforces a new policy on every connected device; resolves with how many were re-checked. */
  applyPolicy(policy: UsbPolicy): Promise<number>;
  snapshot(): { present: number; blocked: number };
  stop(): Promise<void>;
}
