import { closeSync, constants, openSync, readdirSync, readFileSync, readlinkSync, readSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cleanDeviceString, HEX4_RE, type UsbDevice, type UsbInterface } from '@campus/protocol/usb/device';
import { allInterfaces, MAX_DESCRIPTORS_BYTES, parseUsbDescriptors } from './descriptors.js';
import { classifyName, deviceNameOf, parseInterfaceName } from './sysfs-names.js';

/**
 * Reads and writes the kernel's USB authorization attributes under a configurable
 * sysfs root ("/sys" on a PC, a temp dir holding the fake kernel in tests). All paths go
 * through /sys/bus/usb/devices/<name>, which the kernel provides as symlinks to the
 * device tree, so the same code works on both.
 *
 * File access is synchronous on purpose. Reads: sysfs attributes live in kernel memory
 * (descriptors are cached at enumeration, nothing goes to the device), so a read costs
 * microseconds, while a hop through libuv's thread pool per attribute costs more than
 * the read and queues behind other work. Writes: writing `authorized` makes the kernel
 * configure the device, usually a few milliseconds; three thread-pool hops
 * (open/write/close) would add more than that on a busy PC. The price: a device that
 * answers its SET_CONFIGURATION slowly (the kernel gives up after 5 s) pauses the agent
 * that long — while every other new device keeps waiting unauthorized, so it fails safe.
 */
export interface LiveInterface extends UsbInterface {
  name: string;
  authorized: boolean;
  driver: string | null;
}

export interface LiveDevice {
  name: string;
  authorized: boolean;
  /** bConfigurationValue: null while unconfigured (unauthorized devices are). */
  configValue: number | null;
  /** Identity and interfaces as the decision sees them: descriptors plus live interfaces. */
  device: UsbDevice;
  interfaces: LiveInterface[];
}

export class SysfsUsb {
  readonly devicesDir: string;
  readonly driversProbe: string;

  constructor(readonly root: string) {
    this.devicesDir = join(root, 'bus', 'usb', 'devices');
    this.driversProbe = join(root, 'bus', 'usb', 'drivers_probe');
  }

  async listNames(): Promise<string[]> {
    try {
      return readdirSync(this.devicesDir);
    } catch (e) {
      if (isGone(e)) return [];
      throw e;
    }
  }

  async listControllers(): Promise<string[]> {
    return (await this.listNames()).filter((n) => classifyName(n) === 'root-hub').sort(byName);
  }

  async listDevices(): Promise<string[]> {
    return (await this.listNames()).filter((n) => classifyName(n) === 'device').sort(byName);
  }

  /** The device's current state, or null if it is gone (unplugged while we read). */
  async readDevice(name: string): Promise<LiveDevice | null> {
    if (classifyName(name) !== 'device') throw new Error(`not a USB device name: ${name}`);
    const dir = join(this.devicesDir, name);
    try {
      const vidRaw = readText(join(dir, 'idVendor'));
      const pidRaw = readText(join(dir, 'idProduct'));
      const authorizedRaw = readText(join(dir, 'authorized'));
      const configRaw = readOptional(join(dir, 'bConfigurationValue'));
      const serial = readOptional(join(dir, 'serial'));
      const manufacturer = readOptional(join(dir, 'manufacturer'));
      const product = readOptional(join(dir, 'product'));
      const descriptors = readBinary(join(dir, 'descriptors'));
      const parsed = parseUsbDescriptors(descriptors);
      const problems = [...parsed.problems];
      const vid = vidRaw.trim().toLowerCase();
      const pid = pidRaw.trim().toLowerCase();
      if (!HEX4_RE.test(vid) || !HEX4_RE.test(pid)) problems.push('bad-id');
      const live = readdirSync(dir)
        .filter((e) => parseInterfaceName(e)?.device === name)
        .map((e) => this.readInterface(join(dir, e), e))
        .filter((i): i is LiveInterface => i !== null)
        .sort((a, b) => a.number - b.number);
      const configValue = /^\d+$/.test(configRaw?.trim() ?? '') ? Number(configRaw!.trim()) : null;
      return {
        name,
        authorized: authorizedRaw.trim() !== '0',
        configValue,
        interfaces: live,
        device: {
          vid: HEX4_RE.test(vid) ? vid : '0000',
          pid: HEX4_RE.test(pid) ? pid : '0000',
          serial: cleanDeviceString(serial),
          manufacturer: cleanDeviceString(manufacturer),
          product: cleanDeviceString(product),
          port: name,
          interfaces: mergeInterfaces(allInterfaces(parsed), live),
          problems,
        },
      };
    } catch (e) {
      if (isGone(e)) return null;
      throw e;
    }
  }

  private readInterface(dir: string, name: string): LiveInterface | null {
    const id = parseInterfaceName(name)!;
    try {
      let driver: string | null = null;
      try {
        driver = basename(readlinkSync(join(dir, 'driver')));
      } catch {
        driver = null; // no driver bound
      }
      const authorized = readOptional(join(dir, 'authorized'));
      return {
        name,
        config: id.config,
        number: byte(readText(join(dir, 'bInterfaceNumber')), 16) ?? id.number,
        alternate: byte(readText(join(dir, 'bAlternateSetting')), 10) ?? 0,
        class: byte(readText(join(dir, 'bInterfaceClass')), 16) ?? 0xff,
        subClass: byte(readText(join(dir, 'bInterfaceSubClass')), 16) ?? 0xff,
        protocol: byte(readText(join(dir, 'bInterfaceProtocol')), 16) ?? 0xff,
        authorized: authorized === null ? true : authorized.trim() !== '0',
        driver,
      };
    } catch (e) {
      if (isGone(e)) return null;
      throw e;
    }
  }

  setAuthorized(name: string, on: boolean): Promise<void> {
    return writeAttribute(join(this.devicesDir, name, 'authorized'), on ? '1' : '0');
  }

  setInterfaceAuthorized(interfaceName: string, on: boolean): Promise<void> {
    const device = deviceNameOf(interfaceName);
    if (!device || device === interfaceName) throw new Error(`not an interface name: ${interfaceName}`);
    return writeAttribute(join(this.devicesDir, device, interfaceName, 'authorized'), on ? '1' : '0');
  }

  /** Asks the kernel to bind a driver to an interface we just authorized. */
  probeDriver(interfaceName: string): Promise<void> {
    return writeAttribute(this.driversProbe, `${interfaceName}\n`);
  }

  /**
   * authorized_default 0: new devices stay unconfigured until we authorize them;
   * interface_authorized_default 0: interfaces of a device we authorize get no driver
   * until we authorize each one — this is what lets a keyboard+disk stick keep its
   * keyboard while the disk never binds.
   */
  async setControllerDefaults(controller: string, allow: boolean): Promise<{ interfaceDefault: boolean }> {
    const dir = join(this.devicesDir, controller);
    await writeAttribute(join(dir, 'authorized_default'), allow ? '1' : '0');
    try {
      await writeAttribute(join(dir, 'interface_authorized_default'), allow ? '1' : '0');
      return { interfaceDefault: true };
    } catch (e) {
      if (isGone(e)) return { interfaceDefault: false }; // kernels before 4.4 lack it
      throw e;
    }
  }

}

/**
 * Interfaces the decision must cover: every alternate of every configuration from the
 * descriptors, plus what the kernel actually created (in case the two disagree).
 */
function mergeInterfaces(fromDescriptors: UsbInterface[], live: LiveInterface[]): UsbInterface[] {
  const key = (i: UsbInterface) => `${i.config}.${i.number}.${i.alternate}.${i.class}.${i.subClass}.${i.protocol}`;
  const out = new Map<string, UsbInterface>();
  for (const i of fromDescriptors) out.set(key(i), i);
  for (const l of live) {
    const i: UsbInterface = { config: l.config, number: l.number, alternate: l.alternate, class: l.class, subClass: l.subClass, protocol: l.protocol };
    if (!out.has(key(i))) out.set(key(i), i);
  }
  return [...out.values()];
}

/** Writes a sysfs attribute without O_CREAT: a vanished device must fail, not leave a stray file. */
export async function writeAttribute(path: string, value: string): Promise<void> {
  const fd = openSync(path, constants.O_WRONLY | constants.O_TRUNC);
  try {
    writeSync(fd, value);
  } finally {
    closeSync(fd);
  }
}

function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

function readOptional(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function readBinary(path: string): Uint8Array {
  const fd = openSync(path, constants.O_RDONLY);
  try {
    // A sysfs file reports size 4096 whatever it holds: read until EOF, within a bound.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(8192);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > MAX_DESCRIPTORS_BYTES) break; // the parser reports too-large
    }
    return Buffer.concat(chunks);
  } finally {
    closeSync(fd);
  }
}

function byte(text: string, radix: number): number | null {
  const t = text.trim();
  if (!(radix === 16 ? /^[0-9a-fA-F]{1,2}$/ : /^\d{1,3}$/).test(t)) return null;
  const n = parseInt(t, radix);
  return n <= 255 ? n : null;
}

/** The device (or attribute) disappeared: unplugged while we looked. */
export function isGone(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENODEV' || code === 'ENOTDIR';
}

function byName(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
