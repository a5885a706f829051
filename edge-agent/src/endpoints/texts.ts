import type { UsbDeviceIdentity } from '@campus/protocol/usb/device';

/**
 * Language-neutral fragments that go into event texts as parameters: the same string
 * reads right in the Chinese and the English sentence around it.
 */
export function deviceText(d: Pick<UsbDeviceIdentity, 'vid' | 'pid' | 'serial' | 'port' | 'product'>): string {
  const name = d.product ? ` ${d.product}` : '';
  const where = d.serial ? ` #${d.serial}` : ` @${d.port}`;
  return `${d.vid}:${d.pid}${name}${where}`;
}

/** "2026-11-28 17:45" in the edge's local time zone (the school's). */
export function localMinute(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
