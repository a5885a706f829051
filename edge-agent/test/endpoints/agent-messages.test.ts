import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@campus/protocol';
import { ApiClient, waitFor } from '../helpers/edge.js';
import { eventually, GUARD_USER, provision, SimulatedAgent, startGuardEdge, STUDENT_DRIVE, TEACHER_DRIVE, type TestEdge } from './helpers.js';

/**
 * What PCs send the edge, over the real TLS broker: heartbeats, acks, USB events — and
 * everything a broken or hostile agent could send instead.
 */
describe('endpoint guard: messages from PC agents', () => {
  let edge: TestEdge;
  let it_: ApiClient;
  let pc: SimulatedAgent;
  let other: SimulatedAgent;

  beforeAll(async () => {
    ({ edge, it: it_ } = await startGuardEdge(
      { endpoints: { maxMessageBytes: 2048, usbEventsPerMinute: 20, checkIntervalSeconds: 1, silentAfterSeconds: 60 } } as never,
    ));
    pc = await SimulatedAgent.connect(await provision(it_, 'pc-lab1-07', { groups: ['lab-1'] }));
    other = await SimulatedAgent.connect(await provision(it_, 'pc-lab1-08', { groups: ['lab-1'] }), { ackAutomatically: false });
    await pc.waitForVersion(1);
    await other.waitForVersion(1);
  });
  afterAll(async () => {
    pc?.close();
    other?.close();
    await edge.cleanup();
  });

  const agent = async (id: string) => ((await it_.req('GET', '/api/endpoints/agents')).json.agents as Array<Record<string, any>>).find((a) => a.agentId === id)!;
  const invalid = (agentId: string, problem: string) =>
    edge.store.events.list({ typePrefix: 'endpoint.message', subject: agentId }).filter((e) => e.reason === 'endpoint.message.invalid' && e.data.problem === problem);

  it('shows a PC online with the hostname and counters from its heartbeat', async () => {
    await pc.heartbeat({ hostname: 'LAB1-07', devicesPresent: 4, devicesBlocked: 2 });
    const a = await eventually(async () => {
      const x = await agent('pc-lab1-07');
      return x.hostname === 'LAB1-07' ? x : undefined;
    });
    expect(a).toMatchObject({ online: true, platform: 'linux', agentVersion: '0.1.0', heartbeat: { devicesPresent: 4, devicesBlocked: 2, intervalS: 30 } });
    expect(a.lastHeardAt).toBeGreaterThan(0);
    expect((await agent('pc-lab1-08')).hostname).toBeNull();
  });

  it('tracks acks: applied, then an older ack is ignored, a refusal is shown and recorded', async () => {
    const doc = other.latest()!;
    const published = (await agent('pc-lab1-08')).policy;
    expect(published).toMatchObject({ state: 'pending', published: doc.version });
    const digest = (await it_.req('GET', '/api/endpoints/agents/pc-lab1-08')).json.agent;
    expect(digest.policy.ack).toBeNull();

    // Apply: the edge compares version and digest with what it published.
    const detail = (await it_.req('GET', '/api/endpoints/agents/pc-lab1-08')).json;
    const { policyDigest } = await import('@campus/protocol/usb/signing');
    const d = policyDigest(detail.document.policy);
    await other.ack({ version: doc.version, status: 'applied', reason: 'usb.policy.applied', activeVersion: doc.version, activeDigest: d });
    await eventually(async () => (await agent('pc-lab1-08')).policy.state === 'applied');

    // An ack for an older version (a replay): ignored, the PC stays applied.
    await other.ack({ version: 0, status: 'applied', reason: 'usb.policy.applied', activeVersion: 0, activeDigest: null });
    await other.heartbeat(); // messages from one client arrive in order: once this is seen, the ack was handled
    await eventually(async () => (await agent('pc-lab1-08')).hostname !== null);
    expect((await agent('pc-lab1-08')).policy).toMatchObject({ state: 'applied', applied: doc.version });
    const metrics = await (await fetch(`${edge.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/campus_edge_endpoint_messages_total\{kind="ack",result="stale"\} 1/);

    // A push the PC refuses (say its key pin is wrong): shown as refused, and an event says why.
    const r = await it_.req('POST', '/api/endpoints/policies', { target: { scope: 'pc', agentId: 'pc-lab1-08' }, content: {} });
    const v = r.json.policy.version as number;
    await other.waitForVersion(v);
    await other.ack({ version: v, status: 'refused', reason: 'usb.policy.bad_signature', activeVersion: doc.version, activeDigest: d, detail: 'kid ed25519-0000' });
    await eventually(async () => (await agent('pc-lab1-08')).policy.state === 'refused');
    const ev = await waitFor(() => edge.store.events.list({ typePrefix: 'endpoint.policy', subject: 'pc-lab1-08' }).find((e) => e.reason === 'usb.policy.bad_signature'));
    expect(ev.severity).toBe('warning');
    const texts = (await it_.req('GET', '/api/events?type=endpoint.policy&subject=pc-lab1-08')).json.events as Array<{ text: { 'zh-CN': string } }>;
    expect(texts.map((t) => t.text['zh-CN'])).toContain('USB 策略签名无效，已拒绝');
  });

  it('catches up when a PC runs a version this edge never issued (database restored from a backup)', async () => {
    const before = (await agent('pc-lab1-08')).policy.published as number;
    await other.ack({ version: null, status: 'refused', reason: 'usb.policy.older', activeVersion: before + 40, activeDigest: 'a'.repeat(64) });
    const next = await waitFor(() => other.policies.find((p) => p.policy.version > before + 40)?.policy);
    expect(next.target).toEqual({ scope: 'pc', agentId: 'pc-lab1-08' });
  });

  it('stores USB events as usb.* events, once each, for IT only', async () => {
    const blocked = pc.usbEvent('blocked', STUDENT_DRIVE);
    await pc.publish(topics.agentUsb(pc.agentId), blocked);
    await pc.publish(topics.agentUsb(pc.agentId), blocked); // QoS 1 redelivery / resend after reconnect
    await pc.publish(topics.agentUsb(pc.agentId), pc.usbEvent('inserted', TEACHER_DRIVE));
    const stored = await waitFor(() => {
      const l = edge.store.events.list({ typePrefix: 'usb.', subject: 'pc-lab1-07' });
      return l.length >= 2 ? l : undefined;
    });
    await pc.heartbeat();
    await eventually(async () => edge.store.events.list({ typePrefix: 'usb.', subject: 'pc-lab1-07' }).length >= 2);
    const usb = edge.store.events.list({ typePrefix: 'usb.', subject: 'pc-lab1-07' });
    expect(usb.filter((e) => e.type === 'usb.blocked')).toHaveLength(1);
    expect(stored.find((e) => e.type === 'usb.blocked')).toMatchObject({
      reason: 'usb.blocked.mass_storage',
      severity: 'warning',
      source: 'pc:pc-lab1-07',
      data: { agentEventId: blocked.id, rule: 'builtin.mass-storage', device: { vid: '090c', pid: '1000', port: '1-2' } },
    });
    const api = await it_.req('GET', '/api/events?type=usb.&subject=pc-lab1-07');
    expect(api.json.events[0].text['zh-CN']).toBe('USB 设备接入');
    expect(api.json.events[1].text['zh-CN']).toBe('U 盘等大容量存储设备默认禁止');
    const guard = new ApiClient(edge.httpUrl);
    await guard.login(GUARD_USER.username, GUARD_USER.password);
    expect((await guard.req('GET', '/api/events?type=usb.')).json.events).toEqual([]);
  });

  it('discards malformed, oversized and mis-addressed messages and records each kind once per window', async () => {
    await pc.publish(topics.agentUsb(pc.agentId), '{"kind": "blocked", ');
    await pc.publish(topics.agentUsb(pc.agentId), '{"kind": "blocked", '); // same kind in the same window: counted, not recorded again
    await pc.publish(topics.agentUsb(pc.agentId), { ...pc.usbEvent('blocked', STUDENT_DRIVE), reason: 'usb.made.up' });
    await pc.publish(topics.agentUsb(pc.agentId), { ...pc.usbEvent('blocked', STUDENT_DRIVE), agentId: 'pc-lab1-08' });
    await pc.publish(topics.agentUsb(pc.agentId), pc.usbEvent('blocked', { ...STUDENT_DRIVE, product: 'x'.repeat(100) }, { note: 'y'.repeat(3000) } as never));
    await pc.publish(topics.agentState(pc.agentId), 'rebooting');
    await waitFor(() => invalid('pc-lab1-07', 'bad_state').length === 1);
    expect(invalid('pc-lab1-07', 'not_json')).toHaveLength(1);
    expect(invalid('pc-lab1-07', 'schema')).toHaveLength(1);
    expect(invalid('pc-lab1-07', 'too_large')).toHaveLength(1);
    const wrong = invalid('pc-lab1-07', 'wrong_agent');
    expect(wrong).toHaveLength(1);
    expect(wrong[0]!.severity).toBe('warning');
    expect(wrong[0]!.data.detail).toContain('pc-lab1-08');
    // Nothing of it was stored as a USB event of either PC.
    expect(edge.store.events.list({ typePrefix: 'usb.', subject: 'pc-lab1-08' })).toEqual([]);
    const metrics = await (await fetch(`${edge.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/campus_edge_endpoint_messages_total\{kind="usb",result="not_json"\} 2/);
  });

  it('cannot publish under another PC’s topics at all (the broker’s ACL), and that is recorded', async () => {
    const forged = { ...other.usbEvent('blocked', TEACHER_DRIVE), agentId: 'pc-lab1-08' };
    await pc.client.publishAsync(topics.agentUsb('pc-lab1-08'), JSON.stringify(forged), { qos: 0 });
    await waitFor(() => edge.store.events.list({ typePrefix: 'security.refused', subject: 'pc-lab1-07' }).find((e) => e.reason === 'mqtt.publish_denied'));
    expect(edge.store.events.list({ typePrefix: 'usb.', subject: 'pc-lab1-08' })).toEqual([]);
    // MQTT 3.1.1 has no refusal for a PUBLISH: the broker closed the forger's connection.
    await waitFor(() => !pc.client.connected);
    pc = await SimulatedAgent.connect(pc.config);
  });

  it('limits a flood of USB events per PC and records how many were dropped', async () => {
    const before = edge.store.events.list({ typePrefix: 'usb.', subject: 'pc-lab1-08', limit: 1000 }).length;
    for (let i = 0; i < 60; i++) await other.publish(topics.agentUsb(other.agentId), other.usbEvent('inserted', STUDENT_DRIVE));
    // Every event of the flood is either stored or counted in a "dropped" record.
    const account = () => {
      const stored = edge.store.events.list({ typePrefix: 'usb.', subject: 'pc-lab1-08', limit: 1000 }).length - before;
      const drops = edge.store.events.list({ typePrefix: 'endpoint.message', subject: 'pc-lab1-08' }).filter((e) => e.reason === 'endpoint.message.rate_limited');
      const dropped = drops.reduce((n, e) => n + (e.data.dropped as number), 0);
      return stored + dropped === 60 ? { stored, dropped, drops } : undefined;
    };
    const { stored, dropped, drops } = await waitFor(account, 10_000);
    expect(stored).toBeLessThanOrEqual(20);
    expect(dropped).toBeGreaterThanOrEqual(40);
    expect(drops[0]!.severity).toBe('warning');
  });

  it('stores a teacher’s device request once and lists it as pending', async () => {
    const req = pc.request(TEACHER_DRIVE);
    await pc.publish(topics.agentRequest(pc.agentId), req);
    await pc.publish(topics.agentRequest(pc.agentId), req);
    const list = await eventually(async () => {
      const r = await it_.req('GET', '/api/endpoints/requests?status=pending');
      return r.json.requests.length ? r.json.requests : undefined;
    });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: req.id, agentId: 'pc-lab1-07', agentName: '机房电脑 pc-lab1-07', requestedBy: '王老师', durationMinutes: 90, status: 'pending' });
    const ev = edge.store.events.list({ typePrefix: 'endpoint.request' });
    expect(ev.filter((e) => e.data.requestId === req.id)).toHaveLength(1);
    expect((await it_.req('GET', '/api/endpoints/requests?status=maybe')).status).toBe(400);
  });
  // The silence alarm runs on fake time: silence-fake-time.test.ts.
});
