import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../helpers/edge.js';
import { eventually, startGuardEdge, type AgentConfigFile, type TestEdge } from './helpers.js';
import { FakeKernelProcess, GuardAgentProcess, writeConfig, type DeviceSpec, type DeviceView } from './processes.js';

/**
 * The whole chain with nothing simulated on the PC side: the real campus-guard process,
 * configured with the file the IT API hands out, connects over pinned TLS to a real edge
 * and enforces on endpoint-guard's fake Linux USB kernel (a separate process).
 */
const KEYBOARD: DeviceSpec = { vid: '046d', pid: 'c31c', manufacturer: 'Logitech', product: 'USB Keyboard', interfaces: [{ number: 0, class: 3, subClass: 1, protocol: 1 }] };
const STUDENT_DRIVE: DeviceSpec = { vid: '090c', pid: '1000', serial: 'AA00000000011283', product: 'USB DISK', interfaces: [{ number: 0, class: 8, subClass: 6, protocol: 0x50 }] };
const TEACHER_DRIVE: DeviceSpec = { vid: '0781', pid: '5567', serial: '4C530001230101104512', manufacturer: 'SanDisk', product: 'Cruzer Blade', interfaces: [{ number: 0, class: 8, subClass: 6, protocol: 0x50 }] };
const BADUSB: DeviceSpec = { vid: '1a86', pid: 'e026', product: 'Composite HID+MSC', interfaces: [{ number: 0, class: 3, subClass: 1, protocol: 1 }, { number: 1, class: 8, subClass: 6, protocol: 0x50 }] };

describe('endpoint guard end to end: the real agent against a real edge', () => {
  let edge: TestEdge;
  let it_: ApiClient;
  let kernel: FakeKernelProcess;
  let agent: GuardAgentProcess | null = null;
  let work: string;
  let configPath: string;
  const names: Record<string, string> = {};

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'guard-e2e-'));
    ({ edge, it: it_ } = await startGuardEdge());
    kernel = await FakeKernelProcess.start(work);
    // Present before the agent ever ran (accepted by the kernel at boot).
    names.keyboard = await kernel.plug(KEYBOARD);
    names.student = await kernel.plug(STUDENT_DRIVE);
  }, 60_000);

  afterAll(async () => {
    await agent?.kill();
    await kernel?.stop();
    await edge?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  const state = async (name: string) => kernel.inspect(name);
  const until = (name: string, pred: (v: DeviceView) => boolean) => eventually(async () => {
    const v = await state(name);
    return v && pred(v) ? v : undefined;
    // A wait, not a timing target: on a loaded CI machine a policy round trip (edge → broker → agent → sysfs) has taken over 20 s.
  }, 45_000, 50);
  const agentRow = async () => ((await it_.req('GET', '/api/endpoints/agents')).json.agents as Array<{ agentId: string; online: boolean; hostname: string | null; policy: { state: string; applied: number | null; published: number } }>).find((a) => a.agentId === 'pc-lab2-01');

  it('registers the PC, starts the agent with the downloaded config, and sees it online with v1 applied', async () => {
    const r = await it_.req('POST', '/api/endpoints/agents', { agentId: 'pc-lab2-01', displayName: '机房2 01号', groups: ['lab-2'], edgeHost: '127.0.0.1' });
    expect(r.status).toBe(201);
    const config = r.json.config as AgentConfigFile;
    // What an installer adds on the PC: where state lives; here also the fake kernel and a short heartbeat.
    configPath = join(work, r.json.fileName as string);
    writeConfig(configPath, { ...config, stateDir: join(work, 'state'), sysfsRoot: kernel.root, kernelEvents: { source: 'poll', pollMs: 50 }, heartbeatSeconds: 5 });
    agent = GuardAgentProcess.start(configPath);

    const row = await eventually(async () => {
      const a = await agentRow();
      return a?.online && a.policy.state === 'applied' && a.hostname ? a : undefined;
    }, 30_000, 100).catch((err: Error) => {
      throw new Error(`${err.message}\nagent output:\n${agent?.output}`);
    });
    expect(row.policy.applied).toBe(1);
  }, 60_000);

  it('blocked the student’s drive that was present at start and kept the keyboard', async () => {
    await until(names.student!, (v) => !v.authorized);
    const kb = await until(names.keyboard!, (v) => v.authorized);
    expect(kb.interfaces[0]).toMatchObject({ authorized: true, driver: 'usbhid' });
    const controllers = await kernel.controllers();
    expect(controllers.every((c) => c.authorizedDefault === 0)).toBe(true);
    const events = await eventually(async () => {
      const e = (await it_.req('GET', '/api/events?type=usb.blocked&subject=pc-lab2-01')).json.events as Array<{ reason: string; data: { device: { serial: string } } }>;
      return e.length ? e : undefined;
    }, 20_000);
    expect(events[0]).toMatchObject({ reason: 'usb.blocked.mass_storage', data: { device: { serial: STUDENT_DRIVE.serial } } });
  }, 30_000);

  it('keeps the keyboard of a keyboard+storage stick and refuses its storage', async () => {
    names.badusb = await kernel.plug(BADUSB);
    const v = await until(names.badusb, (d) => d.authorized && d.interfaces.length === 2 && d.interfaces.every((i) => (i.class === 3 ? i.driver === 'usbhid' : !i.authorized && !i.driver)));
    expect(v.interfaces.map((i) => [i.class, i.authorized])).toEqual([
      [3, true],
      [8, false],
    ]);
    await eventually(async () => {
      const e = (await it_.req('GET', '/api/events?type=usb.blocked&subject=pc-lab2-01')).json.events as Array<{ data: { outcome: string; device: { vid: string } } }>;
      return e.some((x) => x.data.device.vid === '1a86' && x.data.outcome === 'partial');
    }, 20_000);
  }, 30_000);

  it('applies a pushed policy: the teacher’s drive by serial is allowed, connected devices re-checked, ack shown', async () => {
    const push = await it_.req('POST', '/api/endpoints/policies', {
      target: { scope: 'group', group: 'lab-2' },
      basedOn: 1,
      content: { rules: [{ id: 'wang-drive', action: 'allow', match: { vid: '0781', pid: '5567', serial: TEACHER_DRIVE.serial } }] },
    });
    expect(push.status).toBe(201);
    const v = push.json.policy.version as number;
    await eventually(async () => {
      const a = await agentRow();
      return a?.policy.applied === v && a.policy.state === 'applied';
    }, 20_000);
    names.teacher = await kernel.plug(TEACHER_DRIVE);
    await until(names.teacher, (d) => d.authorized && d.interfaces[0]?.driver === 'usb-storage');
    expect((await state(names.student!))!.authorized).toBe(false);
    const allowed = await eventually(async () => {
      const e = (await it_.req('GET', '/api/events?type=usb.allowed&subject=pc-lab2-01')).json.events as Array<{ reason: string; data: { rule: string } }>;
      return e.find((x) => x.data.rule === 'rule:wang-drive');
    }, 20_000);
    expect(allowed.reason).toBe('usb.allowed.rule');
  }, 40_000);

  it('a temporary grant from IT lets the blocked drive in at once (the agent re-checks connected devices)', async () => {
    const r = await it_.req('POST', '/api/endpoints/agents/pc-lab2-01/grants', {
      kind: 'temporary',
      durationMinutes: 60,
      grantedTo: '李老师',
      device: { vid: '090c', pid: '1000', serial: STUDENT_DRIVE.serial, port: names.student, manufacturer: null, product: 'USB DISK', interfaceClasses: [8] },
    });
    expect(r.status).toBe(201);
    await until(names.student!, (d) => d.authorized && d.interfaces[0]?.driver === 'usb-storage');
    const row = await eventually(async () => {
      const a = await agentRow();
      return a?.policy.state === 'applied' ? a : undefined;
    }, 20_000);
    expect(row.policy.applied).toBeGreaterThan(2);
  }, 70_000);

  it('killed agent: the PC shows offline, the kernel keeps default-deny, and a new drive waits blocked', async () => {
    await agent!.kill('SIGKILL');
    await eventually(async () => (await agentRow())?.online === false, 20_000);
    const controllers = await kernel.controllers();
    expect(controllers.every((c) => c.authorizedDefault === 0)).toBe(true);
    const late = await kernel.plug({ ...STUDENT_DRIVE, serial: 'LATE-STICK-1' });
    expect((await state(late))!.authorized).toBe(false);
  }, 30_000);
});
