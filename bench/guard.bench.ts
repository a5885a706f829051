/**
 * Endpoint guard benchmarks (issue 5):
 *   guard.decision.p99     fake-kernel insert event -> authorization written (ms)
 *   guard.agents.apply1000 the agents' side of a push: a signed policy published on the endpoint-guard
 *                          test broker (a stand-in, not the edge) to 1,000 agents, all applied and acked (s).
 *                          The edge's own push is guard.policy.push1000 in endpoints.bench.ts.
 *   guard.idle.rss         an idle agent process, started exactly as the systemd unit does (MB)
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { topics } from '@campus/protocol/topics';
import type { UsbPolicy } from '@campus/protocol/usb/policy';
import { PolicyAckSchema } from '@campus/protocol/usb/messages';
import { policyKeyring, signPolicy } from '@campus/protocol/usb/signing';
import { GuardAgent } from '@campus/endpoint-guard/agent';
import { AgentConfigSchema } from '@campus/protocol/usb/agent-config';
import type { UsbEnforcer } from '@campus/endpoint-guard/enforcer';
import { FakeUsbKernel, type FakeDeviceSpec } from '@campus/endpoint-guard/fake-kernel/fake-usb-kernel';
import { SAMPLE_DEVICES } from '@campus/endpoint-guard/fake-kernel/sample-devices';
import { LinuxUsbGuard } from '@campus/endpoint-guard/linux/linux-usb-guard';
import { SysfsUsb } from '@campus/endpoint-guard/linux/sysfs-usb';
import { silentLogger } from '@campus/endpoint-guard/log/logger';
import { percentile, report } from './lib.js';
import { writeAgentConfig } from '../endpoint-guard/test/helpers/agent-config.js';
import { makePolicy, teacherDriveRule } from '../endpoint-guard/test/helpers/policies.js';
import { unitNodeFlags } from '../endpoint-guard/test/helpers/systemd-unit.js';
import { startTestEdge, type TestEdge } from '../endpoint-guard/test/helpers/test-edge.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));

// ---- guard.decision.p99 --------------------------------------------------------------------

async function decisionLatency(): Promise<void> {
  const kernel = await FakeUsbKernel.create({ buses: 4 });
  const guard = new LinuxUsbGuard({ sysfs: new SysfsUsb(kernel.root), events: kernel, log: silentLogger });
  await guard.start(makePolicy({ rules: [teacherDriveRule] }));
  await until(() => kernel.buses.every((b) => kernel.controllerState(b).authorizedDefault === 0));

  // Devices the policy lets in, so each insertion ends in a write to `authorized`.
  const allowed: FakeDeviceSpec[] = [SAMPLE_DEVICES.keyboard, SAMPLE_DEVICES.mouse, SAMPLE_DEVICES.teacherDrive, SAMPLE_DEVICES.keyboardStorageStick, SAMPLE_DEVICES.hub];
  const addedAt = new Map<string, number>();
  kernel.start((e) => {
    if (e.action === 'add' && !e.name.includes(':')) addedAt.set(e.name, e.receivedAt);
  });
  const deviceMs: number[] = [];
  const interfaceMs: number[] = [];
  let waiting: { name: string; device?: number; done: () => void } | null = null;
  kernel.onWrite((w) => {
    if (!waiting) return;
    if (w.name === waiting.name && w.attribute === 'authorized' && w.value === '1' && waiting.device === undefined) waiting.device = w.at;
    if (w.attribute === 'drivers_probe' && w.value.startsWith(`${waiting.name}:`) && waiting.device !== undefined) waiting.done();
  });
  const rounds = 450;
  const warmup = 50;
  for (let i = 0; i < rounds; i++) {
    const port = `${1 + (i % 4)}-${1 + ((i >> 2) % 100)}`;
    const spec = allowed[i % allowed.length]!;
    const finished = new Promise<void>((resolve) => (waiting = { name: port, done: resolve }));
    await kernel.plug(spec, port);
    await finished;
    const w = waiting!;
    waiting = null;
    if (i >= warmup) {
      deviceMs.push(w.device! - addedAt.get(port)!);
      interfaceMs.push(performance.now() - addedAt.get(port)!);
    }
    await kernel.unplug(port);
    await guard.idle();
  }
  await guard.stop();
  await kernel.close();
  deviceMs.sort((a, b) => a - b);
  interfaceMs.sort((a, b) => a - b);
  report({
    name: 'guard.decision.p99',
    metric: 'p99 latency',
    value: round(percentile(deviceMs, 99), 2),
    unit: 'ms',
    target: '<= 20',
    notes: `insert uevent -> device authorized written, ${deviceMs.length} insertions (keyboards, mice, allowed drive, keyboard+storage, hub) on a tmpfs fake kernel; p50 ${round(percentile(deviceMs, 50), 2)} ms; through to the first interface probe (driver binding asked) p99 ${round(percentile(interfaceMs, 99), 2)} ms`,
  });
}

// ---- guard.agents.apply1000 -----------------------------------------------------------------

/** A PC without USB devices: the enforcement step is empty, everything else is the real agent. */
class NoDevices implements UsbEnforcer {
  async start(): Promise<void> {}
  async applyPolicy(): Promise<number> {
    return 0;
  }
  snapshot() {
    return { present: 0, blocked: 0 };
  }
  async stop(): Promise<void> {}
}

async function policyPush(agents: number): Promise<void> {
  const edge = await startTestEdge();
  const stateRoot = await mkdtemp(join('/dev/shm', 'guard-push-'));
  const fleet: GuardAgent[] = [];
  const connected = new Set<string>();
  edge.broker.on('subscribe', (subs, client) => {
    if (subs.some((s) => s.topic.endsWith('/policy'))) connected.add(client.id);
  });
  for (let i = 0; i < agents; i++) {
    const agentId = `pc-${String(i).padStart(4, '0')}`;
    const password = `pw-${agentId}`;
    edge.accounts.set(agentId, password);
    const config = AgentConfigSchema.parse({
      agentId,
      edge: { host: '127.0.0.1', port: edge.port, fingerprintsSha256: [edge.fingerprint], reconnectSeconds: 5 },
      credentials: { password },
      policyKeys: [{ kid: edge.keys.kid, publicKeyPem: edge.keys.publicKeyPem }],
      stateDir: join(stateRoot, agentId),
      heartbeatSeconds: 3600,
    });
    const agent = new GuardAgent({
      loaded: { path: '(bench)', config, username: agentId, password, pins: [edge.fingerprint], keyring: policyKeyring([{ kid: edge.keys.kid, publicKey: edge.keys.publicKeyPem }]) },
      log: silentLogger,
      enforcer: () => new NoDevices(),
    });
    fleet.push(agent);
    await agent.start();
    if (i % 50 === 49) await until(() => connected.size > i - 25, 60_000); // do not stampede the handshakes
  }
  await until(() => connected.size === agents, 120_000);

  const applied = new Set<string>();
  let refused = 0;
  edge.broker.on('publish', (packet, client) => {
    if (!client || !packet.topic.endsWith('/ack')) return;
    const ack = PolicyAckSchema.parse(JSON.parse(packet.payload.toString()));
    if (ack.version === 2 && ack.status === 'applied') applied.add(ack.agentId);
    else refused++;
  });
  const policy: UsbPolicy = makePolicy({ version: 2, rules: [teacherDriveRule] });
  const t0 = performance.now();
  // The edge signs once per target and publishes a retained copy on each PC's topic.
  const payload = Buffer.from(JSON.stringify(signPolicy(policy, edge.keys.privateKey, edge.keys.kid)));
  await Promise.all(fleet.map((_, i) => publishRetained(edge, topics.agentPolicy(`pc-${String(i).padStart(4, '0')}`), payload)));
  await until(() => applied.size === agents, 120_000);
  const seconds = (performance.now() - t0) / 1000;

  await Promise.all(fleet.map((a) => a.stop()));
  await edge.close();
  await rm(stateRoot, { recursive: true, force: true });
  report({
    name: 'guard.agents.apply1000',
    metric: 'agents only: retained signed policy on the test broker (a stand-in for the edge) → all 1,000 applied and acknowledged',
    value: round(seconds, 3),
    unit: 's',
    target: '<= 5',
    notes: `${agents} agents in one process, each its own pinned-TLS MQTT connection to aedes; each verifies the Ed25519 signature, checks version and target, saves the policy atomically (tmpfs) and acks; refused acks: ${refused}`,
  });
}

function publishRetained(edge: TestEdge, topic: string, payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    edge.broker.publish({ cmd: 'publish', topic, payload, qos: 1, retain: true, dup: false }, (err) => (err ? reject(err) : resolve())),
  );
}

// ---- guard.idle.rss ------------------------------------------------------------------------

async function idleRss(): Promise<void> {
  // The built agent, as shipped: compile if needed (incremental, a no-op when up to date).
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', 'endpoint-guard'], { cwd: REPO, stdio: 'inherit' });

  const kernel = await FakeUsbKernel.create();
  await kernel.plug(SAMPLE_DEVICES.keyboard);
  await kernel.plug(SAMPLE_DEVICES.mouse);
  await kernel.plug(SAMPLE_DEVICES.studentDrive);
  const edge = await startTestEdge();
  const { path, dir } = await writeAgentConfig(edge, 'pc-idle', kernel.root, { kernelEvents: { source: 'poll', pollMs: 500 }, heartbeatSeconds: 30 });
  await edge.publishPolicy('pc-idle', makePolicy({ version: 4, rules: [teacherDriveRule], exceptions: [{ id: 'exam', match: { serial: 'X' }, expiresAt: Date.now() + 3_600_000 }] }));
  let acked = false;
  edge.broker.on('publish', (packet) => {
    if (packet.topic === topics.agentAck('pc-idle')) acked = true;
  });
  const flags = unitNodeFlags();
  const child = spawn(process.execPath, [...flags, join(REPO, 'endpoint-guard/dist/bin/campus-guard.js'), 'start', '--config', path], { stdio: ['ignore', 'ignore', 'ignore'] });
  await until(() => acked, 60_000);
  await sleep(8000); // settle: startup garbage collected, timers running, nothing happening
  const samples: number[] = [];
  for (let i = 0; i < 10; i++) {
    samples.push(await rssMb(child.pid!));
    await sleep(500);
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await edge.close();
  await kernel.close();
  await rm(dir, { recursive: true, force: true });

  const bare = spawn(process.execPath, [...flags, '-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await sleep(2000);
  const bareMb = await rssMb(bare.pid!);
  bare.kill('SIGKILL');

  samples.sort((a, b) => a - b);
  report({
    name: 'guard.idle.rss',
    metric: 'resident set size (median of 10 samples)',
    value: round(percentile(samples, 50), 1),
    unit: 'MB',
    target: '<= 60',
    notes: `node ${flags.join(' ')} (the systemd unit's command line), connected over pinned TLS, policy v4 applied, 3 devices, fake kernel polled every 500 ms; max ${round(samples.at(-1)!, 1)} MB; an empty node process with the same flags: ${round(bareMb, 1)} MB`,
  });
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

// ---- helpers -------------------------------------------------------------------------------

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function until(cond: () => boolean, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('benchmark step did not complete in time');
    await sleep(2);
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

await decisionLatency();
await policyPush(1000);
await idleRss();
