import { lstat, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeUsbKernel } from '../../src/fake-kernel/fake-usb-kernel.js';
import { SAMPLE_DEVICES } from '../../src/fake-kernel/sample-devices.js';
import { parseUsbDescriptors } from '../../src/linux/descriptors.js';
import type { UsbKernelEvent } from '../../src/linux/kernel-events.js';
import { waitFor } from '../helpers/wait.js';

let kernel: FakeUsbKernel;
let events: UsbKernelEvent[];

beforeEach(async () => {
  kernel = await FakeUsbKernel.create({ buses: 2 });
  events = [];
  await kernel.start((e) => events.push(e));
});
afterEach(async () => {
  await kernel.close();
});

const dev = (name: string) => join(kernel.devicesDir, name);
const write = (path: string, v: string) => writeFile(path, v);

/** Writes an attribute and waits until the fake kernel has applied it (inotify is asynchronous). */
async function writeApplied(name: string, attribute: string, value: string): Promise<void> {
  let seen = false;
  const off = kernel.onWrite((w) => {
    if (w.name === name && w.attribute === attribute && w.value === value) seen = true;
  });
  try {
    await writeFile(join(dev(name), attribute), value);
    await waitFor(() => seen, `${name}/${attribute}=${value} applied`);
  } finally {
    off();
  }
}

describe('fake kernel tree', () => {
  it('boots with root hubs that authorize new devices, like a kernel after boot', async () => {
    expect(await kernel.authorizedDefault(1)).toBe('1');
    expect(await readFile(join(dev('usb2'), 'interface_authorized_default'), 'utf8')).toBe('1\n');
    expect((await lstat(dev('usb1'))).isSymbolicLink()).toBe(true);
    expect(await readlink(dev('usb1'))).toBe('../../../devices/pci0000:00/0000:00:14.0/usb1');
  });

  it('configures a device plugged while authorized_default is 1: interfaces, drivers, events', async () => {
    const name = await kernel.plug(SAMPLE_DEVICES.teacherDrive, '1-2');
    expect(name).toBe('1-2');
    expect(await readFile(join(dev(name), 'idVendor'), 'utf8')).toBe('0781\n');
    expect(await readFile(join(dev(name), 'serial'), 'utf8')).toBe('4C530001230101104512\n');
    expect(await readFile(join(dev(name), 'bConfigurationValue'), 'utf8')).toBe('1\n');
    expect(await kernel.inspect(name)).toEqual({
      name,
      authorized: true,
      interfaces: [{ name: '1-2:1.0', number: 0, class: 8, authorized: true, driver: 'usb-storage' }],
    });
    expect(events.map((e) => `${e.action} ${e.name}`)).toEqual(['add 1-2', 'add 1-2:1.0', 'bind 1-2:1.0', 'bind 1-2']);
    // The interface is reachable through bus/usb/devices too, and lives inside the device dir.
    expect(await readlink(dev('1-2:1.0'))).toBe('../../../devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0');
  });

  it('exposes real descriptors that parse to the device spec', async () => {
    const name = await kernel.plug(SAMPLE_DEVICES.keyboardStorageStick);
    const parsed = parseUsbDescriptors(await readFile(join(dev(name), 'descriptors')));
    expect(parsed.problems).toEqual([]);
    expect(parsed.device).toMatchObject({ vid: 0x1a86, pid: 0xe026, numConfigurations: 1 });
    expect(parsed.configurations[0]!.interfaces.map((i) => i.class)).toEqual([3, 8]);
  });

  it('leaves a device unconfigured when authorized_default is 0: no interface directories', async () => {
    await writeApplied('usb1', 'authorized_default', '0');
    const name = await kernel.plug(SAMPLE_DEVICES.studentDrive);
    expect(await kernel.inspect(name)).toEqual({ name, authorized: false, interfaces: [] });
    expect(await readFile(join(dev(name), 'bConfigurationValue'), 'utf8')).toBe('\n');
    expect(events.map((e) => `${e.action} ${e.name}`)).toEqual([`add ${name}`]);
    // The descriptors are still readable: that is how the guard decides before configuring.
    expect(parseUsbDescriptors(await readFile(join(dev(name), 'descriptors'))).configurations[0]!.interfaces[0]!.class).toBe(8);
  });

  it('writing 1 to authorized configures; interfaces follow interface_authorized_default', async () => {
    await writeApplied('usb1', 'authorized_default', '0');
    await writeApplied('usb1', 'interface_authorized_default', '0');
    const name = await kernel.plug(SAMPLE_DEVICES.keyboardStorageStick, '1-5');
    expect((await kernel.inspect(name))!.authorized).toBe(false);
    await write(join(dev(name), 'authorized'), '1');
    const view = await waitFor(async () => {
      const v = await kernel.inspect(name);
      return v?.interfaces.length === 2 ? v : null;
    }, 'interfaces');
    expect(view.interfaces.map((i) => [i.class, i.authorized, i.driver])).toEqual([
      [3, false, null],
      [8, false, null],
    ]);
  });

  it('authorizing an interface does not bind; drivers_probe binds; writing 0 unbinds', async () => {
    await writeApplied('usb1', 'interface_authorized_default', '0');
    const name = await kernel.plug(SAMPLE_DEVICES.keyboard, '1-3');
    const kbd = `${name}:1.0`;
    expect((await kernel.inspect(name))!.interfaces[0]!.authorized).toBe(false);
    await writeApplied(kbd, 'authorized', '1');
    expect((await kernel.inspect(name))!.interfaces[0]!.driver).toBeNull();
    await write(kernel.driversProbe, `${kbd}\n`);
    await waitFor(async () => (await kernel.inspect(name))?.interfaces[0]?.driver === 'usbhid', 'bound');
    await write(join(dev(kbd), 'authorized'), '0');
    await waitFor(async () => (await kernel.inspect(name))?.interfaces[0]?.driver === null, 'unbound');
    expect(events.some((e) => e.action === 'unbind' && e.name === kbd)).toBe(true);
    // The interface directory stays: only the driver binding goes.
    expect((await kernel.inspect(name))!.interfaces).toHaveLength(2);
  });

  it('drivers_probe refuses an unauthorized interface', async () => {
    await writeApplied('usb1', 'interface_authorized_default', '0');
    const name = await kernel.plug(SAMPLE_DEVICES.teacherDrive, '1-4');
    let probed = false;
    kernel.onWrite((w) => (probed ||= w.attribute === 'drivers_probe' && w.value === `${name}:1.0`));
    await write(kernel.driversProbe, `${name}:1.0\n`);
    await waitFor(() => probed, 'probe seen');
    await kernel.idle();
    expect((await kernel.inspect(name))!.interfaces[0]!.driver).toBeNull();
  });

  it('writing 0 to a device deconfigures it: interface directories and bindings go away', async () => {
    const name = await kernel.plug(SAMPLE_DEVICES.webcam);
    expect((await kernel.inspect(name))!.interfaces).toHaveLength(4);
    await write(join(dev(name), 'authorized'), '0');
    await waitFor(async () => (await kernel.inspect(name))?.interfaces.length === 0, 'deconfigured');
    expect((await kernel.inspect(name))!.authorized).toBe(false);
    expect(events.filter((e) => e.action === 'remove').map((e) => e.name).sort()).toEqual([`${name}:1.0`, `${name}:1.1`, `${name}:1.2`, `${name}:1.3`]);
  });

  it('disconnects the devices behind a hub when the hub is deauthorized', async () => {
    const hub = await kernel.plug(SAMPLE_DEVICES.hub, '2-1');
    const child = await kernel.plug(SAMPLE_DEVICES.mouse, '2-1.3');
    expect(await readlink(dev(child))).toBe('../../../devices/pci0000:00/0000:00:14.1/usb2/2-1/2-1.3');
    await write(join(dev(hub), 'authorized'), '0');
    await waitFor(async () => (await kernel.inspect(child)) === null, 'child gone');
    expect(events.some((e) => e.action === 'remove' && e.name === child)).toBe(true);
  });

  it('refuses to plug behind a hub that is not there', async () => {
    await expect(kernel.plug(SAMPLE_DEVICES.mouse, '1-9.1')).rejects.toThrow(/hub/);
  });

  it('writing 1 to remove deletes the device; unplug does the same', async () => {
    const a = await kernel.plug(SAMPLE_DEVICES.mouse);
    const b = await kernel.plug(SAMPLE_DEVICES.keyboard);
    await write(join(dev(a), 'remove'), '1');
    await waitFor(async () => (await kernel.inspect(a)) === null, 'removed');
    await kernel.unplug(b);
    expect(await kernel.inspect(b)).toBeNull();
    await expect(lstat(dev(b))).rejects.toThrow();
    expect(events.filter((e) => e.action === 'remove' && !e.name.includes(':')).map((e) => e.name)).toEqual([a, b]);
  });

  it('refuses invalid values like the kernel (-EINVAL): the attribute keeps its value', async () => {
    const name = await kernel.plug(SAMPLE_DEVICES.mouse);
    await write(join(dev(name), 'authorized'), 'maybe');
    await waitFor(async () => (await readFile(join(dev(name), 'authorized'), 'utf8')) === '1\n', 'restored');
    expect((await kernel.inspect(name))!.interfaces[0]!.driver).toBe('usbhid');
  });

  it('reports applied writes to observers', async () => {
    const writes: string[] = [];
    kernel.onWrite((w) => writes.push(`${w.name} ${w.attribute}=${w.value}`));
    await write(join(dev('usb2'), 'authorized_default'), '0');
    await waitFor(() => writes.includes('usb2 authorized_default=0'), 'write seen');
    expect(await kernel.authorizedDefault(2)).toBe('0');
  });
});
