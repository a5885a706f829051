import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../helpers/edge.js';
import { eventually, startGuardEdge, type AgentConfigFile, type TestEdge } from './helpers.js';
import { FakeKernelProcess, GuardAgentProcess, REPO_ROOT, writeConfig, type DeviceSpec } from './processes.js';

/**
 * The teacher's side of a device request with nothing simulated: the drive is blocked
 * by the real campus-guard agent, the teacher runs the real `campus-guard request`
 * command as an unprivileged user, the real edge stores the request, IT approves it,
 * and the drive comes alive on the PC.
 */
const GUARD_BIN = join(REPO_ROOT, 'endpoint-guard', 'src', 'bin', 'campus-guard.ts');
const TEACHER_DRIVE: DeviceSpec = { vid: '0781', pid: '5567', serial: '4C530001230101104512', manufacturer: 'SanDisk', product: 'Cruzer Blade', interfaces: [{ number: 0, class: 8, subClass: 6, protocol: 0x50 }] };

function runRequest(args: string[]): Promise<{ code: number | null; out: string }> {
  const asNobody = process.getuid?.() === 0;
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', GUARD_BIN, 'request', ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asNobody ? { uid: 65534, gid: 65534, env: { ...process.env, HOME: '/tmp' } } : {}),
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

describe('a teacher asks for a blocked drive from the PC; IT approves it on the edge', () => {
  let edge: TestEdge;
  let it_: ApiClient;
  let kernel: FakeKernelProcess;
  let agent: GuardAgentProcess | null = null;
  let work: string;
  let cliConfig: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'guard-request-e2e-'));
    chmodSync(work, 0o755);
    ({ edge, it: it_ } = await startGuardEdge());
    kernel = await FakeKernelProcess.start(work);
    chmodSync(kernel.root, 0o755);
  }, 60_000);

  afterAll(async () => {
    await agent?.kill();
    await kernel?.stop();
    await edge?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('delivers the request with the device facts, and the approval lets the drive in', async () => {
    const r = await it_.req('POST', '/api/endpoints/agents', { agentId: 'pc-lab4-02', displayName: '机房4 02号', groups: ['lab-4'], edgeHost: '127.0.0.1' });
    expect(r.status).toBe(201);
    const spoolDir = join(work, 'spool');
    const extra = { stateDir: join(work, 'state'), sysfsRoot: kernel.root, kernelEvents: { source: 'poll', pollMs: 50 }, heartbeatSeconds: 5, requests: { spoolDir, scanSeconds: 1 } };
    const configPath = join(work, 'campus-guard.json');
    writeConfig(configPath, { ...(r.json.config as AgentConfigFile), ...extra });
    // The teacher cannot read the agent's config (it holds the password); give the command the two paths it needs.
    cliConfig = join(work, 'request.json');
    writeConfig(cliConfig, { sysfsRoot: kernel.root, requests: { spoolDir } });
    chmodSync(cliConfig, 0o644);
    agent = GuardAgentProcess.start(configPath);

    const name = await kernel.plug(TEACHER_DRIVE);
    await eventually(async () => ((await kernel.inspect(name))?.authorized === false ? true : undefined), 30_000, 50);
    await eventually(async () => {
      const a = ((await it_.req('GET', '/api/endpoints/agents')).json.agents as Array<{ agentId: string; online: boolean }>).find((x) => x.agentId === 'pc-lab4-02');
      return a?.online ? a : undefined;
    }, 30_000, 100);

    const cli = await runRequest(['--config', cliConfig, '--reason', '公开课课件', '--hours', '2']);
    expect(cli, agent.output).toMatchObject({ code: 0 });
    expect(cli.out).toContain('已向信息中心申请使用该 U 盘');

    type Row = { id: string; agentId: string; requestedBy: string; note: string; durationMinutes: number | null; device: { vid: string; serial: string | null; port: string; interfaceClasses: number[] } };
    const req = await eventually(async () => {
      const rows = (await it_.req('GET', '/api/endpoints/requests?agent=pc-lab4-02')).json.requests as Row[];
      return rows[0];
    }, 30_000, 100).catch((err: Error) => {
      throw new Error(`${err.message}\nagent output:\n${agent?.output}`);
    });
    expect(req).toMatchObject({ agentId: 'pc-lab4-02', note: '公开课课件', durationMinutes: 120, device: { vid: '0781', serial: TEACHER_DRIVE.serial, port: name, interfaceClasses: [8] } });
    expect(req.requestedBy).toBe(process.getuid?.() === 0 ? 'nobody' : userInfo().username);

    const ok = await it_.req('POST', `/api/endpoints/requests/${req.id}/approve`, { kind: 'temporary' });
    expect(ok.status).toBe(200);
    await eventually(async () => {
      const v = await kernel.inspect(name);
      return v?.authorized && v.interfaces[0]?.driver === 'usb-storage' ? v : undefined;
    }, 30_000, 50);
  }, 120_000);
});
