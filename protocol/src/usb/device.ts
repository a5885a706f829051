import { z } from 'zod';

/**
 * What the guard knows about one USB device, whatever the operating system: identity
 * from the device itself (vid, pid, serial — all can be forged by a hostile device, so
 * rules should combine them) plus where it is plugged (port) and its interfaces.
 */
export const HEX4_RE = /^[0-9a-f]{4}$/;
/** Linux port path "bus-port[.port...]" (e.g. 1-1.2), the name of the device in sysfs. */
export const PORT_RE = /^\d{1,3}-\d{1,3}(\.\d{1,3}){0,6}$/;

export const Hex4Schema = z
  .string()
  .regex(/^[0-9a-fA-F]{4}$/, 'four hex digits, e.g. 0781')
  .transform((s) => s.toLowerCase());

export const UsbInterfaceSchema = z.strictObject({
  /** bConfigurationValue of the configuration the interface belongs to. */
  config: z.number().int().min(0).max(255),
  number: z.number().int().min(0).max(255),
  alternate: z.number().int().min(0).max(255),
  class: z.number().int().min(0).max(255),
  subClass: z.number().int().min(0).max(255),
  protocol: z.number().int().min(0).max(255),
});
export type UsbInterface = z.infer<typeof UsbInterfaceSchema>;

export const UsbDeviceSchema = z.strictObject({
  vid: z.string().regex(HEX4_RE),
  pid: z.string().regex(HEX4_RE),
  serial: z.string().max(128).nullable(),
  port: z.string().max(64),
  manufacturer: z.string().max(128).nullable(),
  product: z.string().max(128).nullable(),
  interfaces: z.array(UsbInterfaceSchema).max(512),
  /** Structural problems found in the device's descriptors; non-empty means "do not trust". */
  problems: z.array(z.string().max(96)).max(32),
});
export type UsbDevice = z.infer<typeof UsbDeviceSchema>;

/** The identity carried in events and requests (no interface detail). */
export const UsbDeviceIdentitySchema = z.strictObject({
  vid: z.string().regex(HEX4_RE),
  pid: z.string().regex(HEX4_RE),
  serial: z.string().max(128).nullable(),
  port: z.string().max(64),
  manufacturer: z.string().max(128).nullable(),
  product: z.string().max(128).nullable(),
  interfaceClasses: z.array(z.number().int().min(0).max(255)).max(64),
});
export type UsbDeviceIdentity = z.infer<typeof UsbDeviceIdentitySchema>;

export function identityOf(d: UsbDevice): UsbDeviceIdentity {
  return {
    vid: d.vid,
    pid: d.pid,
    serial: d.serial,
    port: d.port,
    manufacturer: d.manufacturer,
    product: d.product,
    interfaceClasses: [...new Set(d.interfaces.map((i) => i.class))].sort((a, b) => a - b),
  };
}

/**
 * Strings that come from a device (serial, product, manufacturer) are attacker-controlled:
 * strip control characters and cap the length before they reach logs, MQTT or the panel.
 */
export function cleanDeviceString(raw: string | null | undefined, max = 128): string | null {
  if (raw === null || raw === undefined) return null;
  // eslint-disable-next-line no-control-regex
  const s = raw.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, max);
  return s.length ? s : null;
}
