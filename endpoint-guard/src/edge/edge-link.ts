import { MqttClient, type IClientOptions } from 'mqtt';
import { OFFLINE, ONLINE, topics } from '@campus/protocol/topics';
import type { Logger } from '../log/logger.js';
import { PinnedTlsStream } from './pinned-tls.js';

/**
 * The agent's one connection to the edge: MQTT 3.1.1 over pinned TLS, client id =
 * agent id, its own username/password. The retained state topic says online/offline
 * (offline by last will when the PC vanishes). Publishing is refused while offline
 * rather than queued inside mqtt.js; the event outbox decides what to keep.
 */
export interface EdgeLinkOptions {
  agentId: string;
  host: string;
  port: number;
  servername?: string;
  pins: readonly string[];
  username: string;
  password: string;
  keepaliveSeconds: number;
  reconnectSeconds: number;
  log: Logger;
  onPolicy: (payload: Buffer) => void;
  onConnect?: () => void;
}

export class EdgeLink {
  private client: MqttClient | null = null;
  private pinWarned = false;

  constructor(private readonly opts: EdgeLinkOptions) {}

  get connected(): boolean {
    return this.client?.connected === true;
  }

  start(): void {
    const o = this.opts;
    const stateTopic = topics.agentState(o.agentId);
    const policyTopic = topics.agentPolicy(o.agentId);
    // Spread reconnects so a few hundred PCs do not hit a restarted edge in the same second.
    const reconnectPeriod = Math.round(o.reconnectSeconds * 1000 * (0.8 + Math.random() * 0.4));
    const options: IClientOptions = {
      protocolVersion: 4,
      clientId: o.agentId,
      username: o.username,
      password: o.password,
      clean: true,
      keepalive: o.keepaliveSeconds,
      reconnectPeriod,
      connectTimeout: 15_000,
      queueQoSZero: false,
      resubscribe: true,
      // mqtt-packet would otherwise pre-build 65,536 packet-id buffers (6 MB) on first use.
      writeCache: false,
      will: { topic: stateTopic, payload: Buffer.from(OFFLINE), qos: 1, retain: true },
    };
    const client = new MqttClient(
      () =>
        new PinnedTlsStream({
          host: o.host,
          port: o.port,
          ...(o.servername ? { servername: o.servername } : {}),
          pins: o.pins,
          onPinMismatch: (actual) => {
            if (!this.pinWarned) o.log.error('edge certificate does not match the pinned fingerprint; not sending credentials', { actual });
            this.pinWarned = true;
          },
        }),
      options,
    );
    this.client = client;
    client.on('connect', () => {
      this.pinWarned = false;
      o.log.info('connected to the edge', { host: o.host, port: o.port });
      client.publish(stateTopic, ONLINE, { qos: 1, retain: true });
      client.subscribe(policyTopic, { qos: 1 }, (err) => {
        if (err) o.log.error('policy subscription refused', { err });
      });
      o.onConnect?.();
    });
    client.on('message', (topic, payload) => {
      if (topic === policyTopic) o.onPolicy(payload);
    });
    client.on('offline', () => o.log.warn('edge unreachable; enforcing the last good policy offline'));
    client.on('error', (err) => o.log.warn('edge connection error', { err }));
  }

  /** Publishes if connected; resolves true once the broker has it (QoS 1) or it was sent (QoS 0). */
  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain?: boolean }): Promise<boolean> {
    const client = this.client;
    if (!client?.connected) return Promise.resolve(false);
    return new Promise((resolve) => {
      client.publish(topic, payload, { qos: opts.qos, retain: opts.retain ?? false }, (err) => resolve(!err));
    });
  }

  /** Says goodbye (retained offline) and closes. */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (client.connected) {
      await withTimeout(new Promise<void>((r) => client.publish(topics.agentState(this.opts.agentId), OFFLINE, { qos: 1, retain: true }, () => r())), 2000);
    }
    // A graceful end waits for in-flight acks, which never come if the edge just vanished.
    const graceful = client.connected && (await withTimeout(new Promise<void>((r) => client.end(false, {}, () => r())), 2000));
    if (!graceful) await new Promise<void>((r) => client.end(true, {}, () => r()));
  }
}

/** True if the promise settled within `ms`. */
function withTimeout(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.then(() => true),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
