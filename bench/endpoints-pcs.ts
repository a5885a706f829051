/**
 * Child process of endpoints.bench.ts: many simulated PC agents in one process, each its
 * own MQTT connection over TLS (certificate pinned by fingerprint), each verifying the
 * signed policy it receives with the edge's public key and acknowledging it as the real
 * agent does. Reads its orders as one JSON line on stdin; prints "ready" once every PC
 * is connected and subscribed.
 */
import { createInterface } from 'node:readline';
import type { PeerCertificate } from 'node:tls';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { topics } from '@campus/protocol';
import type { PolicyAck } from '@campus/protocol/usb/messages';
import { policyKeyring, verifySignedPolicy } from '@campus/protocol/usb/signing';

interface Orders {
  host: string;
  port: number;
  fingerprint: string;
  kid: string;
  publicKeyPem: string;
  agents: Array<{ id: string; password: string }>;
}

const lines = createInterface({ input: process.stdin });
const orders = JSON.parse(await new Promise<string>((resolve) => lines.once('line', resolve))) as Orders;
const keyring = policyKeyring([{ kid: orders.kid, publicKey: orders.publicKeyPem }]);
const clients: MqttClient[] = [];
let refused = 0;

async function connect(a: { id: string; password: string }): Promise<void> {
  const c = await mqtt.connectAsync({
    protocol: 'mqtts',
    host: orders.host,
    port: orders.port,
    clientId: a.id,
    username: a.id,
    password: a.password,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 60_000,
    rejectUnauthorized: false,
    // Passed through to tls.connect (mqtt.js does not declare it).
    checkServerIdentity: (_h: string, cert: PeerCertificate) => (cert.fingerprint256 === orders.fingerprint ? undefined : new Error('certificate not pinned')),
  } as IClientOptions);
  let active = { version: 0, digest: null as string | null };
  c.on('message', (_topic, payload) => {
    if (payload.length === 0) return;
    const v = verifySignedPolicy(JSON.parse(payload.toString('utf8')), keyring);
    if (!v.ok) {
      refused++;
      return;
    }
    const same = v.policy.version === active.version;
    if (!same) active = { version: v.policy.version, digest: v.digest };
    const ack: PolicyAck = {
      agentId: a.id,
      at: Date.now(),
      version: v.policy.version,
      status: same ? 'already-applied' : 'applied',
      reason: same ? 'usb.policy.already_applied' : 'usb.policy.applied',
      activeVersion: active.version,
      activeDigest: active.digest,
      persisted: true,
    };
    c.publish(topics.agentAck(a.id), JSON.stringify(ack), { qos: 1, retain: true });
  });
  await c.subscribeAsync(topics.agentPolicy(a.id), { qos: 1 });
  clients.push(c);
}

// Connect in waves, as PCs switched on in the morning would (and so the TLS handshakes queue fairly).
const WAVE = 50;
for (let i = 0; i < orders.agents.length; i += WAVE) await Promise.all(orders.agents.slice(i, i + WAVE).map(connect));
process.stdout.write(`ready ${clients.length}\n`);

lines.on('line', (l) => {
  if (l.trim() === 'stats') process.stdout.write(`stats ${JSON.stringify({ refused, rss: process.memoryUsage().rss })}\n`);
});
lines.on('close', () => {
  for (const c of clients) c.end(true);
  process.exit(0);
});
