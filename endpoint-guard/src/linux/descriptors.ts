import type { UsbInterface } from '@campus/protocol/usb/device';

/**
 * Parser for the binary `descriptors` attribute of a USB device in sysfs: the 18-byte
 * device descriptor followed by every raw configuration descriptor the kernel read
 * (readable even while the device is unauthorized and has no interface directories).
 *
 * The bytes come from the device, so they are hostile input: a descriptor with bLength 0
 * would loop forever, a wTotalLength of 65535 would read past the buffer. The walk
 * always advances, stays inside the buffer and the configuration, and records every
 * structural problem instead of throwing; the guard blocks devices that have any.
 */
export const DESCRIPTOR_TYPE = { device: 0x01, configuration: 0x02, interface: 0x04 } as const;
export const MAX_DESCRIPTORS_BYTES = 256 * 1024;
const MAX_INTERFACES = 512;
const MAX_PROBLEMS = 16;

export interface DeviceDescriptor {
  bcdUSB: number;
  deviceClass: number;
  deviceSubClass: number;
  deviceProtocol: number;
  maxPacketSize0: number;
  vid: number;
  pid: number;
  bcdDevice: number;
  numConfigurations: number;
}

export interface ConfigurationDescriptor {
  value: number;
  numInterfaces: number;
  attributes: number;
  maxPowerUnits: number;
  interfaces: UsbInterface[];
}

export interface ParsedDescriptors {
  device: DeviceDescriptor | null;
  configurations: ConfigurationDescriptor[];
  /** Short codes: no-device-descriptor, zero-length, overrun, truncated, bad-total-length, stray-descriptor, too-many-interfaces, too-large. */
  problems: string[];
}

export function parseUsbDescriptors(bytes: Uint8Array): ParsedDescriptors {
  const problems: string[] = [];
  const problem = (p: string) => {
    if (problems.length < MAX_PROBLEMS && !problems.includes(p)) problems.push(p);
  };
  let buf = bytes;
  if (buf.length > MAX_DESCRIPTORS_BYTES) {
    problem('too-large');
    buf = buf.subarray(0, MAX_DESCRIPTORS_BYTES);
  }
  const u16 = (o: number) => buf[o]! | (buf[o + 1]! << 8);

  if (buf.length < 18 || buf[0]! < 18 || buf[1] !== DESCRIPTOR_TYPE.device) {
    problem('no-device-descriptor');
    return { device: null, configurations: [], problems };
  }
  const device: DeviceDescriptor = {
    bcdUSB: u16(2),
    deviceClass: buf[4]!,
    deviceSubClass: buf[5]!,
    deviceProtocol: buf[6]!,
    maxPacketSize0: buf[7]!,
    vid: u16(8),
    pid: u16(10),
    bcdDevice: u16(12),
    numConfigurations: buf[17]!,
  };

  const configurations: ConfigurationDescriptor[] = [];
  let interfaces = 0;
  let offset = buf[0]!;
  while (offset < buf.length) {
    const len = buf[offset]!;
    if (len < 2) {
      problem('zero-length');
      break;
    }
    if (offset + 1 >= buf.length || offset + len > buf.length) {
      problem('truncated');
      break;
    }
    if (buf[offset + 1] !== DESCRIPTOR_TYPE.configuration || len < 9) {
      problem('stray-descriptor');
      break;
    }
    const total = u16(offset + 2);
    if (total < len) {
      problem('bad-total-length');
      break;
    }
    let end = offset + total;
    if (end > buf.length) {
      problem('truncated');
      end = buf.length;
    }
    const config: ConfigurationDescriptor = {
      value: buf[offset + 5]!,
      numInterfaces: buf[offset + 4]!,
      attributes: buf[offset + 7]!,
      maxPowerUnits: buf[offset + 8]!,
      interfaces: [],
    };
    configurations.push(config);

    let p = offset + len;
    while (p < end) {
      const dl = buf[p]!;
      if (dl < 2) {
        problem('zero-length');
        // Nothing after a zero length can be located; the rest of the buffer is unusable.
        return { device, configurations, problems };
      }
      if (p + dl > end) {
        problem(end === buf.length ? 'truncated' : 'overrun');
        break;
      }
      const type = buf[p + 1]!;
      if (type === DESCRIPTOR_TYPE.configuration || type === DESCRIPTOR_TYPE.device) {
        problem('stray-descriptor');
        return { device, configurations, problems };
      }
      if (type === DESCRIPTOR_TYPE.interface) {
        if (dl < 9) problem('overrun');
        else if (++interfaces > MAX_INTERFACES) {
          problem('too-many-interfaces');
          return { device, configurations, problems };
        } else {
          config.interfaces.push({
            config: config.value,
            number: buf[p + 2]!,
            alternate: buf[p + 3]!,
            class: buf[p + 5]!,
            subClass: buf[p + 6]!,
            protocol: buf[p + 7]!,
          });
        }
      }
      p += dl;
    }
    offset = end;
  }
  if (configurations.length === 0) problem('no-configuration');
  return { device, configurations, problems };
}

/** Every interface of every configuration, the input to the decision. */
export function allInterfaces(parsed: ParsedDescriptors): UsbInterface[] {
  return parsed.configurations.flatMap((c) => c.interfaces);
}
