import { USB_POLICY_FORMAT, UsbPolicySchema, type UsbPolicy, type UsbPolicyInput } from '@campus/protocol/usb/policy';
import { SAMPLE_DEVICES } from '../../src/fake-kernel/sample-devices.js';

export function makePolicy(over: Partial<UsbPolicyInput> = {}): UsbPolicy {
  return UsbPolicySchema.parse({ format: USB_POLICY_FORMAT, version: 1, issuedAt: Date.now(), target: { scope: 'all' }, ...over });
}

export const teacherDriveRule = {
  id: 'wang-drive',
  action: 'allow' as const,
  match: { vid: SAMPLE_DEVICES.teacherDrive.vid, pid: SAMPLE_DEVICES.teacherDrive.pid, serial: SAMPLE_DEVICES.teacherDrive.serial },
};
