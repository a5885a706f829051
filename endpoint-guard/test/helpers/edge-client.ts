import { connect, type MqttClient } from 'mqtt';
import { EDGE_ADMIN, type TestEdge } from './test-edge.js';
import { waitFor } from './wait.js';

export interface Received {
  topic: string;
  text: string;
  retain: boolean;
}

/** A real MQTT client acting as the edge: reads what the PCs publish, can publish policies. */
export class EdgeClient {
  readonly received: Received[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => this.received.push({ topic, text: payload.toString('utf8'), retain: packet.retain }));
  }

  static async connect(edge: TestEdge, filter = 'campus/pc/#'): Promise<EdgeClient> {
    const client = connect({
      protocol: 'mqtts',
      host: '127.0.0.1',
      port: edge.port,
      ca: edge.certPem,
      clientId: EDGE_ADMIN,
      username: EDGE_ADMIN,
      password: edge.accounts.get(EDGE_ADMIN)!,
      protocolVersion: 4,
      reconnectPeriod: 0,
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    await client.subscribeAsync(filter, { qos: 1 });
    return new EdgeClient(client);
  }

  on(topicSuffix: string): Received[] {
    return this.received.filter((r) => r.topic.endsWith(topicSuffix));
  }

  json<T = Record<string, unknown>>(topicSuffix: string): T[] {
    return this.on(topicSuffix).map((r) => JSON.parse(r.text) as T);
  }

  async waitJson<T = Record<string, unknown>>(topicSuffix: string, pred: (v: T) => boolean, what: string): Promise<T> {
    return waitFor(() => this.json<T>(topicSuffix).find(pred) ?? null, what);
  }

  async publish(topic: string, payload: string, retain = true): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 1, retain });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
