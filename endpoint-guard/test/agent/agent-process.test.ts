import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '@campus/protocol/topics';
import { UsbEventSchema, type PolicyAck, type UsbEvent } from '@campus/protocol/usb/messages';
import { FakeUsbKernel } from '../../src/fake-kernel/fake-usb-kernel.js';
import { SAMPLE_DEVICES } from '../../src/fake-kernel/sample-devices.js';
import type { AgentConfigInput } from '@campus/protocol/usb/agent-config';
import { writeAgentConfig } from '../helpers/agent-config.js';
import { AgentProcess } from '../helpers/agent-process.js';
import { EdgeClient } from '../helpers/edge-client.js';
import { makePolicy, teacherDriveRule } from '../helpers/policies.js';
import { startTestEdge } from '../helpers/test-edge.js';
import { waitFor } from '../helpers/wait.js';

/** The agent as systemd runs it: its own process, the real CLI, talking to a real broker. */
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

async function world(agentId: string, buses: number, config: Partial<AgentConfigInput> = {}) {
  const kernel = await FakeUsbKernel.create({ buses });
  cleanup.push(() => kernel.close());
  const edge = await startTestEdge();
  cleanup.push(() => edge.close());
  const observer = await EdgeClient.connect(edge);
  cleanup.push(() => observer.close());
  const { path, dir } = await writeAgentConfig(edge, agentId, kernel.root, config);
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const start = () => {
    const p = AgentProcess.start(['start', '--config', path]);
    cleanup.push(() => p.kill('SIGKILL'));
    return p;
  };
  const locked = () => waitFor(() => kernel.buses.every((b) => kernel.controllerState(b).authorizedDefault === 0), 'controllers locked by the agent');
  return { kernel, edge, observer, start, locked };
}

function lastState(observer: EdgeClient, agentId: string): string | undefined {
  return observer.received.filter((r) => r.topic === topics.agentState(agentId)).at(-1)?.text;
}

describe('campus-guard as a process', () => {
  it('killed with SIGKILL: default-deny holds in the kernel, the edge sees it offline, the restart enforces the saved policy without the edge', async () => {
    const agentId = 'pc-lab2-05';
    const w = await world(agentId, 2);
    const keyboard = await w.kernel.plug(SAMPLE_DEVICES.keyboard, '1-1'); // working since boot
    expect(w.kernel.controllerState(1).authorizedDefault).toBe(1); // the kernel alone lets everything in

    let agent = w.start();
    await w.locked();
    await waitFor(() => lastState(w.observer, agentId) === 'online', 'online');
    await w.edge.publishPolicy(agentId, makePolicy({ version: 3, rules: [teacherDriveRule] }));
    await w.observer.waitJson<PolicyAck>('/ack', (a) => a.version === 3 && a.status === 'applied', 'v3 applied');
    const drive = await w.kernel.plug(SAMPLE_DEVICES.teacherDrive, '1-2');
    await waitFor(async () => (await w.kernel.inspect(drive))?.interfaces[0]?.driver === 'usb-storage', 'teacher drive allowed');

    expect(await agent.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await waitFor(() => lastState(w.observer, agentId) === 'offline', 'offline by last will');

    // Nobody is deciding now; the kernel keeps new devices waiting.
    const student = await w.kernel.plug(SAMPLE_DEVICES.studentDrive, '1-3');
    const stick = await w.kernel.plug(SAMPLE_DEVICES.keyboardStorageStick, '1-4');
    await w.kernel.unplug(drive);
    const driveAgain = await w.kernel.plug(SAMPLE_DEVICES.teacherDrive, '2-1');
    for (const n of [student, stick, driveAgain]) expect(await w.kernel.inspect(n)).toEqual({ name: n, authorized: false, interfaces: [] });
    expect((await w.kernel.inspect(keyboard))!.interfaces[0]!.driver).toBe('usbhid'); // the keyboard kept working

    // Restart with the edge gone: the saved, signed v3 is enforced.
    await w.edge.close();
    agent = w.start();
    await waitFor(async () => (await w.kernel.inspect(driveAgain))?.interfaces[0]?.driver === 'usb-storage', 'teacher drive allowed by the saved v3');
    await waitFor(async () => {
      const v = await w.kernel.inspect(stick);
      return v?.interfaces[0]?.driver === 'usbhid' && v.interfaces[1]?.authorized === false && v.interfaces[1]?.driver === null;
    }, 'stick: keyboard kept, storage refused');
    expect(await w.kernel.inspect(student)).toEqual({ name: student, authorized: false, interfaces: [] });
    expect(agent.alive).toBe(true);
    expect(await agent.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    // A clean stop leaves default-deny in place too.
    expect(w.kernel.controllerState(1).authorizedDefault).toBe(0);
  });

  it('survives a flood of 1,000 insertions a second: every device decided, the edge gets a trickle and a count', async () => {
    const agentId = 'pc-flood';
    const w = await world(agentId, 8, { events: { perSecond: 10, burst: 20, queueMax: 5000 }, kernelEvents: { source: 'poll', pollMs: 50 } });
    const agent = w.start();
    await w.locked();
    await waitFor(() => lastState(w.observer, agentId) === 'online', 'online');

    const t0 = performance.now();
    const names: string[] = [];
    for (let i = 0; i < 1000; i++) names.push(await w.kernel.plug(i % 5 === 0 ? SAMPLE_DEVICES.keyboardStorageStick : SAMPLE_DEVICES.studentDrive));
    const rate = 1000 / ((performance.now() - t0) / 1000);

    await waitFor(() => w.observer.json<{ devicesPresent: number }>('/heartbeat').some((h) => h.devicesPresent === 1000), 'a heartbeat counting 1000 devices', 90_000);
    const events = await waitFor(() => {
      const ev = w.observer.json<UsbEvent>('/usb');
      const sent = ev.filter((e) => e.kind !== 'dropped').length;
      const counted = ev.reduce((n, e) => n + e.droppedBefore + (e.kind === 'dropped' ? e.count : 0), 0);
      return sent + counted === 2000 ? ev : null; // 1000 inserted + 1000 decided: each sent or counted
    }, 'every observation sent or counted', 90_000);
    for (const e of events) UsbEventSchema.parse(e);
    expect(events.filter((e) => e.kind !== 'dropped').length).toBeLessThan(400);
    expect(agent.alive).toBe(true);

    // Decided, not merely survived: storage never configured, the sticks' keyboards bound.
    for (const n of names.filter((_, i) => i % 5 !== 0).slice(0, 100)) expect((await w.kernel.inspect(n))!.authorized).toBe(false);
    await waitFor(async () => {
      for (const n of names.filter((_, i) => i % 5 === 0).slice(0, 20)) {
        const v = await w.kernel.inspect(n);
        if (v?.interfaces[0]?.driver !== 'usbhid' || v.interfaces[1]?.authorized !== false) return false;
      }
      return true;
    }, 'sticks decided');
    console.log(`flood: ${rate.toFixed(0)} insertions/s, ${events.length} USB messages reached the edge`);
  });

  it('simulate: a demo PC with a fake kernel reports its visitors to the edge and stops cleanly', async () => {
    const agentId = 'pc-demo-01';
    const w = await world(agentId, 2);
    const { path, dir } = await writeAgentConfig(w.edge, agentId, '/nonexistent-sysfs');
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const demo = AgentProcess.start(['simulate', '--config', path]);
    cleanup.push(() => demo.kill('SIGKILL'));
    const blocked = await w.observer.waitJson<UsbEvent>('/usb', (e) => e.kind === 'blocked', 'the student drive blocked');
    expect(blocked).toMatchObject({ agentId, rule: 'builtin.mass-storage', device: { vid: '090c' } });
    const present = await w.observer.waitJson<UsbEvent>('/usb', (e) => e.kind === 'allowed', 'keyboard allowed');
    expect(present).toMatchObject({ rule: 'builtin.hid' });
    expect(await demo.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
