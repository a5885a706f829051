import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeUsbKernel } from '../../src/fake-kernel/fake-usb-kernel.js';
import { SAMPLE_DEVICES } from '../../src/fake-kernel/sample-devices.js';
import { SysfsUsb } from '../../src/linux/sysfs-usb.js';
import { classifyName, deviceNameOf } from '../../src/linux/sysfs-names.js';

let kernel: FakeUsbKernel;
let sysfs: SysfsUsb;
beforeEach(async () => {
  kernel = await FakeUsbKernel.create();
  sysfs = new SysfsUsb(kernel.root);
});
afterEach(async () => {
  await kernel.close();
});

describe('sysfs names', () => {
  it.each([
    ['usb1', 'root-hub', null],
    ['1-2', 'device', '1-2'],
    ['3-1.4.2', 'device', '3-1.4.2'],
    ['1-2:1.0', 'interface', '1-2'],
    ['1-0:1.0', 'interface', null],
    ['1-0', 'other', null],
    ['../etc', 'other', null],
  ])('%s is a %s of device %s', (name, kind, device) => {
    expect(classifyName(name)).toBe(kind);
    expect(deviceNameOf(name)).toBe(device);
  });
});

describe('SysfsUsb', () => {
  it('reads identity, descriptors and live interfaces; lists controllers and devices', async () => {
    await kernel.plug(SAMPLE_DEVICES.keyboardStorageStick, '1-3');
    expect(await sysfs.listControllers()).toEqual(['usb1', 'usb2']);
    expect(await sysfs.listDevices()).toEqual(['1-3']);
    const d = await sysfs.readDevice('1-3');
    expect(d).toMatchObject({ name: '1-3', authorized: true, configValue: 1 });
    expect(d!.device).toMatchObject({ vid: '1a86', pid: 'e026', serial: null, port: '1-3', product: 'Composite HID+MSC', problems: [] });
    expect(d!.interfaces.map((i) => [i.name, i.class, i.authorized, i.driver])).toEqual([
      ['1-3:1.0', 3, true, 'usbhid'],
      ['1-3:1.1', 8, true, 'usb-storage'],
    ]);
    expect(d!.device.interfaces).toHaveLength(2); // descriptors and live interfaces agree: no duplicates
  });

  it('cleans hostile strings and flags bad ids', async () => {
    await kernel.plug({ ...SAMPLE_DEVICES.mouse, serial: 'AB\u0007\u001b[31mC', product: 'x'.repeat(500) }, '1-4');
    await writeFile(join(kernel.devicesDir, '1-4', 'idVendor'), 'zzzz\n');
    const d = await sysfs.readDevice('1-4');
    expect(d!.device.serial).toBe('AB[31mC');
    expect(d!.device.product).toHaveLength(128);
    expect(d!.device.problems).toContain('bad-id');
  });

  it('returns null for a device that is gone and refuses names that are not devices', async () => {
    await kernel.plug(SAMPLE_DEVICES.mouse, '1-5');
    await kernel.unplug('1-5');
    expect(await sysfs.readDevice('1-5')).toBeNull();
    await expect(sysfs.readDevice('../../etc')).rejects.toThrow(/not a USB device/);
    await expect(sysfs.setAuthorized('1-5', true)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
