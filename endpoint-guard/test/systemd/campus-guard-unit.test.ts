import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '@campus/protocol/topics';
import type { PolicyAck } from '@campus/protocol/usb/messages';
import { FakeUsbKernel } from '../../src/fake-kernel/fake-usb-kernel.js';
import { SAMPLE_DEVICES } from '../../src/fake-kernel/sample-devices.js';
import { writeAgentConfig } from '../helpers/agent-config.js';
import { EdgeClient } from '../helpers/edge-client.js';
import { makePolicy } from '../helpers/policies.js';
import { UNIT_PATH, unitNodeFlags } from '../helpers/systemd-unit.js';
import { startTestEdge } from '../helpers/test-edge.js';
import { waitFor } from '../helpers/wait.js';

const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
// PR_SET_MDWE (Linux 6.3+) is the kernel's own W^X switch, what MemoryDenyWriteExecute= asks for.
const MDWE_EXEC = `import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:
    sys.exit(97)
os.execvp(sys.argv[1], sys.argv[1:])`;
const hasMdwe = spawnSync('/usr/bin/python3', ['-c', MDWE_EXEC, 'true']).status === 0;

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('systemd unit', () => {
  it.runIf(hasAnalyze)('passes systemd-analyze verify', () => {
    const dir = mkdtempSync(join(tmpdir(), 'unit-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    copyFileSync(UNIT_PATH, join(dir, 'campus-guard.service'));
    const r = spawnSync('systemd-analyze', ['verify', join(dir, 'campus-guard.service')], { encoding: 'utf8' });
    expect(r.stderr.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it.runIf(hasAnalyze)('is hardened: exposure 3.0 or better, no capabilities, W^X, no new privileges', () => {
    const out = execFileSync('systemd-analyze', ['security', '--offline=true', UNIT_PATH], { encoding: 'utf8' });
    const exposure = Number(/Overall exposure level for .*: ([\d.]+)/.exec(out)?.[1]);
    expect(exposure).toBeLessThanOrEqual(3.0);
    for (const ok of ['NoNewPrivileges=', 'MemoryDenyWriteExecute=', 'RestrictSUIDSGID=']) expect(out).toMatch(new RegExp(`✓ ${ok}`));
  });

  it('starts node with --jitless, which MemoryDenyWriteExecute requires', () => {
    expect(unitNodeFlags()).toContain('--jitless');
  });

  it.runIf(hasMdwe)('runs the agent with the unit\'s node flags under the kernel\'s W^X (PR_SET_MDWE): connects, applies a policy, decides a device', async () => {
    const kernel = await FakeUsbKernel.create();
    cleanup.push(() => kernel.close());
    const edge = await startTestEdge();
    cleanup.push(() => edge.close());
    const observer = await EdgeClient.connect(edge);
    cleanup.push(() => observer.close());
    const { path, dir } = await writeAgentConfig(edge, 'pc-wx', kernel.root);
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    await edge.publishPolicy('pc-wx', makePolicy({ version: 2 }));

    const bin = fileURLToPath(new URL('../../src/bin/campus-guard.ts', import.meta.url));
    const repo = fileURLToPath(new URL('../../../', import.meta.url));
    const child = spawn('/usr/bin/python3', ['-c', MDWE_EXEC, process.execPath, ...unitNodeFlags(), '--conditions=source', '--import', 'tsx', bin, 'start', '--config', path], {
      cwd: repo,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    cleanup.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await waitFor(() => observer.json<PolicyAck>('/ack').some((a) => a.version === 2 && a.status === 'applied') || child.exitCode !== null, 'policy applied');
    expect(child.exitCode, stderr.slice(-2000)).toBeNull();
    expect(observer.received.some((r) => r.topic === topics.agentState('pc-wx') && r.text === 'online')).toBe(true);
    const drive = await kernel.plug(SAMPLE_DEVICES.studentDrive);
    await waitFor(() => observer.json<{ kind: string }>('/usb').some((e) => e.kind === 'blocked'), 'drive blocked');
    expect((await kernel.inspect(drive))!.authorized).toBe(false);
  });
});
