import { spawn } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '@campus/protocol/topics';
import { UsbDeviceRequestSchema, type UsbDeviceRequest } from '@campus/protocol/usb/messages';
import { GuardAgent } from '../../src/agent.js';
import type { AgentConfigInput } from '@campus/protocol/usb/agent-config';
import { loadAgentConfig } from '../../src/config/load-config.js';
import { FakeUsbKernel } from '../../src/fake-kernel/fake-usb-kernel.js';
import { SAMPLE_DEVICES } from '../../src/fake-kernel/sample-devices.js';
import type { Logger } from '../../src/log/logger.js';
import { runRequestCli } from '../../src/requests/request-cli.js';
import { SPOOL_FORMAT } from '../../src/requests/spool-file.js';
import { writeAgentConfig } from '../helpers/agent-config.js';
import { EdgeClient } from '../helpers/edge-client.js';
import { startTestEdge, type TestEdge } from '../helpers/test-edge.js';
import { waitFor } from '../helpers/wait.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../src/bin/campus-guard.ts', import.meta.url));

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

/** Keeps what the agent logs, to see discarded files explained. */
function recordingLogger(lines: Array<{ level: string; msg: string; fields?: Record<string, unknown> }>): Logger {
  const make = (): Logger => ({
    debug: () => {},
    info: (msg, fields) => void lines.push({ level: 'info', msg, ...(fields ? { fields } : {}) }),
    warn: (msg, fields) => void lines.push({ level: 'warn', msg, ...(fields ? { fields } : {}) }),
    error: (msg, fields) => void lines.push({ level: 'error', msg, ...(fields ? { fields } : {}) }),
    child: () => make(),
  });
  return make();
}

interface Setup {
  kernel: FakeUsbKernel;
  edge: TestEdge;
  observer: EdgeClient;
  agent: GuardAgent;
  configPath: string;
  spoolDir: string;
  logs: Array<{ level: string; msg: string; fields?: Record<string, unknown> }>;
}

const AGENT_ID = 'pc-lab3-07';

async function setup(opts: { config?: Partial<AgentConfigInput>; plug?: (k: FakeUsbKernel) => Promise<void> } = {}): Promise<Setup> {
  const kernel = await FakeUsbKernel.create();
  cleanup.push(() => kernel.close());
  await opts.plug?.(kernel);
  const edge = await startTestEdge();
  cleanup.push(() => edge.close());
  const observer = await EdgeClient.connect(edge);
  cleanup.push(() => observer.close());
  const spoolDirParent = await mkdtemp(join(tmpdir(), 'guard-spool-'));
  cleanup.push(() => rm(spoolDirParent, { recursive: true, force: true }));
  const spoolDir = join(spoolDirParent, 'requests');
  const { path, dir } = await writeAgentConfig(edge, AGENT_ID, kernel.root, { ...opts.config, requests: { scanSeconds: 0.2, ...opts.config?.requests, spoolDir } });
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const logs: Setup['logs'] = [];
  const agent = new GuardAgent({ loaded: await loadAgentConfig(path), log: recordingLogger(logs), kernelEvents: kernel });
  cleanup.push(() => agent.stop());
  await agent.start();
  await waitFor(() => agent.edgeConnected, 'agent connected');
  return { kernel, edge, observer, agent, configPath: path, spoolDir, logs };
}

const requests = (s: { observer: EdgeClient }) => s.observer.json<UsbDeviceRequest>('/request');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runRequestCli(args, { out: (l) => void (out += `${l}\n`), err: (l) => void (err += `${l}\n`) });
  return { code, out, err };
}

async function blocked(kernel: FakeUsbKernel, name: string): Promise<void> {
  await waitFor(async () => (await kernel.inspect(name))?.authorized === false, `${name} blocked`);
}

describe('campus-guard request: a teacher asks IT for a blocked drive', () => {
  it('sends the blocked drive with the facts the agent sees, as the requesting user, and clears the spool', async () => {
    const s = await setup({ plug: async (k) => void (await k.plug(SAMPLE_DEVICES.teacherDrive, '1-1')) });
    await blocked(s.kernel, '1-1');
    expect((await lstat(s.spoolDir)).mode & 0o7777).toBe(0o1733);

    const r = await cli(['--config', s.configPath, '--reason', '公开课课件 / slides for the open class', '--hours', '2']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('已向信息中心申请使用该 U 盘');
    expect(r.out).toContain('Request sent to IT');

    const got = await s.observer.waitJson<UsbDeviceRequest>('/request', () => true, 'device request');
    const req = UsbDeviceRequestSchema.parse(got);
    expect(req).toMatchObject({
      agentId: AGENT_ID,
      requestedBy: userInfo().username,
      note: '公开课课件 / slides for the open class',
      durationMinutes: 120,
      device: { vid: '0781', pid: '5567', serial: SAMPLE_DEVICES.teacherDrive.serial, port: '1-1', manufacturer: 'SanDisk', product: 'Cruzer Blade', interfaceClasses: [8] },
    });
    expect(s.observer.on('/request')[0]!.topic).toBe(topics.agentRequest(AGENT_ID));
    await waitFor(async () => (await readdir(s.spoolDir)).length === 0, 'spool emptied after the ack');
    expect(s.edge.denied).toEqual([]);
  });

  it('a request by vid:pid for a drive that was unplugged carries what the teacher named', async () => {
    const s = await setup();
    const r = await cli(['--config', s.configPath, '--device', '0781:5567:ABC123', '--reason', 'exam papers']);
    expect(r.code).toBe(0);
    const req = await s.observer.waitJson<UsbDeviceRequest>('/request', () => true, 'device request');
    expect(req).toMatchObject({ device: { vid: '0781', pid: '5567', serial: 'ABC123', port: '', interfaceClasses: [] }, note: 'exam papers' });
    expect(req.durationMinutes).toBeUndefined();
  });

  it('asks the teacher to choose when several drives are blocked, and says so when none is', async () => {
    const s = await setup();
    const none = await cli(['--config', s.configPath, '--reason', 'x']);
    expect(none.code).toBe(2);
    expect(none.err).toContain('没有被拦截的 USB 设备');
    expect(none.err).toContain('No USB device is blocked');

    await s.kernel.plug(SAMPLE_DEVICES.teacherDrive, '1-1');
    await s.kernel.plug(SAMPLE_DEVICES.studentDrive, '1-2');
    await blocked(s.kernel, '1-1');
    await blocked(s.kernel, '1-2');
    const two = await cli(['--config', s.configPath, '--reason', 'x']);
    expect(two.code).toBe(2);
    expect(two.err).toContain('请用 --device 指定');
    expect(two.err).toContain('--device 1-1');
    expect(two.err).toContain('--device 1-2');

    expect((await cli(['--config', s.configPath, '--reason', 'x', '--device', 'sda1'])).code).toBe(64);
    expect((await cli(['--config', s.configPath, '--reason', 'x', '--hours', '0'])).code).toBe(64);
    expect((await cli(['--config', s.configPath, '--device', '1-1'])).code).toBe(64);
    expect((await cli(['--config', s.configPath, '--reason', 'x', '--device', '2-9'])).code).toBe(2);

    const chosen = await cli(['--config', s.configPath, '--reason', 'x', '--device', '1-2']);
    expect(chosen.code).toBe(0);
    const req = await s.observer.waitJson<UsbDeviceRequest>('/request', () => true, 'request for 1-2');
    expect(req.device).toMatchObject({ port: '1-2', vid: '090c', serial: SAMPLE_DEVICES.studentDrive.serial });
    await new Promise((r) => setTimeout(r, 300));
    expect(requests(s)).toHaveLength(1); // nothing was sent for the refused invocations
  });

  it('discards malformed, oversized, linked and foreign files without crashing, and still serves good ones', async () => {
    const s = await setup({ plug: async (k) => void (await k.plug(SAMPLE_DEVICES.teacherDrive, '1-1')) });
    const good = { format: SPOOL_FORMAT, createdAt: Date.now(), device: { port: '1-1', vid: '0781', pid: '5567', serial: null }, reason: 'ok' };
    await writeFile(join(s.spoolDir, 'a-garbage.json'), '{"format":');
    await writeFile(join(s.spoolDir, 'b-huge.json'), JSON.stringify({ ...good, reason: 'x'.repeat(10_000) }));
    await writeFile(join(s.spoolDir, 'c-unknown-field.json'), JSON.stringify({ ...good, requestedBy: 'headmaster' }));
    await writeFile(join(s.spoolDir, 'd-bad-vid.json'), JSON.stringify({ ...good, device: { vid: 'zzzz', pid: '5567', serial: null } }));
    await symlink('/etc/passwd', join(s.spoolDir, 'e-link.json'));
    await mkdir(join(s.spoolDir, 'f-dir.json'));
    await writeFile(join(s.spoolDir, 'g-notes.txt'), 'hello');
    await writeFile(join(s.spoolDir, 'z-good.json'), JSON.stringify(good));

    const req = await s.observer.waitJson<UsbDeviceRequest>('/request', () => true, 'the good request');
    expect(req).toMatchObject({ note: 'ok', requestedBy: userInfo().username, device: { port: '1-1', serial: SAMPLE_DEVICES.teacherDrive.serial } });
    await waitFor(async () => (await readdir(s.spoolDir)).length === 0, 'every file handled');
    const discarded = s.logs.filter((l) => l.msg === 'request file discarded').map((l) => String(l.fields?.file));
    expect(discarded.sort()).toEqual(['a-garbage.json', 'b-huge.json', 'c-unknown-field.json', 'd-bad-vid.json', 'e-link.json', 'f-dir.json', 'g-notes.txt']);
    expect(await lstat('/etc/passwd')).toBeTruthy(); // the link went, not its target
    expect(requests(s)).toHaveLength(1);
    expect(s.agent.edgeConnected).toBe(true);
  });

  it('limits requests per user', async () => {
    const s = await setup({ config: { requests: { perUserPerHour: 2 } }, plug: async (k) => void (await k.plug(SAMPLE_DEVICES.teacherDrive, '1-1')) });
    for (let i = 0; i < 4; i++) expect((await cli(['--config', s.configPath, '--reason', `try ${i}`])).code).toBe(0);
    await waitFor(async () => (await readdir(s.spoolDir)).length === 0, 'spool handled');
    await waitFor(() => requests(s).length === 2, 'two requests');
    expect(s.logs.filter((l) => String(l.fields?.why).startsWith('rate limit'))).toHaveLength(2);
  });

  it('keeps the request while the edge is unreachable and sends it after the reconnect', async () => {
    const s = await setup({ plug: async (k) => void (await k.plug(SAMPLE_DEVICES.teacherDrive, '1-1')) });
    const { port, keys, accounts } = s.edge;
    await s.observer.close();
    await s.edge.close();
    await waitFor(() => !s.agent.edgeConnected, 'agent offline');

    expect((await cli(['--config', s.configPath, '--reason', 'while offline', '--hours', '1'])).code).toBe(0);
    // Several scans pass with the edge away; the file must still be there.
    await waitFor(() => s.logs.some((l) => l.msg === 'device request accepted'), 'request accepted');
    await new Promise((r) => setTimeout(r, 600));
    expect((await readdir(s.spoolDir)).filter((n) => n.endsWith('.json'))).toHaveLength(1);

    const edge2 = await startTestEdge({ port, keys, accounts: Object.fromEntries(accounts) });
    cleanup.push(() => edge2.close());
    const observer2 = await EdgeClient.connect(edge2);
    cleanup.push(() => observer2.close());
    const req = await observer2.waitJson<UsbDeviceRequest>('/request', () => true, 'request after reconnect');
    expect(UsbDeviceRequestSchema.parse(req)).toMatchObject({ note: 'while offline', durationMinutes: 60, device: { port: '1-1', vid: '0781' } });
    await waitFor(async () => (await readdir(s.spoolDir)).length === 0, 'spool emptied');
  });

  it('works from the real bin run as an unprivileged user', async () => {
    const s = await setup({ plug: async (k) => void (await k.plug(SAMPLE_DEVICES.teacherDrive, '1-1')) });
    // What an installer does for teachers: the config holds no secret, so it may be readable.
    const loaded = await loadAgentConfig(s.configPath);
    await writeFile(s.configPath, JSON.stringify({ agentId: AGENT_ID, sysfsRoot: loaded.config.sysfsRoot, requests: { spoolDir: s.spoolDir } }));
    await chmod(s.configPath, 0o644);
    for (const d of [dirname(s.configPath), dirname(s.spoolDir), s.kernel.root]) await chmod(d, 0o755);
    const asNobody = process.getuid?.() === 0;
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', BIN, 'request', '--config', s.configPath, '--reason', 'from the bin'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(asNobody ? { uid: 65534, gid: 65534, env: { ...process.env, HOME: '/tmp' } } : {}),
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toContain('Request sent to IT');
    const req = await s.observer.waitJson<UsbDeviceRequest>('/request', () => true, 'request from the bin');
    expect(req).toMatchObject({ note: 'from the bin', requestedBy: asNobody ? 'nobody' : userInfo().username, device: { port: '1-1' } });
  });
});
