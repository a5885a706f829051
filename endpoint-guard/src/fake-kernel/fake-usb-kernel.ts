import { execFileSync } from 'node:child_process';
import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync, rmSync, symlinkSync, unlinkSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import type { UsbKernelAction, UsbKernelEventSource, UsbKernelListener } from '../linux/kernel-events.js';
import { buildDescriptors } from './descriptor-builder.js';

/**
 * A fake Linux USB stack in a directory, shaped like sysfs, for tests, benchmarks and
 * demos. It behaves like the kernel where the guard depends on it:
 *
 * - /sys/bus/usb/devices/<name> are symlinks into /sys/devices/pci0000:00/...; devices
 *   behind a hub live inside the hub's directory, interfaces inside their device's.
 * - A plugged device is authorized (configured, interfaces created, drivers bound) only
 *   if its root hub's authorized_default allows it; otherwise it waits with no
 *   interface directories, only its `descriptors`.
 * - Writing 1 to a device's `authorized` configures it: interface directories appear,
 *   authorized as interface_authorized_default says, drivers bound where authorized.
 *   Writing 0 unbinds and removes the interfaces (and disconnects devices behind a hub).
 * - Writing 0 to an interface's `authorized` unbinds its driver; writing 1 only marks it
 *   authorized — a driver binds when the interface is written to bus/usb/drivers_probe
 *   (a FIFO here, so that every write is one probe, as in the kernel).
 * - Writing 1 to a device's `remove` disconnects it.
 * - Every change is announced as a uevent (add/remove/bind/unbind) to listeners: the fake
 *   is itself a UsbKernelEventSource.
 *
 * Writes are noticed through inotify, so they are applied shortly after, not during, the
 * write() call; the guard is level-triggered and does not care. The fake's own file work
 * is synchronous: tiny files, and a flood test needs a thousand plugs a second. A process that writes
 * here (the agent in a child process, too) needs nothing but the path.
 */
export interface FakeInterfaceSpec {
  number: number;
  alternate?: number;
  class: number;
  subClass?: number;
  protocol?: number;
}

export interface FakeDeviceSpec {
  vid: string;
  pid: string;
  serial?: string;
  manufacturer?: string;
  product?: string;
  deviceClass?: number;
  /** Shorthand for one configuration (value 1) with these interfaces. */
  interfaces?: FakeInterfaceSpec[];
  configurations?: Array<{ value: number; interfaces: FakeInterfaceSpec[] }>;
  /** Raw `descriptors` bytes to expose instead of ones built from the spec (hostile devices). */
  rawDescriptors?: Uint8Array;
}

export interface FakeWrite {
  name: string;
  attribute: string;
  value: string;
  /** performance.now() when the fake applied the write. */
  at: number;
}

export interface FakeInterfaceView {
  name: string;
  number: number;
  class: number;
  authorized: boolean;
  driver: string | null;
}
export interface FakeDeviceView {
  name: string;
  authorized: boolean;
  interfaces: FakeInterfaceView[];
}

interface FakeInterface {
  name: string;
  dir: string;
  spec: FakeInterfaceSpec;
  authorized: boolean;
  driver: string | null;
  watcher: FSWatcher | null;
}

interface FakeDevice {
  name: string;
  bus: number;
  dir: string;
  spec: FakeDeviceSpec;
  authorized: boolean;
  interfaces: Map<string, FakeInterface>;
  watcher: FSWatcher | null;
}

interface RootHub {
  bus: number;
  dir: string;
  authorizedDefault: number;
  interfaceAuthorizedDefault: boolean;
  nextDevnum: number;
  watcher: FSWatcher | null;
}

const PCI = join('devices', 'pci0000:00');
const DRIVERS = ['usb', 'hub', 'usbhid', 'usb-storage', 'usblp', 'uvcvideo', 'snd-usb-audio', 'cdc_acm'] as const;
const DRIVER_BY_CLASS: Record<number, string> = { 0x01: 'snd-usb-audio', 0x02: 'cdc_acm', 0x03: 'usbhid', 0x07: 'usblp', 0x08: 'usb-storage', 0x09: 'hub', 0x0e: 'uvcvideo' };
const MAX_PORT = 127;

export class FakeUsbKernel implements UsbKernelEventSource {
  readonly devicesDir: string;
  readonly driversProbe: string;
  /** Every uevent emitted, in order (bounded). */
  readonly eventLog: Array<{ action: UsbKernelAction; name: string }> = [];
  private readonly hubs = new Map<number, RootHub>();
  private readonly devices = new Map<string, FakeDevice>();
  private readonly listeners = new Set<UsbKernelListener>();
  private readonly writeListeners = new Set<(w: FakeWrite) => void>();
  private chain: Promise<unknown> = Promise.resolve();
  private probeFd: number | null = null;
  private probeSocket: Socket | null = null;
  private closed = false;

  private constructor(
    readonly root: string,
    private readonly ownsRoot: boolean,
  ) {
    this.devicesDir = join(root, 'bus', 'usb', 'devices');
    this.driversProbe = join(root, 'bus', 'usb', 'drivers_probe');
  }

  /**
   * Boots a fake kernel with `buses` host controllers, authorized_default 1 (as after
   * boot). The tree goes to tmpfs (/dev/shm) when there is one: sysfs lives in memory
   * too, and on a VM disk each tiny file costs a fraction of a millisecond.
   */
  static async create(opts: { root?: string; buses?: number } = {}): Promise<FakeUsbKernel> {
    const root = opts.root ?? (await mkdtemp(join(memoryTmpdir(), 'fake-sysfs-')));
    const k = new FakeUsbKernel(root, opts.root === undefined);
    await k.boot(opts.buses ?? 2);
    return k;
  }

  // ---- UsbKernelEventSource -------------------------------------------------------------

  async start(listener: UsbKernelListener): Promise<void> {
    this.listeners.add(listener);
  }

  async stop(): Promise<void> {
    this.listeners.clear();
  }

  // ---- the outside world: plugging and unplugging ---------------------------------------

  /**
   * Plugs a device in at `at` ("1-3", or "1-1.2" behind the hub at 1-1), or at the first
   * free root port. Resolves with its kernel name once the kernel has finished with it.
   */
  plug(spec: FakeDeviceSpec, at?: string): Promise<string> {
    return this.run(() => this.addDevice(spec, at));
  }

  unplug(name: string): Promise<void> {
    return this.run(async () => {
      const dev = this.devices.get(name);
      if (dev) await this.removeDevice(dev);
    });
  }

  /** Resolves when every write noticed so far has been applied. */
  idle(): Promise<void> {
    return this.run(async () => {});
  }

  onWrite(listener: (w: FakeWrite) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /** The device as the tree shows it (files, not the fake's memory). Null once removed. */
  async inspect(name: string): Promise<FakeDeviceView | null> {
    const dir = join(this.devicesDir, name);
    let authorized: string;
    try {
      authorized = await readFile(join(dir, 'authorized'), 'utf8');
    } catch {
      return null;
    }
    const interfaces: FakeInterfaceView[] = [];
    for (const entry of await readdir(dir).catch(() => [] as string[])) {
      if (!entry.startsWith(`${name}:`)) continue;
      const idir = join(dir, entry);
      const [num, cls, auth, driver] = await Promise.all([
        readFile(join(idir, 'bInterfaceNumber'), 'utf8'),
        readFile(join(idir, 'bInterfaceClass'), 'utf8'),
        readFile(join(idir, 'authorized'), 'utf8'),
        readlink(join(idir, 'driver')).then(basename, () => null),
      ]).catch(() => [null, null, null, null] as const);
      if (num === null || cls === null || auth === null) continue;
      interfaces.push({ name: entry, number: parseInt(num, 16), class: parseInt(cls, 16), authorized: auth.trim() === '1', driver });
    }
    interfaces.sort((a, b) => a.number - b.number);
    return { name, authorized: authorized.trim() === '1', interfaces };
  }

  /** What the kernel has applied (not merely what is written in the file yet). */
  controllerState(bus = 1): { authorizedDefault: number; interfaceAuthorizedDefault: boolean } {
    const hub = this.hubs.get(bus);
    if (!hub) throw new Error(`fake kernel: no bus ${bus}`);
    return { authorizedDefault: hub.authorizedDefault, interfaceAuthorizedDefault: hub.interfaceAuthorizedDefault };
  }

  get buses(): number[] {
    return [...this.hubs.keys()];
  }

  async authorizedDefault(bus = 1): Promise<string> {
    return (await readFile(join(this.hubs.get(bus)!.dir, 'authorized_default'), 'utf8')).trim();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain.catch(() => {});
    for (const d of this.devices.values()) {
      d.watcher?.close();
      for (const i of d.interfaces.values()) i.watcher?.close();
    }
    for (const h of this.hubs.values()) h.watcher?.close();
    this.probeSocket?.destroy();
    if (this.probeFd !== null && !this.probeSocket) closeSync(this.probeFd);
    this.listeners.clear();
    if (this.ownsRoot) await rm(this.root, { recursive: true, force: true });
  }

  // ---- kernel internals --------------------------------------------------------------------

  private run<T>(op: () => Promise<T>): Promise<T> {
    const next = this.chain.then(op, op);
    this.chain = next.catch(() => {});
    return next;
  }

  private async boot(buses: number): Promise<void> {
    mkdirSync(this.devicesDir, { recursive: true });
    for (const d of DRIVERS) mkdirSync(join(this.root, 'bus', 'usb', 'drivers', d), { recursive: true });
    execFileSync('mkfifo', ['-m', '0200', this.driversProbe]);
    // O_RDWR keeps the FIFO open for writers without ever blocking or reading EOF.
    this.probeFd = openSync(this.driversProbe, constants.O_RDWR | constants.O_NONBLOCK);
    this.probeSocket = new Socket({ fd: this.probeFd, readable: true, writable: false });
    let pending = '';
    this.probeSocket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) void this.run(() => this.probe(line.trim()));
    });
    this.probeSocket.on('error', () => {});

    for (let bus = 1; bus <= buses; bus++) {
      const dir = join(this.root, PCI, `0000:00:14.${bus - 1}`, `usb${bus}`);
      mkdirSync(dir, { recursive: true });
      writeFiles(dir, {
        authorized: '1\n',
        authorized_default: '1\n',
        interface_authorized_default: '1\n',
        idVendor: '1d6b\n',
        idProduct: '0002\n',
        bDeviceClass: '09\n',
        bConfigurationValue: '1\n',
        busnum: `${bus}\n`,
        devnum: '1\n',
        devpath: '0\n',
        speed: '480\n',
        product: 'EHCI Host Controller\n',
        manufacturer: 'Linux fake-kernel ehci_hcd\n',
        serial: `0000:00:14.${bus - 1}\n`,
        descriptors: buildDescriptors({ vid: 0x1d6b, pid: 0x0002, deviceClass: 9, configurations: [{ value: 1, interfaces: [{ number: 0, class: 9 }] }] }),
      });
      symlinkSync(relative(this.devicesDir, dir), join(this.devicesDir, `usb${bus}`));
      const ifname = `${bus}-0:1.0`;
      const idir = join(dir, ifname);
      mkdirSync(idir);
      writeFiles(idir, { bInterfaceNumber: '00\n', bAlternateSetting: ' 0\n', bInterfaceClass: '09\n', bInterfaceSubClass: '00\n', bInterfaceProtocol: '00\n', authorized: '1\n' });
      symlinkSync(relative(idir, this.driverDir('hub')), join(idir, 'driver'));
      symlinkSync(relative(this.devicesDir, idir), join(this.devicesDir, ifname));
      const hub: RootHub = { bus, dir, authorizedDefault: 1, interfaceAuthorizedDefault: true, nextDevnum: 2, watcher: null };
      hub.watcher = this.watchDir(dir, (file) => {
        if (file === 'authorized_default' || file === 'interface_authorized_default') void this.run(() => this.onHubDefaultWrite(hub, file));
      });
      this.hubs.set(bus, hub);
    }
  }

  private async addDevice(spec: FakeDeviceSpec, at?: string): Promise<string> {
    const name = at ?? this.freeRootPort();
    if (this.devices.has(name)) throw new Error(`fake kernel: port ${name} is occupied`);
    const m = /^(\d+)-(\d+(?:\.\d+)*)$/.exec(name);
    if (!m) throw new Error(`fake kernel: bad port ${name}`);
    const bus = Number(m[1]);
    const hub = this.hubs.get(bus);
    if (!hub) throw new Error(`fake kernel: no bus ${bus}`);
    const parentName = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : null;
    const parent = parentName ? this.devices.get(parentName) : null;
    if (parentName && (!parent || !parent.authorized || parent.interfaces.size === 0)) {
      throw new Error(`fake kernel: ${name} needs a configured hub at ${parentName}`);
    }
    const dir = join(parent ? parent.dir : hub.dir, name);
    const devnum = hub.nextDevnum++;
    const configs = configurationsOf(spec);
    const descriptors =
      spec.rawDescriptors ??
      buildDescriptors({ vid: parseInt(spec.vid, 16), pid: parseInt(spec.pid, 16), deviceClass: spec.deviceClass ?? 0, configurations: configs });
    // Authorized at plug time unless the controller says wait (0) or internal-only (2: our ports are external).
    const authorized = hub.authorizedDefault === 1 || hub.authorizedDefault === -1;
    mkdirSync(dir);
    writeFiles(dir, {
      idVendor: `${spec.vid}\n`,
      idProduct: `${spec.pid}\n`,
      bcdDevice: '0100\n',
      bDeviceClass: `${hex2(spec.deviceClass ?? 0)}\n`,
      bDeviceSubClass: '00\n',
      bDeviceProtocol: '00\n',
      bNumConfigurations: `${configs.length}\n`,
      bConfigurationValue: '\n',
      bMaxPower: '100mA\n',
      busnum: `${bus}\n`,
      devnum: `${devnum}\n`,
      devpath: `${m[2]}\n`,
      speed: '480\n',
      version: ' 2.00\n',
      authorized: authorized ? '1\n' : '0\n',
      remove: '',
      descriptors,
      uevent: `MAJOR=189\nMINOR=${(bus - 1) * 128 + devnum - 1}\nDEVNAME=bus/usb/${pad3(bus)}/${pad3(devnum)}\nDEVTYPE=usb_device\nDRIVER=usb\nPRODUCT=${trimHex(spec.vid)}/${trimHex(spec.pid)}/100\nTYPE=${spec.deviceClass ?? 0}/0/0\nBUSNUM=${pad3(bus)}\nDEVNUM=${pad3(devnum)}\n`,
      ...(spec.serial !== undefined ? { serial: `${spec.serial}\n` } : {}),
      ...(spec.manufacturer !== undefined ? { manufacturer: `${spec.manufacturer}\n` } : {}),
      ...(spec.product !== undefined ? { product: `${spec.product}\n` } : {}),
    });
    const dev: FakeDevice = { name, bus, dir, spec, authorized, interfaces: new Map(), watcher: null };
    this.devices.set(name, dev);
    // Watch before the device becomes visible under bus/usb/devices: a fast agent in
    // another process may write `authorized` the moment it sees the link.
    dev.watcher = this.watchDir(dir, (file) => {
      if (file === 'authorized') void this.run(() => this.onDeviceAuthorizedWrite(dev));
      else if (file === 'remove') void this.run(() => this.onRemoveWrite(dev));
    });
    symlinkSync(relative(this.devicesDir, dir), join(this.devicesDir, name));
    this.emit('add', name);
    if (authorized) await this.configure(dev);
    return name;
  }

  private async configure(dev: FakeDevice): Promise<void> {
    const hub = this.hubs.get(dev.bus)!;
    const config = configurationsOf(dev.spec)[0];
    if (!config) return;
    writeFileSync(join(dev.dir, 'bConfigurationValue'), `${config.value}\n`);
    // One directory per interface number, showing alternate setting 0 (the kernel's choice).
    const seen = new Set<number>();
    const toBind: FakeInterface[] = [];
    for (const spec of config.interfaces) {
      if (seen.has(spec.number) || (spec.alternate ?? 0) !== 0) continue;
      seen.add(spec.number);
      const name = `${dev.name}:${config.value}.${spec.number}`;
      const dir = join(dev.dir, name);
      const iface: FakeInterface = { name, dir, spec, authorized: hub.interfaceAuthorizedDefault, driver: null, watcher: null };
      mkdirSync(dir);
      writeFiles(dir, {
        bInterfaceNumber: `${hex2(spec.number)}\n`,
        bAlternateSetting: ` ${spec.alternate ?? 0}\n`,
        bInterfaceClass: `${hex2(spec.class)}\n`,
        bInterfaceSubClass: `${hex2(spec.subClass ?? 0)}\n`,
        bInterfaceProtocol: `${hex2(spec.protocol ?? 0)}\n`,
        bNumEndpoints: '01\n',
        authorized: iface.authorized ? '1\n' : '0\n',
        modalias: `usb:v${dev.spec.vid.toUpperCase()}p${dev.spec.pid.toUpperCase()}d0100dc00dsc00dp00ic${hex2(spec.class).toUpperCase()}isc${hex2(spec.subClass ?? 0).toUpperCase()}ip${hex2(spec.protocol ?? 0).toUpperCase()}in${hex2(spec.number).toUpperCase()}\n`,
        uevent: `DEVTYPE=usb_interface\nPRODUCT=${trimHex(dev.spec.vid)}/${trimHex(dev.spec.pid)}/100\nINTERFACE=${spec.class}/${spec.subClass ?? 0}/${spec.protocol ?? 0}\n`,
      });
      iface.watcher = this.watchDir(dir, (file) => {
        if (file === 'authorized') void this.run(() => this.onInterfaceAuthorizedWrite(dev, iface));
      });
      symlinkSync(relative(this.devicesDir, dir), join(this.devicesDir, name));
      dev.interfaces.set(name, iface);
      this.emit('add', name);
      if (iface.authorized) toBind.push(iface);
    }
    for (const iface of toBind) await this.bind(iface);
    this.emit('bind', dev.name);
  }

  private async deconfigure(dev: FakeDevice): Promise<void> {
    for (const child of [...this.devices.values()].filter((d) => d.name.startsWith(`${dev.name}.`))) await this.removeDevice(child);
    for (const iface of [...dev.interfaces.values()].reverse()) {
      if (iface.driver) await this.unbind(iface);
      iface.watcher?.close();
      quietly(() => unlinkSync(join(this.devicesDir, iface.name)));
      rmSync(iface.dir, { recursive: true, force: true });
      dev.interfaces.delete(iface.name);
      this.emit('remove', iface.name);
    }
    quietly(() => writeFileSync(join(dev.dir, 'bConfigurationValue'), '\n'));
  }

  private async removeDevice(dev: FakeDevice): Promise<void> {
    if (!this.devices.has(dev.name)) return;
    await this.deconfigure(dev);
    dev.watcher?.close();
    this.devices.delete(dev.name);
    quietly(() => unlinkSync(join(this.devicesDir, dev.name)));
    rmSync(dev.dir, { recursive: true, force: true });
    this.emit('remove', dev.name);
  }

  private async bind(iface: FakeInterface): Promise<void> {
    const driver = DRIVER_BY_CLASS[iface.spec.class];
    if (!driver || iface.driver) return; // no driver claims it (e.g. vendor-specific)
    symlinkSync(relative(iface.dir, this.driverDir(driver)), join(iface.dir, 'driver'));
    iface.driver = driver;
    this.emit('bind', iface.name);
  }

  private async unbind(iface: FakeInterface): Promise<void> {
    quietly(() => unlinkSync(join(iface.dir, 'driver')));
    iface.driver = null;
    this.emit('unbind', iface.name);
  }

  private async onDeviceAuthorizedWrite(dev: FakeDevice): Promise<void> {
    if (!this.devices.has(dev.name)) return;
    const value = await this.readWritten(join(dev.dir, 'authorized'), dev.authorized);
    if (value === null) return;
    this.notifyWrite(dev.name, 'authorized', value ? '1' : '0');
    if (value === dev.authorized) return;
    dev.authorized = value;
    if (value) await this.configure(dev);
    else await this.deconfigure(dev);
    this.emit('change', dev.name);
  }

  private async onInterfaceAuthorizedWrite(dev: FakeDevice, iface: FakeInterface): Promise<void> {
    if (dev.interfaces.get(iface.name) !== iface) return;
    const value = await this.readWritten(join(iface.dir, 'authorized'), iface.authorized);
    if (value === null) return;
    this.notifyWrite(iface.name, 'authorized', value ? '1' : '0');
    iface.authorized = value;
    // Deauthorizing always unbinds; authorizing does not bind (drivers_probe does).
    if (!value && iface.driver) await this.unbind(iface);
  }

  private async onRemoveWrite(dev: FakeDevice): Promise<void> {
    const raw = quietly(() => readFileSync(join(dev.dir, 'remove'), 'utf8')) ?? '';
    if (parseBool(raw) !== true) return;
    this.notifyWrite(dev.name, 'remove', '1');
    await this.removeDevice(dev);
  }

  private async probe(name: string): Promise<void> {
    this.notifyWrite(name, 'drivers_probe', name);
    for (const dev of this.devices.values()) {
      const iface = dev.interfaces.get(name);
      if (iface && dev.authorized && iface.authorized) await this.bind(iface);
    }
  }

  private async onHubDefaultWrite(hub: RootHub, file: 'authorized_default' | 'interface_authorized_default'): Promise<void> {
    const path = join(hub.dir, file);
    const raw = (quietly(() => readFileSync(path, 'utf8')) ?? '').trim();
    if (raw === '') return;
    if (file === 'authorized_default') {
      if (/^(-1|0|1|2)$/.test(raw)) hub.authorizedDefault = Number(raw);
      else return void writeFileSync(path, `${hub.authorizedDefault}\n`); // -EINVAL: value kept
    } else {
      const v = parseBool(raw);
      if (v !== null) hub.interfaceAuthorizedDefault = v;
      else return void writeFileSync(path, hub.interfaceAuthorizedDefault ? '1\n' : '0\n');
    }
    this.notifyWrite(`usb${hub.bus}`, file, raw);
  }

  /** Reads a boolean attribute after a write; an invalid value is refused (restored), like -EINVAL. */
  private async readWritten(path: string, current: boolean): Promise<boolean | null> {
    const raw = quietly(() => readFileSync(path, 'utf8'));
    if (raw === undefined || raw.trim() === '') return null; // the truncate half of a write
    const v = parseBool(raw);
    if (v === null) quietly(() => writeFileSync(path, current ? '1\n' : '0\n'));
    return v;
  }

  private watchDir(dir: string, onChange: (file: string) => void): FSWatcher {
    const w = watch(dir, (type, file) => {
      if (type === 'change' && file && !this.closed) onChange(file.toString());
    });
    w.on('error', () => {});
    return w;
  }

  private freeRootPort(): string {
    for (const bus of this.hubs.keys()) {
      for (let p = 1; p <= MAX_PORT; p++) if (!this.devices.has(`${bus}-${p}`)) return `${bus}-${p}`;
    }
    throw new Error('fake kernel: all root ports are occupied');
  }

  private driverDir(driver: string): string {
    return join(this.root, 'bus', 'usb', 'drivers', driver);
  }

  private emit(action: UsbKernelAction, name: string): void {
    this.eventLog.push({ action, name });
    if (this.eventLog.length > 20_000) this.eventLog.splice(0, 10_000);
    const receivedAt = performance.now();
    for (const l of this.listeners) l({ action, name, receivedAt });
  }

  private notifyWrite(name: string, attribute: string, value: string): void {
    const at = performance.now();
    for (const l of this.writeListeners) l({ name, attribute, value, at });
  }
}

function memoryTmpdir(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

function configurationsOf(spec: FakeDeviceSpec): Array<{ value: number; interfaces: FakeInterfaceSpec[] }> {
  return spec.configurations ?? [{ value: 1, interfaces: spec.interfaces ?? [] }];
}

function writeFiles(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}

/** Runs a file operation whose failure means "already gone". */
function quietly<T>(op: () => T): T | undefined {
  try {
    return op();
  } catch {
    return undefined;
  }
}

/** The kernel's kstrtobool: 1/y/on and 0/n/off, case-insensitive. */
function parseBool(raw: string): boolean | null {
  const t = raw.trim().toLowerCase();
  if (t === '1' || t === 'y' || t === 'yes' || t === 'on') return true;
  if (t === '0' || t === 'n' || t === 'no' || t === 'off') return false;
  return null;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
function pad3(n: number): string {
  return String(n).padStart(3, '0');
}
function trimHex(h: string): string {
  return parseInt(h, 16).toString(16);
}

