import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:https';
import type { IClientOptions, MqttClient } from 'mqtt';
import { topics } from '@campus/protocol';
import { parseConfig } from '../src/edge-config.js';
import { connectMqtt, nextMessage, startTestEdge, waitFor } from './helpers/edge.js';

type TestEdge = Awaited<ReturnType<typeof startTestEdge>>;

const DEVICE = { clientId: 'hall-display', password: 'display-secret-01', role: 'device' as const };
const OBSERVER = { clientId: 'ops-console', password: 'observer-secret-1', role: 'observer' as const };
const creds = (c: { clientId: string; password: string }) => ({ clientId: c.clientId, username: c.clientId, password: c.password });

/** MQTT over secure WebSocket, for browser dashboards: the same broker, accounts, ACL and limits. */
describe('MQTT over WebSocket (wss)', () => {
  let edge: TestEdge;
  const clients: MqttClient[] = [];
  const wss = (extra: IClientOptions = {}): IClientOptions => ({
    protocol: 'wss',
    host: '127.0.0.1',
    port: edge.mqtt.wssPort!,
    path: '/mqtt',
    ca: edge.mqtt.tlsCert!,
    servername: 'localhost',
    rejectUnauthorized: true,
    ...extra,
  });

  beforeAll(async () => {
    edge = await startTestEdge(
      { mqtt: { host: '127.0.0.1', port: 0, maxPayloadBytes: 4096, tls: { enabled: true, port: 0 }, websocket: { enabled: true, port: 0, path: '/mqtt' } } },
      { mqttClients: [DEVICE, OBSERVER] },
    );
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    await edge.cleanup();
  });

  it('is off unless configured, and refuses to serve in clear', () => {
    expect(parseConfig({}).mqtt.websocket.enabled).toBe(false);
    expect(() => parseConfig({ mqtt: { tls: { enabled: false }, websocket: { enabled: true } } })).toThrow(/mqtt\.websocket\.enabled[\s\S]*TLS/);
  });

  it('carries a device’s telemetry to a subscriber on plain MQTT, with its own ACL', async () => {
    expect(edge.mqtt.wssPort).toBeGreaterThan(0);
    const obs = await connectMqtt(edge.mqtt.port, creds(OBSERVER));
    clients.push(obs);
    await obs.subscribeAsync('campus/dev/+/telemetry/#');
    const dev = await connectMqtt(0, wss(creds(DEVICE)));
    clients.push(dev);
    const got = nextMessage(obs, (t) => t.startsWith(`campus/dev/${DEVICE.clientId}/`));
    await dev.publishAsync(topics.deviceTelemetry(DEVICE.clientId, 'status'), '{"ok":true}', { qos: 1 });
    expect((await got).payload.toString()).toBe('{"ok":true}');
    // Online state and address as for any client.
    await waitFor(() => edge.broker.connected().some((c) => c.clientId === DEVICE.clientId && c.address !== null));

    // Another device's subtree is refused and recorded, as over TCP.
    const closed = new Promise((r) => dev.once('close', r));
    dev.publish(topics.deviceTelemetry('gate-east-reader', 'status'), 'spoof', { qos: 1 });
    await closed;
    await waitFor(() => edge.store.events.list({ typePrefix: 'security.', limit: 100 }).some((e) => e.reason === 'mqtt.publish_denied' && e.subject === DEVICE.clientId));
  });

  it('refuses bad credentials and oversized packets there too, and keeps serving', async () => {
    await expect(connectMqtt(0, wss({ ...creds(DEVICE), password: 'wrong' }))).rejects.toThrow();
    const dev = await connectMqtt(0, wss(creds(DEVICE)));
    clients.push(dev);
    const closed = new Promise((r) => dev.once('close', r));
    dev.publish(topics.deviceTelemetry(DEVICE.clientId, 'status'), Buffer.alloc(64 * 1024, 1), { qos: 0 });
    await closed;
    await waitFor(() => edge.store.events.list({ typePrefix: 'security.', limit: 100 }).some((e) => e.reason === 'mqtt.payload_too_large'));
    const again = await connectMqtt(0, wss(creds(DEVICE)));
    clients.push(again);
    expect(again.connected).toBe(true);
  });

  it('tells a browser that opens the address what it is', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: edge.mqtt.wssPort!, path: '/mqtt', ca: edge.mqtt.tlsCert!, servername: 'localhost' }, (res) => {
        let b = '';
        res.on('data', (d: Buffer) => (b += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(426);
    expect(body).toMatch(/MQTT over WebSocket/);
  });
});
