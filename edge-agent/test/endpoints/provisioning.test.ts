import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { policyKeyId } from '@campus/protocol/usb/signing';
import { ApiClient, connectMqtt, startTestEdge } from '../helpers/edge.js';
import { eventually } from './helpers.js';
import { GUARD_USER, provision, SimulatedAgent, startGuardEdge, type TestEdge } from './helpers.js';

describe('endpoint guard: keys and provisioning PCs', () => {
  let edge: TestEdge;
  let it_: ApiClient;
  const agents: SimulatedAgent[] = [];

  beforeAll(async () => {
    ({ edge, it: it_ } = await startGuardEdge());
  });
  afterEach(() => {
    for (const a of agents.splice(0)) a.close();
  });
  afterAll(async () => edge.cleanup());

  it('creates the policy signing key on first start, mode 0600, and shows its public half and the broker fingerprint', async () => {
    const file = join(edge.dataDir, 'endpoints', 'policy-signing-key.pem');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const r = await it_.req('GET', '/api/endpoints/keys');
    expect(r.status).toBe(200);
    expect(r.json.policyKey.algorithm).toBe('Ed25519');
    expect(r.json.policyKey.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(r.json.policyKey.kid).toBe(policyKeyId(r.json.policyKey.publicKeyPem));
    expect(JSON.stringify(r.json)).not.toContain('PRIVATE KEY');
    expect(r.json.broker.tlsFingerprint256).toBe(edge.mqtt.tlsFingerprint256);
    expect(r.json.broker.tlsPort).toBe(edge.mqtt.tlsPort);
  });

  it('lets only IT (and admin) use the endpoint routes', async () => {
    const anon = new ApiClient(edge.httpUrl);
    expect((await anon.req('GET', '/api/endpoints/agents')).status).toBe(401);
    const guard = new ApiClient(edge.httpUrl);
    await guard.login(GUARD_USER.username, GUARD_USER.password);
    for (const [method, path] of [
      ['GET', '/api/endpoints/agents'],
      ['GET', '/api/endpoints/keys'],
      ['GET', '/api/endpoints/policies'],
      ['POST', '/api/endpoints/agents'],
    ] as const) {
      const r = await guard.req(method, path, method === 'POST' ? { agentId: 'pc-x', displayName: 'x' } : undefined);
      expect(r.status, `${method} ${path}`).toBe(403);
    }
  });

  it('registers a PC: pc-agent credentials that work over TLS, a config file shown once, and a signed policy waiting for it', async () => {
    const r = await it_.req('POST', '/api/endpoints/agents', { agentId: 'pc-lab1-01', displayName: '机房1 01号', groups: ['lab-1'], edgeHost: '127.0.0.1' });
    expect(r.status).toBe(201);
    const { config, fileName, broker } = r.json;
    expect(fileName).toBe('campus-guard-pc-lab1-01.json');
    expect(broker).toEqual({ host: '127.0.0.1', port: edge.mqtt.tlsPort, source: 'request' });
    expect(config).toEqual({
      agentId: 'pc-lab1-01',
      groups: ['lab-1'],
      edge: { host: '127.0.0.1', port: edge.mqtt.tlsPort, fingerprintsSha256: [edge.mqtt.tlsFingerprint256] },
      credentials: { password: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) },
      policyKeys: [{ kid: expect.stringMatching(/^ed25519-/), publicKeyPem: expect.stringContaining('PUBLIC KEY') }],
    });
    expect(edge.store.mqttClients.get('pc-lab1-01')).toMatchObject({ role: 'pc-agent', enabled: true });

    // The password is not kept: only the download had it. The audit hides it too.
    const detail = await it_.req('GET', '/api/endpoints/agents/pc-lab1-01');
    expect(JSON.stringify(detail.json)).not.toContain(config.credentials.password);
    const audit = JSON.stringify(edge.store.audit.list(50));
    expect(audit).toContain('endpoints.agent.provision');
    expect(audit).not.toContain(config.credentials.password);

    const agent = await SimulatedAgent.connect(config);
    agents.push(agent);
    const policy = await agent.waitForVersion(1);
    expect(policy.target).toEqual({ scope: 'pc', agentId: 'pc-lab1-01' });
    expect(policy.defaultAction).toBe('deny');
    expect(agent.refused).toEqual([]);
  });

  it('refuses a second registration of the same PC and an id used by a field device', async () => {
    const again = await it_.req('POST', '/api/endpoints/agents', { agentId: 'pc-lab1-01', displayName: '重复' });
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('endpoints.agent_exists');
    expect(again.json.error.message['zh-CN']).toContain('已登记');

    await edge.store.mqttClients.upsert({ clientId: 'gate-east', role: 'device', displayName: '东门', passwordHash: 'x' });
    const taken = await it_.req('POST', '/api/endpoints/agents', { agentId: 'gate-east', displayName: '东门电脑' });
    expect(taken.status).toBe(409);
    expect(taken.json.error.code).toBe('endpoints.client_taken');
    expect(edge.store.mqttClients.get('gate-east')!.role).toBe('device');
  });

  it('answers bad registration bodies with 400 and says what is wrong', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ agentId: 'pc/../x', displayName: 'x' }, /agentId/],
      [{ agentId: 'pc-1', displayName: '' }, /displayName/],
      [{ agentId: 'pc-1', displayName: 'x', groups: ['机房'] }, /groups\.0/],
      [{ agentId: 'pc-1', displayName: 'x', edgeHost: 'http://edge/' }, /edgeHost/],
      [{ agentId: 'pc-1', displayName: 'x', role: 'operator' }, /role|unrecognized/i],
    ];
    for (const [body, field] of cases) {
      const r = await it_.req('POST', '/api/endpoints/agents', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.code).toBe('request.invalid');
      expect(r.json.error.message.en).toMatch(field);
    }
    expect(edge.store.mqttClients.get('pc-1')).toBeUndefined();
  });

  it('issues new credentials: the old password stops working, the new one connects', async () => {
    const first = await provision(it_, 'pc-office-3');
    const r = await it_.req('POST', '/api/endpoints/agents/pc-office-3/credentials', { edgeHost: '127.0.0.1' });
    expect(r.status).toBe(200);
    expect(r.json.config.credentials.password).not.toBe(first.credentials.password);
    await expect(SimulatedAgent.connect(first)).rejects.toThrow();
    const agent = await SimulatedAgent.connect(r.json.config);
    agents.push(agent);
    await agent.waitForVersion(1);
  });

  it('decommissions a PC: credentials disabled and its retained policy cleared', async () => {
    const config = await provision(it_, 'pc-old-9');
    const r = await it_.req('POST', '/api/endpoints/agents/pc-old-9/decommission');
    expect(r.status).toBe(204);
    expect(edge.store.mqttClients.get('pc-old-9')!.enabled).toBe(false);
    await expect(SimulatedAgent.connect(config)).rejects.toThrow();
    expect((await it_.req('GET', '/api/endpoints/agents/pc-old-9')).status).toBe(404);
    expect(await retained(edge, 'campus/pc/pc-old-9/policy')).toEqual([]);
    expect(await retained(edge, 'campus/pc/pc-lab1-01/policy')).toHaveLength(1);
    const ev = edge.store.events.list({ typePrefix: 'endpoint.agent' });
    expect(ev.some((e) => e.reason === 'endpoint.agent.decommissioned' && e.subject === 'pc-old-9')).toBe(true);
  });

  it('takes in a PC whose credentials were made on the devices page, but not one decommissioned while connected', async () => {
    const made = await it_.req('POST', '/api/devices', { clientId: 'pc-by-hand', role: 'pc-agent', displayName: '手工登记的电脑' });
    expect(made.status).toBe(201);
    const keys = (await it_.req('GET', '/api/endpoints/keys')).json;
    const byHand = await SimulatedAgent.connect({
      agentId: 'pc-by-hand',
      groups: [],
      edge: { host: '127.0.0.1', port: edge.mqtt.tlsPort!, fingerprintsSha256: [keys.broker.tlsFingerprint256] },
      credentials: { password: made.json.password },
      policyKeys: [{ kid: keys.policyKey.kid, publicKeyPem: keys.policyKey.publicKeyPem }],
    });
    agents.push(byHand);
    await byHand.heartbeat();
    const doc = await byHand.waitForVersion(1);
    expect(doc.target).toEqual({ scope: 'pc', agentId: 'pc-by-hand' });
    const listed = (await it_.req('GET', '/api/endpoints/agents/pc-by-hand')).json.agent;
    expect(listed).toMatchObject({ displayName: '手工登记的电脑', online: true });

    expect((await it_.req('POST', '/api/endpoints/agents/pc-by-hand/decommission')).status).toBe(204);
    await byHand.heartbeat(); // still connected on its old session
    await eventually(async () => (await (await fetch(`${edge.httpUrl}/metrics`)).text()).includes('result="decommissioned"'));
    expect((await it_.req('GET', '/api/endpoints/agents/pc-by-hand')).status).toBe(404);
  });

  it('answers 503 with a reason when the service could not start (unreadable signing key)', async () => {
    const broken = await startTestEdge({ endpoints: { signingKeyFile: '/proc/version' } } as never, { users: [{ username: 'it2', password: 'it-password-123', roles: ['it'] }] });
    try {
      const c = new ApiClient(broken.httpUrl);
      await c.login('it2', 'it-password-123');
      const r = await c.req('GET', '/api/endpoints/agents');
      expect(r.status).toBe(503);
      expect(r.json.error.code).toBe('endpoints.unavailable');
      expect(r.json.error.message.en).toMatch(/not a PEM private key/);
      // The rest of the edge keeps working.
      expect((await c.req('GET', '/api/events')).status).toBe(200);
      const m = await connectMqtt(broken.mqtt.port, { username: 'nobody', password: 'x', clientId: 'nobody' }).catch((e: Error) => e);
      expect(m).toBeInstanceOf(Error);
    } finally {
      await broken.cleanup();
    }
  });
});

/** Retained messages the broker holds for a topic. */
function retained(edge: TestEdge, topic: string): Promise<unknown[]> {
  const { persistence } = edge.broker.aedes as unknown as { persistence: { createRetainedStream(pattern: string): NodeJS.ReadableStream } };
  return new Promise((resolve, reject) => {
    const out: unknown[] = [];
    const s = persistence.createRetainedStream(topic);
    s.on('data', (p: unknown) => out.push(p));
    s.on('end', () => resolve(out));
    s.on('error', reject);
  });
}
