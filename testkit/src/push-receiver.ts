import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';

/**
 * A local Web Push service for tests and benchmarks: HTTPS with a self-signed test
 * certificate (the sender is told to trust `ca`), checks the VAPID JWT (ES256, audience =
 * our origin) and decrypts each aes128gcm message (RFC 8188/8291) with the subscription's
 * private key, exactly as a browser would.
 */
export interface ReceivedPush {
  subscriptionId: string;
  receivedAt: number;
  ttl: number;
  urgency: string | null;
  payload: string;
  vapidSubject: string;
}

export interface TestSubscription {
  id: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface PushReceiver {
  url: string;
  ca: string;
  received: ReceivedPush[];
  /** Pushes refused (bad VAPID, bad encryption), with the reason. */
  refused: { subscriptionId: string; reason: string }[];
  subscribe(): TestSubscription;
  /** Make this subscription answer with a status (410 = unsubscribed) from now on. */
  respondWith(subscriptionId: string, status: number): void;
  onPush(listener: (p: ReceivedPush) => void): void;
  close(): Promise<void>;
}

const b64u = (b: Buffer) => b.toString('base64url');

export async function startPushReceiver(): Promise<PushReceiver> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    days: 2,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }],
  } as Parameters<typeof generate>[1]);
  const subs = new Map<string, { ecdh: ReturnType<typeof createECDH>; auth: Buffer; status: number }>();
  const received: ReceivedPush[] = [];
  const refused: { subscriptionId: string; reason: string }[] = [];
  const listeners: ((p: ReceivedPush) => void)[] = [];
  let origin = '';

  const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = /^\/push\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '')?.[1] ?? '';
      const sub = subs.get(id);
      if (req.method !== 'POST' || !sub) return void res.writeHead(404).end();
      if (sub.status !== 201) return void res.writeHead(sub.status).end();
      try {
        const vapidSubject = checkVapid(String(req.headers.authorization ?? ''), origin);
        if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error('content-encoding must be aes128gcm');
        const payload = decrypt(Buffer.concat(chunks), sub.ecdh, sub.auth).toString('utf8');
        const p: ReceivedPush = { subscriptionId: id, receivedAt: Date.now(), ttl: Number(req.headers.ttl), urgency: (req.headers.urgency as string) ?? null, payload, vapidSubject };
        received.push(p);
        for (const l of listeners) l(p);
        res.writeHead(201, { location: `/msg/${randomBytes(6).toString('hex')}` }).end();
      } catch (err) {
        refused.push({ subscriptionId: id, reason: (err as Error).message });
        res.writeHead(400).end((err as Error).message);
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    ca: pems.cert,
    received,
    refused,
    subscribe() {
      const id = randomBytes(8).toString('base64url');
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      subs.set(id, { ecdh, auth, status: 201 });
      return { id, endpoint: `${origin}/push/${id}`, keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(auth) } };
    },
    respondWith(id, status) {
      const s = subs.get(id);
      if (s) s.status = status;
    },
    onPush(l) {
      listeners.push(l);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** RFC 8292: `vapid t=<JWT>, k=<public key>`; returns the JWT's `sub`. */
function checkVapid(header: string, audience: string): string {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header);
  if (!m) throw new Error('missing vapid authorization');
  const [h, p, s] = m[1]!.split('.');
  const raw = Buffer.from(m[2]!, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) throw new Error('bad vapid key');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(raw.subarray(1, 33)), y: b64u(raw.subarray(33)) }, format: 'jwk' });
  const ok = verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s!, 'base64url'));
  if (!ok) throw new Error('bad vapid signature');
  const claims = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as { aud: string; exp: number; sub: string };
  if (claims.aud !== audience) throw new Error(`vapid aud ${claims.aud} is not ${audience}`);
  if (claims.exp * 1000 < Date.now()) throw new Error('vapid token expired');
  return claims.sub;
}

/** RFC 8291 message decryption (single record, as Web Push sends). */
function decrypt(body: Buffer, ecdh: ReturnType<typeof createECDH>, authSecret: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const senderKey = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  if (ciphertext.length > rs) throw new Error('multi-record messages are not used by web push');
  const uaPublic = ecdh.getPublicKey();
  const shared = ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, senderKey]);
  const ikm = Buffer.from(hkdfSync('sha256', shared, authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const plain = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  if (plain[end] !== 2) throw new Error('bad padding delimiter');
  return plain.subarray(0, end);
}
