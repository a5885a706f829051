import type { UsbDevice, UsbInterface } from '@campus/protocol/usb/device';
import { USB_POLICY_FORMAT, UsbPolicySchema, type UsbPolicy, type UsbPolicyInput } from '@campus/protocol/usb/policy';

export const T0 = Date.UTC(2025, 8, 1, 8, 0, 0);

export function policy(over: Partial<UsbPolicyInput> = {}): UsbPolicy {
  return UsbPolicySchema.parse({ format: USB_POLICY_FORMAT, version: 1, issuedAt: T0, target: { scope: 'all' }, ...over });
}

export function iface(cls: number, sub = 0, proto = 0, number = 0, alternate = 0): UsbInterface {
  return { config: 1, number, alternate, class: cls, subClass: sub, protocol: proto };
}

export function device(over: Partial<UsbDevice> = {}): UsbDevice {
  return { vid: '0781', pid: '5567', serial: 'TEACHER-0001', port: '1-2', manufacturer: 'SanDisk', product: 'Cruzer', interfaces: [iface(8, 6, 0x50)], problems: [], ...over };
}

export const KEYBOARD = iface(3, 1, 1);
export const MOUSE = iface(3, 1, 2);
export const STORAGE = iface(8, 6, 0x50);
