import { afterEach, describe, expect, it } from 'vitest';
import { FakeUsbKernel } from '../../src/fake-kernel/fake-usb-kernel.js';
import { SAMPLE_DEVICES } from '../../src/fake-kernel/sample-devices.js';
import { SysfsPoller } from '../../src/linux/sysfs-poller.js';
import type { UsbKernelEvent } from '../../src/linux/kernel-events.js';
import { silentLogger } from '../../src/log/logger.js';
import { waitFor } from '../helpers/wait.js';

let kernel: FakeUsbKernel | null = null;
let poller: SysfsPoller | null = null;
afterEach(async () => {
  await poller?.stop();
  await kernel?.close();
});

describe('SysfsPoller', () => {
  it('reports devices and interfaces appearing and disappearing, not what was there before', async () => {
    kernel = await FakeUsbKernel.create();
    await kernel.plug(SAMPLE_DEVICES.mouse, '1-1');
    poller = new SysfsPoller({ devicesDir: kernel.devicesDir, pollMs: 10_000, log: silentLogger });
    const events: UsbKernelEvent[] = [];
    await poller.start((e) => events.push(e));
    await kernel.plug(SAMPLE_DEVICES.teacherDrive, '1-2');
    // pollMs is long: the directory watch alone must notice.
    await waitFor(() => events.some((e) => e.name === '1-2:1.0'), 'the drive');
    await kernel.unplug('1-2');
    await waitFor(() => events.some((e) => e.action === 'remove' && e.name === '1-2'), 'removal');
    expect(events.map((e) => `${e.action} ${e.name}`).sort()).toEqual(['add 1-2', 'add 1-2:1.0', 'remove 1-2', 'remove 1-2:1.0']);
  });

  it('falls back to polling where the directory cannot be watched', async () => {
    poller = new SysfsPoller({ devicesDir: '/nonexistent/bus/usb/devices', pollMs: 20, log: silentLogger });
    await poller.start(() => {});
    await poller.stop();
  });
});
