import { Aedes, type AedesPublishPacket, type Client, type Subscription } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import {
  BROKER_ROLES,
  compileAcl,
  isPublishableTopic,
  type CompiledAcl,
  OFFLINE,
  ONLINE,
  topics,
  type BrokerRole,
} from '@campus/protocol';
import { PacketSizeGuard } from './size-guard.js';
import { verifyPassword, DUMMY_HASH } from '../security/password.js';
import type { MqttClientRepo } from '../store/mqtt-clients.js';
import type { Logger } from '../core/log.js';

export type RefusalKind = 'auth_failed' | 'publish_denied' | 'subscribe_denied' | 'payload_too_large' | 'invalid_topic';

export interface Refusal {
  kind: RefusalKind;
  clientId: string;
  address: string | null;
  topic?: string;
  size?: number;
}

export interface BrokerOptions {
  host: string;
  port: number;
  tls?: { port: number; cert: string; key: string } | null;
  /** MQTT over secure WebSocket for browser dashboards (always with the TLS certificate). */
  websocket?: { port: number; path: string } | null;
  maxPayloadBytes: number;
  maxTopicLevels: number;
  queueLimit: number;
  connectTimeoutMs: number;
  clients: MqttClientRepo;
  log: Logger;
  now: () => number;
  onRefused: (r: Refusal) => void;
  onPresence: (p: { clientId: string; role: BrokerRole; online: boolean; address: string | null }) => void;
  onMessage?: (topic: string, payload: Buffer, clientId: string, role: BrokerRole) => void;
}

interface Session {
  role: BrokerRole;
  address: string | null;
  acl: CompiledAcl;
}

/** How much a PUBLISH header (topic, packet id) may add to the payload limit. */
const HEADER_ALLOWANCE = 1024;

/**
 * The embedded broker: aedes with per-client credentials (scrypt), per-topic ACL
 * from protocol/topics, payload/topic/queue limits, retained presence per client,
 * plain TCP for trusted segments and TLS for the campus LAN.
 */
/*
 * mqtt-packet (aedes' encoder) otherwise builds a cache of 65,536 two-byte Buffers for
 * packet ids on the first packet it writes: ~7.5 MB of heap on a box with a 120 MB budget,
 * to save one 2-byte allocation per QoS 1 packet. It is a process-wide switch.
 */
mqttPacket.writeToStream.cacheNumbers = false;

export class CampusBroker {
  readonly aedes: Aedes;
  private tcp: Server | null = null;
  private tls: TlsServer | null = null;
  private wss: HttpsServer | null = null;
  /** Per connection, so a session takeover by the same client id never mixes two connections' state. */
  private readonly sessions = new WeakMap<Client, Session>();
  /** The live connection of each online client id. */
  private readonly online = new Map<string, { client: Client; session: Session }>();
  readonly counters = { connects: 0, refused: 0, messagesIn: 0 };

  constructor(private readonly opts: BrokerOptions) {
    this.aedes = new Aedes({
      id: 'campus-edge',
      queueLimit: opts.queueLimit,
      maxTopicLevels: opts.maxTopicLevels,
      connectTimeout: opts.connectTimeoutMs,
      maxClientsIdLength: 64,
      authenticate: (client, username, password, done) => {
        void this.authenticate(client, username, password).then(
          (role) => {
            if (role) {
              this.sessions.set(client, { role, address: addressOf(client), acl: compileAcl(role, client.id) });
              done(null, true);
            } else {
              const err = Object.assign(new Error('Bad username or password'), { returnCode: 4 as const });
              done(err as never, false);
            }
          },
          (err: unknown) => {
            this.opts.log.error({ err }, 'authentication error');
            done(Object.assign(new Error('Server unavailable'), { returnCode: 3 as const }) as never, false);
          },
        );
      },
      authorizePublish: (client, packet, cb) => {
        if (!client) return cb(null); // the edge's own publishes
        const s = this.sessions.get(client);
        const base = { clientId: client.id, address: s?.address ?? null, topic: packet.topic };
        if (packet.payload && packet.payload.length > opts.maxPayloadBytes) {
          this.refuse({ ...base, kind: 'payload_too_large', size: packet.payload.length });
          return cb(new Error('payload too large'));
        }
        if (!isPublishableTopic(packet.topic)) {
          this.refuse({ ...base, kind: 'invalid_topic' });
          return cb(new Error('invalid topic'));
        }
        if (!s || !s.acl.mayPublish(packet.topic)) {
          this.refuse({ ...base, kind: 'publish_denied' });
          return cb(new Error('not authorized'));
        }
        this.counters.messagesIn++;
        cb(null);
      },
      authorizeSubscribe: (client, sub: Subscription, cb) => {
        const s = this.sessions.get(client);
        if (!s || !s.acl.maySubscribe(sub.topic)) {
          this.refuse({ kind: 'subscribe_denied', clientId: client.id, address: s?.address ?? null, topic: sub.topic });
          return cb(null, null); // SUBACK 0x80 for this filter; the connection stays up
        }
        cb(null, sub);
      },
      published: (packet: AedesPublishPacket, client: Client, cb) => {
        if (client && opts.onMessage) {
          const s = this.sessions.get(client);
          if (s) {
            try {
              opts.onMessage(packet.topic, packet.payload as Buffer, client.id, s.role);
            } catch (err) {
              opts.log.error({ err, topic: packet.topic }, 'message handler failed');
            }
          }
        }
        cb(null);
      },
    });

    this.aedes.on('clientReady', (client) => {
      const s = this.sessions.get(client);
      if (!s) return;
      this.online.set(client.id, { client, session: s });
      this.counters.connects++;
      opts.clients.touch(client.id, s.address);
      this.publishPresence(client.id, s.role, true);
      opts.onPresence({ clientId: client.id, role: s.role, online: true, address: s.address });
    });
    this.aedes.on('clientDisconnect', (client) => this.gone(client));
    this.aedes.on('clientError', (client, err) => {
      // Protocol violations the aedes handlers catch before our hooks (e.g. '#' in a PUBLISH topic).
      if (/not allowed in PUBLISH|empty topic|too many levels/.test(err.message)) {
        this.refuse({ kind: 'invalid_topic', clientId: client.id ?? '?', address: addressOf(client), topic: err.message });
      } else {
        opts.log.debug({ clientId: client.id, err: err.message }, 'mqtt client error');
      }
    });
    this.aedes.on('connectionError', (client, err) => {
      opts.log.debug({ clientId: client?.id, err: err.message }, 'mqtt connection error');
    });
  }

  private gone(client: Client): void {
    const entry = this.online.get(client.id);
    // After a session takeover the old connection's disconnect must not mark the
    // client offline: only the live connection of an id decides presence.
    if (!entry || entry.client !== client) return;
    const s = entry.session;
    this.online.delete(client.id);
    this.opts.clients.touch(client.id, s.address);
    this.publishPresence(client.id, s.role, false);
    this.opts.onPresence({ clientId: client.id, role: s.role, online: false, address: s.address });
  }

  private readonly verifyKey = randomBytes(32);
  private readonly verified = new Map<string, { storedHash: string; digest: Buffer }>();

  private digest(secret: string): Buffer {
    return createHmac('sha256', this.verifyKey).update(secret).digest();
  }

  private async authenticate(client: Client, username: string | undefined, password: Buffer | undefined): Promise<BrokerRole | null> {
    const address = addressOf(client);
    const clientId = client.id;
    const creds = username ? this.opts.clients.credentials(username) : undefined;
    const secret = password?.toString('utf8') ?? '';
    // A device that reconnects (Wi-Fi flap, edge restart of a switch) is checked
    // against a keyed digest of its last verified password instead of another
    // 16 MB scrypt run; a changed stored hash invalidates the entry.
    const cached = creds ? this.verified.get(creds.record.clientId) : undefined;
    let ok: boolean;
    if (cached && creds && cached.storedHash === creds.passwordHash && timingSafeEqual(cached.digest, this.digest(secret))) {
      ok = true;
    } else {
      // Always run scrypt so a missing user costs the same time as a wrong password.
      ok = await verifyPassword(secret, creds?.passwordHash ?? DUMMY_HASH);
      if (ok && creds) this.verified.set(creds.record.clientId, { storedHash: creds.passwordHash, digest: this.digest(secret) });
    }
    if (!creds || !ok || !creds.record.enabled || username !== clientId || !(BROKER_ROLES as readonly string[]).includes(creds.record.role)) {
      this.refuse({ kind: 'auth_failed', clientId: clientId || username || '?', address });
      return null;
    }
    return creds.record.role;
  }

  private refuse(r: Refusal): void {
    this.counters.refused++;
    this.opts.onRefused(r);
  }

  private publishPresence(clientId: string, role: BrokerRole, online: boolean): void {
    let topic: string;
    try {
      if (role === 'device') topic = topics.deviceState(clientId);
      else if (role === 'pc-agent') topic = topics.agentState(clientId);
      else return;
    } catch {
      return;
    }
    // May race close() during shutdown: a lost presence update then is harmless.
    this.publish(topic, online ? ONLINE : OFFLINE, { retain: true, qos: 1 }).catch(() => undefined);
  }

  /** Publishes as the edge itself (bypasses the ACL; never from a network client). */
  publish(topic: string, payload: string | Buffer | object, opts: { retain?: boolean; qos?: 0 | 1 } = {}): Promise<void> {
    const body = typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
    return new Promise((resolve, reject) => {
      this.aedes.publish(
        { cmd: 'publish', topic, payload: Buffer.from(body), qos: opts.qos ?? 0, retain: opts.retain ?? false, dup: false },
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }

  connected(): Array<{ clientId: string; role: BrokerRole; address: string | null }> {
    return [...this.online.entries()].map(([clientId, { session: s }]) => ({ clientId, role: s.role, address: s.address }));
  }

  isOnline(clientId: string): boolean {
    return this.online.has(clientId);
  }

  get clientCount(): number {
    return this.online.size;
  }

  private accept(socket: Duplex & { remoteAddress?: string }): void {
    const guard = new PacketSizeGuard(socket, this.opts.maxPayloadBytes + HEADER_ALLOWANCE, (g, size) => {
      this.refuse({ kind: 'payload_too_large', clientId: g.clientId ?? '(connecting)', address: socket.remoteAddress ?? null, size });
    });
    const client = this.aedes.handle(socket);
    // Let the guard name the client in its refusal once CONNECT has been read.
    client.once('connected' as never, () => {
      guard.clientId = client.id;
    });
  }

  async listen(): Promise<{ port: number; tlsPort: number | null; wssPort: number | null }> {
    await this.aedes.listen();
    const acceptTcp = (s: Socket) => {
      s.setNoDelay(true);
      this.accept(s);
    };
    this.tcp = createServer(acceptTcp);
    const port = await listenOn(this.tcp, this.opts.host, this.opts.port);
    let tlsPort: number | null = null;
    let wssPort: number | null = null;
    if (this.opts.tls) {
      const tlsOptions = { cert: this.opts.tls.cert, key: this.opts.tls.key, minVersion: 'TLSv1.2' as const };
      this.tls = createTlsServer(tlsOptions, acceptTcp);
      this.tls.on('tlsClientError', (err) => this.opts.log.debug({ err: err.message }, 'tls handshake failed'));
      tlsPort = await listenOn(this.tls, this.opts.host, this.opts.tls.port);
      if (this.opts.websocket) wssPort = await this.listenWebSocket(tlsOptions, this.opts.websocket);
    }
    this.publish(topics.edgeState(), ONLINE, { retain: true, qos: 1 }).catch(() => undefined);
    return { port, tlsPort, wssPort };
  }

  /**
   * MQTT over WebSocket (MQTT 3.1.1 §6), only over TLS: the same accounts, ACL, size
   * guard and refusals as any other connection. Loaded only when configured.
   */
  private async listenWebSocket(tlsOptions: { cert: string; key: string; minVersion: 'TLSv1.2' }, ws: { port: number; path: string }): Promise<number> {
    const { WebSocketServer, createWebSocketStream } = await import('ws');
    this.wss = createHttpsServer(tlsOptions, (_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8', upgrade: 'websocket' });
      res.end(`这是 MQTT over WebSocket 接口，请用 wss:// 连接 ${ws.path} / this is MQTT over WebSocket: connect with wss:// to ${ws.path}\n`);
    });
    this.wss.on('tlsClientError', (err) => this.opts.log.debug({ err: err.message }, 'wss handshake failed'));
    const server = new WebSocketServer({
      server: this.wss,
      path: ws.path,
      // A frame can never carry more than the largest packet the broker accepts.
      maxPayload: this.opts.maxPayloadBytes + HEADER_ALLOWANCE,
      // Clients name the "mqtt" subprotocol (§6); answer with it so browsers accept the connection.
      handleProtocols: (offered) => (offered.has('mqtt') ? 'mqtt' : offered.has('mqttv3.1') ? 'mqttv3.1' : false),
    });
    server.on('connection', (socket, req) => {
      const stream = createWebSocketStream(socket) as Duplex & { remoteAddress?: string };
      stream.remoteAddress = req.socket.remoteAddress;
      stream.on('error', (err) => this.opts.log.debug({ err: err.message }, 'websocket stream error'));
      this.accept(stream);
    });
    return listenOn(this.wss, this.opts.host, ws.port);
  }

  async close(): Promise<void> {
    await this.publish(topics.edgeState(), OFFLINE, { retain: true, qos: 1 }).catch(() => undefined);
    const closeServer = (s: Server | TlsServer | HttpsServer | null) =>
      new Promise<void>((resolve) => (s ? s.close(() => resolve()) : resolve()));
    this.wss?.closeAllConnections();
    const servers = Promise.all([closeServer(this.tcp), closeServer(this.tls), closeServer(this.wss)]);
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await servers;
  }
}

function addressOf(client: Client): string | null {
  const conn = client.conn as unknown as { remoteAddress?: string };
  return conn?.remoteAddress ?? null;
}

function listenOn(server: Server | TlsServer | HttpsServer, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
