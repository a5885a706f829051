import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UeventBlockParser, UdevadmMonitor } from '../../src/linux/udevadm-monitor.js';
import type { UsbKernelEvent } from '../../src/linux/kernel-events.js';
import { silentLogger } from '../../src/log/logger.js';
import { waitFor } from '../helpers/wait.js';

/** As printed by `udevadm monitor --kernel --property --subsystem-match=usb` (systemd 252). */
const RECORDED = `monitor will print the received events for:
KERNEL - the kernel uevent

KERNEL[8123.402118] add      /devices/pci0000:00/0000:00:14.0/usb1/1-2 (usb)
ACTION=add
DEVPATH=/devices/pci0000:00/0000:00:14.0/usb1/1-2
SUBSYSTEM=usb
DEVNAME=/dev/bus/usb/001/007
DEVTYPE=usb_device
PRODUCT=781/5567/100
TYPE=0/0/0
BUSNUM=001
DEVNUM=007
SEQNUM=5012
MAJOR=189
MINOR=6

KERNEL[8123.410551] add      /devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0 (usb)
ACTION=add
DEVPATH=/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0
SUBSYSTEM=usb
DEVTYPE=usb_interface
PRODUCT=781/5567/100
TYPE=0/0/0
INTERFACE=8/6/80
MODALIAS=usb:v0781p5567d0100dc00dsc00dp00ic08isc06ip50in00
SEQNUM=5013

KERNEL[8123.500000] add      /devices/virtual/block/loop9 (block)
ACTION=add
DEVPATH=/devices/virtual/block/loop9
SUBSYSTEM=block

KERNEL[8124.000001] remove   /devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0 (usb)
ACTION=remove
DEVPATH=/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0
SUBSYSTEM=usb
DEVTYPE=usb_interface

`;

describe('UeventBlockParser', () => {
  it('turns udevadm blocks into USB events and skips other subsystems and headers', () => {
    const p = new UeventBlockParser();
    const out = RECORDED.split('\n').map((l) => p.push(l)).filter((e) => e !== null);
    expect(out).toEqual([
      { action: 'add', name: '1-2', devtype: 'usb_device' },
      { action: 'add', name: '1-2:1.0', devtype: 'usb_interface' },
      { action: 'remove', name: '1-2:1.0', devtype: 'usb_interface' },
    ]);
  });

  it('ignores garbage, unknown actions and runaway blocks', () => {
    const p = new UeventBlockParser();
    const lines = ['ACTION=explode', 'DEVPATH=/x/1-1', 'SUBSYSTEM=usb', '', ...Array.from({ length: 100 }, (_, i) => `K${i}=v`), 'ACTION=add', 'DEVPATH=/x/1-3', 'SUBSYSTEM=usb', '', '=== not a property', ''];
    expect(lines.map((l) => p.push(l)).filter(Boolean)).toEqual([]);
  });
});

describe('UdevadmMonitor', () => {
  let dir: string | null = null;
  let monitor: UdevadmMonitor | null = null;
  afterEach(async () => {
    await monitor?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads events from a real child process and restarts it with a resync when it dies', async () => {
    dir = await mkdtemp(join(tmpdir(), 'udevadm-'));
    const file = join(dir, 'recorded.txt');
    await writeFile(file, RECORDED);
    // `cat` prints the recording and exits, like a udevadm that crashed: the monitor must restart it.
    monitor = new UdevadmMonitor({ command: ['cat', file], log: silentLogger, restartDelayMs: 20 });
    const events: UsbKernelEvent[] = [];
    await monitor.start((e) => events.push(e));
    await waitFor(() => events.filter((e) => e.action === 'resync').length >= 1 && events.filter((e) => e.name === '1-2').length >= 2, 'a restart');
    expect(events.slice(0, 3).map((e) => `${e.action} ${e.name}`)).toEqual(['add 1-2', 'add 1-2:1.0', 'remove 1-2:1.0']);
    expect(events[3]!.action).toBe('resync');
  });

  it('survives a command that does not exist', async () => {
    monitor = new UdevadmMonitor({ command: ['/nonexistent/udevadm'], log: silentLogger, restartDelayMs: 20 });
    await monitor.start(() => {});
    await monitor.stop();
  });
});
