/**
 * Kernel names of USB objects under /sys/bus/usb/devices:
 *   usb1         a root hub (one per host controller): carries authorized_default
 *   1-1.2        a device: bus 1, port 1, then port 2 of the hub on it
 *   1-1.2:1.0    interface 0 of configuration 1 of that device
 *   1-0:1.0      the root hub's own interface
 */
export const ROOT_HUB_RE = /^usb(\d{1,3})$/;
export const DEVICE_RE = /^(\d{1,3})-[1-9]\d{0,2}(?:\.\d{1,3}){0,6}$/;
export const INTERFACE_RE = /^((\d{1,3})-\d{1,3}(?:\.\d{1,3}){0,6}):(\d{1,3})\.(\d{1,3})$/;

export type UsbNameKind = 'root-hub' | 'device' | 'interface' | 'other';

export function classifyName(name: string): UsbNameKind {
  if (ROOT_HUB_RE.test(name)) return 'root-hub';
  if (DEVICE_RE.test(name)) return 'device';
  if (INTERFACE_RE.test(name)) return 'interface';
  return 'other';
}

/** The device an object belongs to: itself for a device, the parent for an interface. */
export function deviceNameOf(name: string): string | null {
  if (DEVICE_RE.test(name)) return name;
  const m = INTERFACE_RE.exec(name);
  // "1-0:1.0" is the root hub's own interface: it belongs to no device.
  return m && DEVICE_RE.test(m[1]!) ? m[1]! : null;
}

export function parseInterfaceName(name: string): { device: string; config: number; number: number } | null {
  const m = INTERFACE_RE.exec(name);
  return m ? { device: m[1]!, config: Number(m[3]), number: Number(m[4]) } : null;
}
