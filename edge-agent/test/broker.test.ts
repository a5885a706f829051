import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect as tlsConnect } from 'node:tls';
import { connect as netConnect } from 'node:net';
import { X509Certificate } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { topics } from '@campus/protocol';
import { connectMqtt, nextMessage, startTestEdge, waitFor } from './helpers/edge.js';

type TestEdge = Awaited<ReturnType<typeof startTestEdge>>;

const DEVICE = { clientId: 'gate-east-reader', password: 'device-secret-001', role: 'device' as const };
const OTHER = { clientId: 'gate-west-reader', password: 'device-secret-002', role: 'device' as const };
const AGENT = { clientId: 'pc-lab-01', password: 'agent-secret-0001', role: 'pc-agent' as const };
const OBSERVER = { clientId: 'ops-console', password: 'observer-secret-1', role: 'observer' as const };

const creds = (c: { clientId: string; password: string }) => ({ clientId: c.clientId, username: c.clientId, password: c.password });

function refusedEvents(edge: TestEdge, reason: string) {
  return edge.store.events.list({ typePrefix: 'security.', limit: 500 }).filter((e) => e.reason === reason);
}

describe('embedded broker', () => {
  let edge: TestEdge;
  const clients: MqttClient[] = [];
  const track = (c: MqttClient) => (clients.push(c), c);

  beforeAll(async () => {
    edge = await startTestEdge({ mqtt: { host: '127.0.0.1', port: 0, maxPayloadBytes: 4096, tls: { enabled: true, port: 0 } } }, { mqttClients: [DEVICE, OTHER, AGENT, OBSERVER] });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await edge.cleanup();
  });

  it('refuses a wrong password and an unknown client, and records each as a security event', async () => {
    await expect(connectMqtt(edge.mqtt.port, { ...creds(DEVICE), password: 'wrong' })).rejects.toThrow(/Bad username or password|Not authorized/i);
    await expect(connectMqtt(edge.mqtt.port, { clientId: 'intruder', username: 'intruder', password: 'x' })).rejects.toThrow();
    await expect(connectMqtt(edge.mqtt.port, { clientId: 'no-creds' })).rejects.toThrow();
    const events = await waitFor(() => {
      const ev = refusedEvents(edge, 'mqtt.auth_failed');
      return ev.length >= 3 && ev;
    });
    expect(events.map((e) => e.subject)).toEqual(expect.arrayContaining(['gate-east-reader', 'intruder', 'no-creds']));
    const metrics = await (await fetch(`${edge.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/campus_edge_mqtt_refused_total\{kind="auth_failed"\} [3-9]/);
  });

  it('re-checks a reconnecting client fast, and a changed or disabled credential is refused at once', async () => {
    const c1 = await connectMqtt(edge.mqtt.port, creds(AGENT));
    await c1.endAsync();
    const c2 = await connectMqtt(edge.mqtt.port, creds(AGENT)); // served from the verified cache
    await c2.endAsync();
    await expect(connectMqtt(edge.mqtt.port, { ...creds(AGENT), password: 'agent-secret-000X' })).rejects.toThrow();
    const { hashPassword } = await import('../src/security/password.js');
    edge.store.mqttClients.upsert({ clientId: AGENT.clientId, role: 'pc-agent', displayName: 'pc', passwordHash: await hashPassword('rotated-secret-0002') });
    await expect(connectMqtt(edge.mqtt.port, creds(AGENT))).rejects.toThrow();
    const c3 = await connectMqtt(edge.mqtt.port, { ...creds(AGENT), password: 'rotated-secret-0002' });
    await c3.endAsync();
    edge.store.mqttClients.setEnabled(AGENT.clientId, false);
    await expect(connectMqtt(edge.mqtt.port, { ...creds(AGENT), password: 'rotated-secret-0002' })).rejects.toThrow();
    edge.store.mqttClients.upsert({ clientId: AGENT.clientId, role: 'pc-agent', displayName: 'pc', passwordHash: await hashPassword(AGENT.password) });
  });

  it('refuses a client that uses another client id than its username', async () => {
    await expect(connectMqtt(edge.mqtt.port, { clientId: OTHER.clientId, username: DEVICE.clientId, password: DEVICE.password })).rejects.toThrow();
  });

  it('lets a device publish under its own subtree only; others are refused and disconnected', async () => {
    const obs = track(await connectMqtt(edge.mqtt.port, creds(OBSERVER)));
    await obs.subscribeAsync('campus/dev/+/telemetry/#');
    const dev = track(await connectMqtt(edge.mqtt.port, creds(DEVICE)));
    const got = nextMessage(obs, (t) => t.startsWith('campus/dev/gate-east-reader/telemetry'));
    await dev.publishAsync(topics.deviceTelemetry(DEVICE.clientId, 'status'), '{"ok":true}', { qos: 1 });
    expect((await got).payload.toString()).toBe('{"ok":true}');

    // Writing into another device's subtree, or a command topic, is refused.
    const closed = new Promise((r) => dev.once('close', r));
    dev.publish(topics.deviceTelemetry(OTHER.clientId, 'status'), 'spoof', { qos: 1 });
    await closed;
    await waitFor(() => refusedEvents(edge, 'mqtt.publish_denied').some((e) => e.data.topic === 'campus/dev/gate-west-reader/telemetry/status'));
  });

  it('command and policy topics are writable only by the edge itself', async () => {
    const agent = track(await connectMqtt(edge.mqtt.port, creds(AGENT)));
    await agent.subscribeAsync(topics.agentPolicy(AGENT.clientId), { qos: 1 });
    const policy = nextMessage(agent, (t) => t === topics.agentPolicy(AGENT.clientId));
    await edge.broker.publish(topics.agentPolicy(AGENT.clientId), { version: 1 }, { qos: 1, retain: true });
    expect(JSON.parse((await policy).payload.toString())).toEqual({ version: 1 });

    const closed = new Promise((r) => agent.once('close', r));
    agent.publish(topics.agentPolicy(AGENT.clientId), '{"version":999}', { qos: 1, retain: true });
    await closed;
    // The forged policy never replaced the retained one.
    const again = track(await connectMqtt(edge.mqtt.port, creds(AGENT)));
    const retained = nextMessage(again, (t) => t === topics.agentPolicy(AGENT.clientId));
    await again.subscribeAsync(topics.agentPolicy(AGENT.clientId), { qos: 1 });
    const r = await retained;
    expect(r.retain).toBe(true);
    expect(JSON.parse(r.payload.toString())).toEqual({ version: 1 });
  });

  it('denies subscriptions outside the role (SUBACK failure), the connection stays up', async () => {
    const dev = track(await connectMqtt(edge.mqtt.port, creds(OTHER)));
    // mqtt.js rejects when any filter is refused; the SUBACK is on the error.
    const granted = await dev
      .subscribeAsync(['campus/#', topics.deviceCommand(OTHER.clientId, 'open'), 'campus/dev/gate-east-reader/cmd/#'], { qos: 1 })
      .then(
        () => {
          throw new Error('expected a refusal');
        },
        (err: { packet?: { granted: number[] } }) => ['campus/#', topics.deviceCommand(OTHER.clientId, 'open'), 'campus/dev/gate-east-reader/cmd/#'].map((topic, i) => ({ topic, qos: err.packet!.granted[i] })),
      );
    const byTopic = Object.fromEntries(granted.map((g) => [g.topic, g.qos]));
    expect(byTopic['campus/#']).toBe(128);
    expect(byTopic['campus/dev/gate-east-reader/cmd/#']).toBe(128);
    expect(byTopic[topics.deviceCommand(OTHER.clientId, 'open')]).toBe(1);
    expect(dev.connected).toBe(true);
    await waitFor(() => refusedEvents(edge, 'mqtt.subscribe_denied').some((e) => e.data.topic === 'campus/#'));
  });

  it('refuses wildcards in a publish topic', async () => {
    const dev = track(await connectMqtt(edge.mqtt.port, creds(DEVICE)));
    const closed = new Promise((r) => dev.once('close', r));
    dev.publish('campus/dev/gate-east-reader/telemetry/+', 'x', { qos: 0 });
    await closed;
    await waitFor(() => refusedEvents(edge, 'mqtt.invalid_topic').length > 0);
  });

  it('refuses an oversized payload and keeps serving others', async () => {
    const dev = track(await connectMqtt(edge.mqtt.port, creds(DEVICE)));
    const closed = new Promise((r) => dev.once('close', r));
    dev.publish(topics.deviceTelemetry(DEVICE.clientId, 'dump'), Buffer.alloc(64 * 1024, 1), { qos: 0 });
    await closed;
    await waitFor(() => refusedEvents(edge, 'mqtt.payload_too_large').length > 0);
    const ok = track(await connectMqtt(edge.mqtt.port, creds(OTHER)));
    await ok.publishAsync(topics.deviceTelemetry(OTHER.clientId, 'small'), 'fine', { qos: 1 });
  });

  it('refuses a huge declared packet from its header, before the body arrives', async () => {
    const sock = netConnect(edge.mqtt.port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    // PUBLISH with Remaining Length = 200 MB, body never sent.
    sock.write(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x64]));
    await new Promise((r) => sock.once('close', r));
    await waitFor(() => refusedEvents(edge, 'mqtt.payload_too_large').some((e) => (e.data.size as number) > 100_000_000));
  });

  it('tracks online/offline per client with retained state, through last-will too', async () => {
    const obs = track(await connectMqtt(edge.mqtt.port, creds(OBSERVER)));
    await obs.subscribeAsync('campus/dev/+/state', { qos: 1 });
    const online = nextMessage(obs, (t) => t === topics.deviceState(OTHER.clientId));
    const dev = await connectMqtt(edge.mqtt.port, creds(OTHER));
    expect((await online).payload.toString()).toBe('online');
    await waitFor(() => edge.broker.isOnline(OTHER.clientId));
    const offline = nextMessage(obs, (t) => t === topics.deviceState(OTHER.clientId) && true);
    dev.stream.destroy(); // cable pulled: no DISCONNECT
    expect((await offline).payload.toString()).toBe('offline');
    await waitFor(() => !edge.broker.isOnline(OTHER.clientId));
  });

  it('serves MQTT over TLS with the certificate it created, and refuses bad credentials there too', async () => {
    expect(edge.mqtt.tlsPort).toBeGreaterThan(0);
    const cert = new X509Certificate(edge.mqtt.tlsCert!);
    expect(cert.fingerprint256).toBe(edge.mqtt.tlsFingerprint256);
    const c = track(
      await connectMqtt(edge.mqtt.tlsPort!, {
        ...creds(AGENT),
        protocol: 'mqtts',
        port: edge.mqtt.tlsPort!,
        host: '127.0.0.1',
        ca: edge.mqtt.tlsCert!,
        servername: 'localhost',
        rejectUnauthorized: true,
      }),
    );
    expect(c.connected).toBe(true);
    await expect(
      connectMqtt(edge.mqtt.tlsPort!, { ...creds(AGENT), password: 'nope', protocol: 'mqtts', port: edge.mqtt.tlsPort!, ca: edge.mqtt.tlsCert!, servername: 'localhost' }),
    ).rejects.toThrow();
    // A client that does not trust the certificate cannot connect.
    const s = tlsConnect({ host: '127.0.0.1', port: edge.mqtt.tlsPort!, servername: 'localhost' });
    await expect(new Promise((_, rej) => s.once('error', rej))).rejects.toThrow(/self[- ]signed|certificate/i);
  });
});
