import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentHeartbeatSchema, PolicyAckSchema, UsbEventSchema, type PolicyAck, type UsbEvent } from '@campus/protocol/usb/messages';
import { generatePolicyKeyPair, signPolicy } from '@campus/protocol/usb/signing';
import { topics } from '@campus/protocol/topics';
import { GuardAgent } from '../../src/agent.js';
import { loadAgentConfig } from '../../src/config/load-config.js';
import { FakeUsbKernel } from '../../src/fake-kernel/fake-usb-kernel.js';
import { SAMPLE_DEVICES } from '../../src/fake-kernel/sample-devices.js';
import { silentLogger } from '../../src/log/logger.js';
import type { AgentConfigInput } from '@campus/protocol/usb/agent-config';
import { writeAgentConfig } from '../helpers/agent-config.js';
import { EdgeClient } from '../helpers/edge-client.js';
import { makePolicy, teacherDriveRule } from '../helpers/policies.js';
import { startTestEdge, type TestEdge } from '../helpers/test-edge.js';
import { waitFor } from '../helpers/wait.js';
import { freePort } from '@campus/testkit';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

interface Setup {
  kernel: FakeUsbKernel;
  edge: TestEdge;
  observer: EdgeClient;
  agent: GuardAgent;
  agentId: string;
}

async function setup(opts: { agentId?: string; config?: Partial<AgentConfigInput>; before?: (k: FakeUsbKernel) => Promise<void> } = {}): Promise<Setup> {
  const agentId = opts.agentId ?? 'pc-lab1-01';
  const kernel = await FakeUsbKernel.create();
  cleanup.push(() => kernel.close());
  await opts.before?.(kernel);
  const edge = await startTestEdge();
  cleanup.push(() => edge.close());
  const observer = await EdgeClient.connect(edge);
  cleanup.push(() => observer.close());
  const { path, dir } = await writeAgentConfig(edge, agentId, kernel.root, opts.config);
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const agent = new GuardAgent({ loaded: await loadAgentConfig(path), log: silentLogger, kernelEvents: kernel });
  cleanup.push(() => agent.stop());
  await agent.start();
  return { kernel, edge, observer, agent, agentId };
}

const acks = (s: Setup) => s.observer.json<PolicyAck>('/ack');
const usbEvents = (s: Setup) => s.observer.json<UsbEvent>('/usb');
const ackFor = (s: Setup, pred: (a: PolicyAck) => boolean, what: string) => s.observer.waitJson<PolicyAck>('/ack', pred, what);

describe('agent against a real aedes broker over pinned TLS', () => {
  it('goes online, applies a signed policy to connected devices, acknowledges, reports USB events', async () => {
    const s = await setup({
      before: async (k) => {
        await k.plug(SAMPLE_DEVICES.teacherDrive, '1-1');
        await k.plug(SAMPLE_DEVICES.keyboard, '1-2');
      },
    });
    await waitFor(() => s.observer.on('/state').some((r) => r.text === 'online' && r.topic === topics.agentState(s.agentId)), 'online state');
    // Built-in policy until the edge speaks: the drive is cut off, the keyboard works.
    await waitFor(async () => (await s.kernel.inspect('1-1'))?.authorized === false, 'drive blocked');

    // The edge signs and publishes (retained) over its own MQTT connection.
    const signed = signPolicy(makePolicy({ version: 7, rules: [teacherDriveRule] }), s.edge.keys.privateKey, s.edge.keys.kid);
    await s.observer.publish(topics.agentPolicy(s.agentId), JSON.stringify(signed));
    const ack = await ackFor(s, (a) => a.version === 7, 'ack v7');
    expect(PolicyAckSchema.parse(ack)).toMatchObject({ agentId: s.agentId, status: 'applied', reason: 'usb.policy.applied', activeVersion: 7, persisted: true });
    await waitFor(async () => (await s.kernel.inspect('1-1'))?.interfaces[0]?.driver === 'usb-storage', 'drive allowed by policy v7');

    const events = await waitFor(() => {
      const e = usbEvents(s);
      return e.some((x) => x.kind === 'allowed' && x.device.port === '1-1') ? e : null;
    }, 'allowed event for the drive');
    for (const e of events) UsbEventSchema.parse(e);
    const drive = events.filter((e) => 'device' in e && e.device.port === '1-1').map((e) => `${e.kind}:${'rule' in e ? e.rule : ''}`);
    expect(drive).toEqual(['inserted:', 'blocked:builtin.mass-storage', 'allowed:rule:wang-drive']);
    const allowed = events.find((e) => e.kind === 'allowed' && e.device.port === '1-1')!;
    expect(allowed).toMatchObject({ policyVersion: 7, device: { vid: '0781', pid: '5567', serial: SAMPLE_DEVICES.teacherDrive.serial, interfaceClasses: [8] } });

    const hb = await s.observer.waitJson('/heartbeat', () => true, 'heartbeat');
    expect(AgentHeartbeatSchema.parse(hb)).toMatchObject({ agentId: s.agentId, platform: 'linux', devicesPresent: 2 });
    expect(s.edge.denied).toEqual([]); // the agent only used topics its ACL allows
  });

  it('reports a keyboard+storage stick as a partial block, with the rule per interface', async () => {
    const s = await setup();
    await waitFor(() => s.agent.edgeConnected, 'connected');
    await s.kernel.plug(SAMPLE_DEVICES.keyboardStorageStick, '2-3');
    const e = await s.observer.waitJson<UsbEvent>('/usb', (x) => x.kind === 'blocked', 'blocked event');
    expect(e).toMatchObject({ kind: 'blocked', outcome: 'partial', rule: 'builtin.mass-storage', reason: 'usb.blocked.mass_storage' });
    if (e.kind !== 'blocked') throw new Error('unreachable');
    expect(e.interfaces.map((i) => [i.class, i.action, i.rule])).toEqual([
      [3, 'allow', 'builtin.hid'],
      [8, 'deny', 'builtin.mass-storage'],
    ]);
  });

  it('refuses forged, replayed, older, unknown-field, misaddressed and garbage policies, and keeps enforcing', async () => {
    const s = await setup({ before: async (k) => void (await k.plug(SAMPLE_DEVICES.teacherDrive, '1-1')) });
    const v5 = await s.edge.publishPolicy(s.agentId, makePolicy({ version: 5 }));
    await ackFor(s, (a) => a.version === 5 && a.status === 'applied', 'v5 applied');

    // Forged: a valid v6 signature, but the policy was changed to open the kill switch.
    const v6 = signPolicy(makePolicy({ version: 6 }), s.edge.keys.privateKey, s.edge.keys.kid);
    await s.edge.publishRaw(s.agentId, JSON.stringify({ ...v6, policy: { ...v6.policy, killSwitch: true } }));
    expect(await ackFor(s, (a) => a.version === 6, 'forged ack')).toMatchObject({ status: 'refused', reason: 'usb.policy.bad_signature', activeVersion: 5 });

    // Signed by a key the PC does not trust.
    const stranger = generatePolicyKeyPair();
    await s.edge.publishRaw(s.agentId, JSON.stringify(signPolicy(makePolicy({ version: 8, killSwitch: true }), stranger.privateKey, stranger.kid)));
    expect(await ackFor(s, (a) => a.reason === 'usb.policy.unknown_key', 'unknown key')).toMatchObject({ status: 'refused', activeVersion: 5 });

    // An older policy, genuinely signed (a replay of last term's kill switch).
    await s.edge.publishPolicy(s.agentId, makePolicy({ version: 4, killSwitch: true }));
    expect(await ackFor(s, (a) => a.version === 4, 'older')).toMatchObject({ status: 'refused', reason: 'usb.policy.older', activeVersion: 5 });

    // The same v5 again (as after every reconnect): acknowledged, not re-applied.
    await s.edge.publishRaw(s.agentId, JSON.stringify(v5));
    expect(await ackFor(s, (a) => a.status === 'already-applied', 'same again')).toMatchObject({ version: 5, reason: 'usb.policy.already_applied' });

    // A different policy reusing version 5.
    await s.edge.publishPolicy(s.agentId, makePolicy({ version: 5, killSwitch: true }));
    expect(await ackFor(s, (a) => a.reason === 'usb.policy.version_conflict', 'conflict')).toMatchObject({ status: 'refused', activeVersion: 5 });

    // Addressed to another PC.
    await s.edge.publishPolicy(s.agentId, makePolicy({ version: 9, target: { scope: 'pc', agentId: 'pc-office-07' } }));
    expect(await ackFor(s, (a) => a.version === 9, 'wrong target')).toMatchObject({ status: 'refused', reason: 'usb.policy.wrong_target' });

    // Garbage and an unknown envelope field.
    await s.edge.publishRaw(s.agentId, '{"format":"campus.usb-policy.signed/1","policy":');
    expect(await ackFor(s, (a) => a.reason === 'usb.policy.malformed' && a.version === null, 'garbage')).toMatchObject({ status: 'refused' });
    await s.edge.publishRaw(s.agentId, JSON.stringify({ ...v5, comment: 'hi' }));
    await waitFor(() => acks(s).filter((a) => a.reason === 'usb.policy.malformed').length === 2, 'envelope with unknown field refused');

    // Nothing of the above changed what is enforced.
    expect(s.agent.policy.version).toBe(5);
    expect((await s.kernel.inspect('1-1'))!.authorized).toBe(false);
    for (const a of acks(s)) PolicyAckSchema.parse(a);
  });

  it('refuses a signed policy with fields it does not know', async () => {
    const s = await setup();
    const signed = signPolicy(makePolicy({ version: 3 }), s.edge.keys.privateKey, s.edge.keys.kid);
    const { sign } = await import('node:crypto');
    const { canonicalJson } = await import('@campus/protocol/usb/canonical-json');
    const policy = { ...signed.policy, allowBluetooth: true };
    const value = sign(null, Buffer.from(`campus.usb-policy.v1\n${canonicalJson(policy)}`), s.edge.keys.privateKey).toString('base64');
    await s.edge.publishRaw(s.agentId, JSON.stringify({ ...signed, policy, signature: { ...signed.signature, value } }));
    expect(await ackFor(s, (a) => a.version === 3, 'ack')).toMatchObject({ status: 'refused', reason: 'usb.policy.invalid', activeVersion: 0 });
  });

  it('ignores an empty retained message (the edge cleared the topic) and keeps the policy', async () => {
    const s = await setup();
    await s.edge.publishPolicy(s.agentId, makePolicy({ version: 2 }));
    await ackFor(s, (a) => a.version === 2, 'v2');
    await s.edge.publishRaw(s.agentId, '');
    await s.edge.publishPolicy(s.agentId, makePolicy({ version: 3 }));
    await ackFor(s, (a) => a.version === 3, 'v3');
    expect(acks(s).map((a) => a.version)).toEqual([2, 3]);
  });

  it('enforces while the edge is unreachable at start, then connects and applies the retained policy', async () => {
    const port = await freePort();
    const kernel = await FakeUsbKernel.create();
    cleanup.push(() => kernel.close());
    await kernel.plug(SAMPLE_DEVICES.teacherDrive, '1-1');
    const keys = generatePolicyKeyPair();
    const accounts = new Map<string, string>();
    const { edgeCertificate } = await import('../helpers/test-edge.js');
    const { X509Certificate } = await import('node:crypto');
    const fingerprint = new X509Certificate((await edgeCertificate()).cert).fingerprint256;
    const { path, dir } = await writeAgentConfig({ port, fingerprint, keys, accounts }, 'pc-offline', kernel.root);
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const agent = new GuardAgent({ loaded: await loadAgentConfig(path), log: silentLogger, kernelEvents: kernel });
    cleanup.push(() => agent.stop());
    await agent.start(); // resolves without an edge

    expect(agent.edgeConnected).toBe(false);
    await waitFor(async () => (await kernel.inspect('1-1'))?.authorized === false, 'drive blocked with no edge');
    const stick = await kernel.plug(SAMPLE_DEVICES.keyboardStorageStick, '1-2');
    await waitFor(async () => {
      const v = await kernel.inspect(stick);
      return v?.interfaces[0]?.driver === 'usbhid' && v.interfaces[1]?.authorized === false;
    }, 'stick decided offline');

    const edge = await startTestEdge({ port, keys, accounts: Object.fromEntries(accounts) });
    cleanup.push(() => edge.close());
    const reported: UsbEvent[] = [];
    edge.broker.on('publish', (packet, client) => {
      if (client && packet.topic === topics.agentUsb('pc-offline')) reported.push(JSON.parse(packet.payload.toString()) as UsbEvent);
    });
    await edge.publishPolicy('pc-offline', makePolicy({ version: 2, rules: [teacherDriveRule] }));
    await agent.whenApplied(2);
    await waitFor(() => agent.edgeConnected, 'connected');
    await waitFor(async () => (await kernel.inspect('1-1'))?.interfaces[0]?.driver === 'usb-storage', 'drive allowed after connecting');
    // What happened offline was queued and reaches the edge once connected.
    await waitFor(() => reported.some((e) => e.kind === 'blocked' && e.device.port === '1-2' && e.policyVersion === 0), 'offline events delivered');
  });

  it('never sends its credentials to an edge whose certificate does not match the pin', async () => {
    const kernel = await FakeUsbKernel.create();
    cleanup.push(() => kernel.close());
    const edge = await startTestEdge();
    cleanup.push(() => edge.close());
    let authAttempts = 0;
    const original = edge.broker.authenticate;
    edge.broker.authenticate = (client, username, password, done) => {
      authAttempts++;
      original(client, username, password, done);
    };
    let connections = 0;
    edge.server.on('connection', () => connections++);
    const wrongPin = 'AB:'.repeat(31) + 'AB';
    const { path, dir } = await writeAgentConfig({ ...edge, fingerprint: wrongPin }, 'pc-pinned', kernel.root);
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const agent = new GuardAgent({ loaded: await loadAgentConfig(path), log: silentLogger, kernelEvents: kernel });
    cleanup.push(() => agent.stop());
    await agent.start();
    await waitFor(() => connections >= 2, 'two connection attempts (a retry)');
    expect(agent.edgeConnected).toBe(false);
    expect(edge.broker.connectedClients).toBe(0);
    expect(authAttempts).toBe(0);
  });
});

