import { statSync } from 'node:fs';
import { join } from 'node:path';
import { USB_CLASS } from '@campus/protocol/usb/classes';
import type { UsbDevice } from '@campus/protocol/usb/device';
import type { SysfsUsb } from '../linux/sysfs-usb.js';

/**
 * The USB devices the guard is holding back right now, read straight from sysfs (which
 * every user may read), so `campus-guard request` needs neither root nor the agent.
 * Blocked: the device is not authorized, or one of its interfaces is not (the storage
 * half of a keyboard+disk stick).
 */
export interface BlockedDevice {
  port: string;
  device: UsbDevice;
  massStorage: boolean;
  /** When the device appeared (its sysfs directory's change time). */
  seenAt: number;
}

export async function listBlockedDevices(sysfs: SysfsUsb): Promise<BlockedDevice[]> {
  const out: BlockedDevice[] = [];
  for (const name of await sysfs.listDevices()) {
    const live = await sysfs.readDevice(name);
    if (!live) continue;
    if (live.authorized && live.interfaces.every((i) => i.authorized)) continue;
    let seenAt = 0;
    try {
      seenAt = statSync(join(sysfs.devicesDir, name)).ctimeMs;
    } catch {
      continue; // unplugged while we looked
    }
    out.push({ port: name, device: live.device, massStorage: live.device.interfaces.some((i) => i.class === USB_CLASS.massStorage), seenAt });
  }
  return out.sort((a, b) => b.seenAt - a.seenAt);
}

/** The device to ask for when the teacher named none: the one blocked drive, else null. */
export function pickDevice(blocked: BlockedDevice[]): BlockedDevice | null {
  const drives = blocked.filter((b) => b.massStorage);
  if (drives.length === 1) return drives[0]!;
  if (drives.length === 0 && blocked.length === 1) return blocked[0]!;
  return null;
}

export function describeDevice(d: Pick<UsbDevice, 'vid' | 'pid' | 'serial' | 'product' | 'manufacturer'>, port?: string): string {
  const name = [d.manufacturer, d.product].filter(Boolean).join(' ') || 'USB';
  return `${name} ${d.vid}:${d.pid}${d.serial ? `:${d.serial}` : ''}${port ? ` @${port}` : ''}`;
}
