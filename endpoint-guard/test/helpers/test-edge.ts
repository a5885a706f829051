import { X509Certificate } from 'node:crypto';
import { createServer, type Server } from 'node:tls';
import type { AddressInfo, Socket } from 'node:net';
import { Aedes } from 'aedes';
import { generate } from 'selfsigned';
import { maySubscribe, mayPublish } from '@campus/protocol/topics';
import { generatePolicyKeyPair, signPolicy, type PolicyKeyPair, type SignedUsbPolicy } from '@campus/protocol/usb/signing';
import { topics } from '@campus/protocol/topics';
import type { UsbPolicy, UsbPolicyInput } from '@campus/protocol/usb/policy';

/**
 * A stand-in for the edge box in agent tests and benchmarks: a real aedes broker on a
 * real TLS port (certificate generated with selfsigned), authenticating PC agents by
 * username/password (client id must equal the username) and enforcing the pc-agent ACL
 * from protocol/topics. Username "edge-admin" plays the edge itself and may publish
 * policies and read everything under campus/pc.
 */
export const EDGE_ADMIN = 'edge-admin';

export interface TestEdge {
  port: number;
  certPem: string;
  fingerprint: string;
  keys: PolicyKeyPair;
  broker: Aedes;
  server: Server;
  accounts: Map<string, string>;
  denied: string[];
  /** Signs and publishes a retained policy for one PC from inside the broker (as the edge does). */
  publishPolicy(agentId: string, policy: UsbPolicy | UsbPolicyInput): Promise<SignedUsbPolicy>;
  publishRaw(agentId: string, payload: string | Buffer): Promise<void>;
  close(): Promise<void>;
}

let certCache: Promise<{ cert: string; private: string; fingerprint: string }> | null = null;

/** One certificate per process: RSA key generation is slow and the tests do not care which. */
export function edgeCertificate(): Promise<{ cert: string; private: string; fingerprint: string }> {
  certCache ??= generate([{ name: 'commonName', value: 'edge.campus.local' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'edge.campus.local' }, { type: 7, ip: '127.0.0.1' }] }],
  }).then((p) => ({ cert: p.cert, private: p.private, fingerprint: new X509Certificate(p.cert).fingerprint256 }));
  return certCache;
}

export async function startTestEdge(opts: { accounts?: Record<string, string>; port?: number; keys?: PolicyKeyPair; adminPassword?: string } = {}): Promise<TestEdge> {
  const pems = await edgeCertificate();
  const accounts = new Map(Object.entries(opts.accounts ?? {}));
  accounts.set(EDGE_ADMIN, opts.adminPassword ?? 'edge-admin-secret');
  const denied: string[] = [];
  const broker = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const ok = username !== undefined && accounts.get(username) === password?.toString() && client.id === username;
      if (ok) done(null, true);
      else done(Object.assign(new Error('bad credentials'), { returnCode: 4 as const }), false);
    },
    authorizePublish: (client, packet, cb) => {
      if (!client || client.id === EDGE_ADMIN || mayPublish('pc-agent', client.id, packet.topic)) return cb(null);
      denied.push(`publish ${client.id} ${packet.topic}`);
      cb(new Error('not allowed'));
    },
    authorizeSubscribe: (client, sub, cb) => {
      if (client.id === EDGE_ADMIN || maySubscribe('pc-agent', client.id, sub.topic)) return cb(null, sub);
      denied.push(`subscribe ${client.id} ${sub.topic}`);
      cb(null, null);
    },
  });
  const server = createServer({ cert: pems.cert, key: pems.private }, (socket) => broker.handle(socket));
  // Every raw socket, so close() can end connections still in the TLS handshake too.
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const keys = opts.keys ?? generatePolicyKeyPair();
  const publish = (topic: string, payload: string | Buffer) =>
    new Promise<void>((resolve, reject) =>
      broker.publish({ cmd: 'publish', topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, qos: 1, retain: true, dup: false }, (err) => (err ? reject(err) : resolve())),
    );
  return {
    port: (server.address() as AddressInfo).port,
    certPem: pems.cert,
    fingerprint: pems.fingerprint,
    keys,
    broker,
    server,
    accounts,
    denied,
    async publishPolicy(agentId, policy) {
      const signed = signPolicy(policy, keys.privateKey, keys.kid);
      await publish(topics.agentPolicy(agentId), JSON.stringify(signed));
      return signed;
    },
    publishRaw: (agentId, payload) => publish(topics.agentPolicy(agentId), payload),
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      await new Promise<void>((r) => broker.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
