import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import type { GuardObservation } from '../../src/linux/linux-usb-guard.js';
import { RESTRICTIONS_KEY } from '../../src/windows/device-install-plan.js';
import type { WindowsUsbNode } from '../../src/windows/windows-devices.js';
import type { WindowsDeviceHost } from '../../src/windows/windows-host.js';
import { WindowsUsbEnforcer } from '../../src/windows/windows-usb-enforcer.js';
import { makePolicy } from '../helpers/policies.js';

/**
 * A model of the parts of Windows the enforcer touches (the registry and PnP device
 * state); Windows itself cannot run here. It applies pnputil the way Windows does.
 */
class ModelWindows implements WindowsDeviceHost {
  registry = new Map<string, string | number>();
  nodes: WindowsUsbNode[] = [];
  log: string[] = [];
  async setRegistryValue(key: string, name: string, _type: 'REG_DWORD' | 'REG_SZ', value: number | string) {
    this.registry.set(`${key}\\${name}`, value);
    this.log.push('reg');
  }
  async deleteRegistryKey(key: string) {
    for (const k of [...this.registry.keys()]) if (k.startsWith(`${key}\\`)) this.registry.delete(k);
    this.log.push('reg');
  }
  async pnputil(args: readonly string[]) {
    const node = this.nodes.find((n) => n.instanceId === args[1]);
    if (!node) return { code: 1, output: 'No devices were found' };
    node.disabled = args[0] === '/disable-device';
    this.log.push(`${args[0]} ${args[1]}`);
    return { code: 0, output: '' };
  }
  async listUsbNodes() {
    return this.nodes.map((n) => ({ ...n }));
  }
}

const drive: WindowsUsbNode = { instanceId: 'USB\\VID_090C&PID_1000\\AA00000000011283', hardwareIds: ['USB\\VID_090C&PID_1000'], compatibleIds: ['USB\\Class_08&SubClass_06&Prot_50', 'USB\\Class_08'] };
const mouse: WindowsUsbNode = { instanceId: 'USB\\VID_046D&PID_C077\\5&2A2B&0&2', hardwareIds: ['USB\\VID_046D&PID_C077'], compatibleIds: ['USB\\Class_03&SubClass_01&Prot_02', 'USB\\Class_03'] };

function setup() {
  const win = new ModelWindows();
  const seen: GuardObservation[] = [];
  let t = Date.UTC(2025, 8, 1, 8);
  const enforcer = new WindowsUsbEnforcer({ host: win, log: silentLogger, now: () => t, observe: (o) => seen.push(o), rescanMs: 3_600_000 });
  return { win, seen, enforcer, advance: (ms: number) => (t += ms), now: () => t };
}

describe('WindowsUsbEnforcer (against a model of Windows)', () => {
  it('writes the restrictions once per policy and disables a present drive, reporting it', async () => {
    const { win, seen, enforcer } = setup();
    win.nodes = [{ ...mouse }, { ...drive }];
    await enforcer.start(makePolicy({ version: 3 }));
    expect(win.registry.get(`${RESTRICTIONS_KEY}\\DenyDeviceIDs`)).toBe(1);
    expect(win.nodes.find((n) => n.instanceId === drive.instanceId)!.disabled).toBe(true);
    expect(win.nodes.find((n) => n.instanceId === mouse.instanceId)!.disabled).toBeUndefined();
    expect(seen.filter((o) => o.kind === 'decided').map((o) => o.kind === 'decided' && `${o.name} ${o.decision.outcome}`)).toEqual([`${mouse.instanceId} allowed`, `${drive.instanceId} blocked`]);
    expect(enforcer.snapshot()).toEqual({ present: 2, blocked: 1 });

    win.log = [];
    await enforcer.enforce();
    expect(win.log).toEqual([]); // nothing to do: same policy, drive already disabled
    await enforcer.stop();
  });

  it('rewrites on a new policy and re-enables what it now allows', async () => {
    const { win, enforcer } = setup();
    win.nodes = [{ ...drive }];
    await enforcer.start(makePolicy({ version: 3 }));
    win.log = [];
    await enforcer.applyPolicy(makePolicy({ version: 4, rules: [{ id: 'lab', action: 'allow', match: { vid: '090c', pid: '1000', serial: 'AA00000000011283' } }] }));
    expect(win.log.filter((l) => l === 'reg').length).toBeGreaterThan(0);
    expect(win.log).toContain(`/enable-device ${drive.instanceId}`);
    expect([...win.registry.values()]).toContain(drive.instanceId);
    await enforcer.stop();
  });

  it('reports devices that come and go between scans', async () => {
    const { win, seen, enforcer } = setup();
    await enforcer.start(makePolicy());
    win.nodes = [{ ...drive }];
    await enforcer.enforce();
    win.nodes = [];
    await enforcer.enforce();
    expect(seen.map((o) => o.kind)).toEqual(['inserted', 'decided', 'removed']);
    await enforcer.stop();
  });

  it('rewrites the restrictions when a temporary exception lapses, on its own clock', async () => {
    const { win, enforcer, advance, now } = setup();
    const match = { vid: '090c', pid: '1000', serial: 'AA00000000011283' };
    await enforcer.start(makePolicy({ exceptions: [{ id: 'exam', match, expiresAt: now() + 60_000 }] }));
    expect([...win.registry.values()]).toContain(drive.instanceId);
    advance(60_000);
    win.nodes = [{ ...drive }];
    await enforcer.enforce();
    expect([...win.registry.values()]).not.toContain(drive.instanceId);
    expect(win.nodes[0]!.disabled).toBe(true);
    await enforcer.stop();
  });
});
