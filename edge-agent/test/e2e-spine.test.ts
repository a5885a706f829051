import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QrReaderSimulator } from '@campus/device-drivers/qr/index';
import { FakeClock, PymodbusBoard, openPtyPair, startPushReceiver, waitFor, type PtyPair, type PushReceiver, type TestSubscription } from '@campus/testkit';
import { createTempDatabase, postgresUrl, type TempDatabase } from '@campus/testkit/postgres';
import { initIssuerKeys, issueCards, issuerKeyFileNames, loadIssuerKey } from '../src/cards/index.js';
import { startAccessEdge } from './access/helpers.js';
import { eventsAfter, waitOnline } from './access/rig.js';
import { tempDir } from './helpers/edge.js';
import { startCloudProcess } from './sync/cloud-process.js';

/**
 * The whole spine, with no hand-made event anywhere: a card issued with the edge's card
 * tooling is read as a QR line from a socat pty → the edge decides and pulses the
 * turnstile relay on a Modbus RTU relay board (Debian's pymodbus on another pty) →
 * the decision lands in the edge's SQLite event log → the sync client uploads it to a
 * real cloud process on PostgreSQL → the cloud sends the guardian a Web Push, which the
 * local push service decrypts; its text names the child and the gate.
 *
 * The roster itself comes down from the cloud (cloud-owned), as on a linked campus.
 */
const SITE = 'spine-test';
const STUDENT = 'S2026001';
const MOTHER_PHONE = '13800138001';

const pgUrl = await postgresUrl();

describe.skipIf(pgUrl === null)('the spine: QR line → relay pulse → SQLite → cloud (PostgreSQL) → Web Push', () => {
  const dir = tempDir('campus-spine-');
  let db: TempDatabase;
  let push: PushReceiver;
  let cloud: Awaited<ReturnType<typeof startCloudProcess>>;
  let env: Awaited<ReturnType<typeof startAccessEdge>>;
  let readerLine: PtyPair;
  let rs485: PtyPair;
  let board: PymodbusBoard;
  let reader: QrReaderSimulator;
  let subscription: TestSubscription;
  const cleanups: Array<() => Promise<unknown> | unknown> = [];

  beforeAll(async () => {
    db = await createTempDatabase(pgUrl!);
    cleanups.push(() => db.drop());
    push = await startPushReceiver();
    cleanups.push(() => push.close());
    const caFile = join(dir.path, 'push-ca.pem');
    writeFileSync(caFile, push.ca);
    // The push must come whatever the hour the test runs: no quiet hours (they are tested in the cloud's notice tests).
    cloud = await startCloudProcess(dir.path, SITE, { DATABASE_URL: db.url, CAMPUS_CLOUD_PUSH_CA_FILE: caFile }, { notices: { quietHours: null } });
    cleanups.push(() => cloud.stop());

    // The school's records, written in the cloud: a student, her mother, who gets notices.
    await cloud.write([
      { kind: 'person', key: STUDENT, data: { name: '李小红', roles: ['student'], classId: '初一-2班' } },
      { kind: 'person', key: 'G-li', data: { name: '李妈妈', roles: ['guardian'], phone: MOTHER_PHONE } },
      { kind: 'guardianship', key: `${STUDENT}:G-li`, data: { studentId: STUDENT, guardianId: 'G-li', relation: '母亲', mayPickUp: true, receivesNotices: true } },
    ]);

    // The mother signs in to the parent app (demo mode logs her code) and subscribes to push.
    const otp = await fetch(`${cloud.link.cloudUrl}/api/parent/otp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: MOTHER_PHONE }) });
    expect(otp.status).toBe(202);
    const code = await waitFor(() => new RegExp(`sign-in code (\\d{6}) for ${MOTHER_PHONE}`).exec(cloud.output())?.[1], 'the sign-in code in the cloud log');
    const session = await fetch(`${cloud.link.cloudUrl}/api/parent/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: MOTHER_PHONE, code }) });
    expect(session.status).toBe(201);
    const { token } = (await session.json()) as { token: string };
    subscription = push.subscribe();
    const sub = await fetch(`${cloud.link.cloudUrl}/api/parent/push/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ endpoint: subscription.endpoint, keys: subscription.keys }),
    });
    expect(sub.status).toBe(201);

    // Gate hardware: a QR reader on one serial line, a pymodbus relay board on an RS-485 line.
    readerLine = await openPtyPair({ name: 'reader' });
    cleanups.push(() => readerLine.close());
    rs485 = await openPtyPair({ name: 'rs485' });
    cleanups.push(() => rs485.close());
    board = await PymodbusBoard.start('rtu', rs485.b);
    cleanups.push(() => board.stop());
    reader = QrReaderSimulator.overSerial({ path: readerLine.b, baudRate: 9600 }, { suffix: 'CRLF' });
    cleanups.push(() => reader.close());

    // The card office's issuer key (the edge gets only the public half).
    const issuerDir = join(dir.path, 'issuer');
    const keysDir = join(dir.path, 'edge-keys');
    await initIssuerKeys(issuerDir, { kid: 'C1' });
    mkdirSync(keysDir, { recursive: true });
    copyFileSync(join(issuerDir, issuerKeyFileNames('C1').publicKey), join(keysDir, issuerKeyFileNames('C1').publicKey));

    env = await startAccessEdge(
      {
        keysDir,
        zones: [{ id: 'campus', no: 1, name: '校园', kind: 'campus', antiPassback: 'strict' }],
        gates: [{ id: 'east', no: 1, name: '东门', zone: 'campus', turnstile: { board: 'gate-board', in: 4, out: 5, pulseMs: 200 } }],
        readers: [{ id: 'east-in', gate: 'east', direction: 'in', transport: { kind: 'serial', path: readerLine.a, baudRate: 9600 } }],
        relayBuses: [{ id: 'rs485', link: { kind: 'rtu', path: rs485.a, baudRate: 9600 }, timeoutMs: 500 }],
        relayBoards: [{ id: 'gate-board', bus: 'rs485', unitId: 1, channels: 8, pulseMode: 'timer' }],
      },
      { clock: new FakeClock(Date.now()), config: { site: { id: SITE, name: '链路测试校区' }, cloud: { enabled: true, linkFile: cloud.linkFile } } },
    );
    cleanups.push(() => env.cleanup());
    await waitOnline(env.edge);
  }, 180_000);

  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    dir.remove();
  });

  it('a scanned card opens the turnstile, is recorded, uploaded and pushed to the mother naming the child and the gate', async () => {
    // The roster reaches the edge from the cloud.
    await waitFor(() => env.edge.access.people.get(STUDENT), 'the student projected from the cloud onto the edge', 30_000);

    // The card is made with the edge's card tooling, as the card office prints it.
    const key = await loadIssuerKey(join(dir.path, 'issuer'), 'C1');
    const [card] = issueCards([{ row: 2, personId: STUDENT, name: '李小红', grade: '初一', className: '2班', photo: null, version: null }], key.privateKey, key.kid);
    expect(card!.credential).toMatch(/^SC1:/);

    const from = env.edge.store.events.lastSeq();
    env.clock.set(Date.now());
    await reader.scan(card!.credential);

    // The relay board saw the pulse: channel 4 on, then off.
    await waitFor(() => board.writes.length >= 2, 'on and off written to the relay board');
    expect(board.writes.slice(0, 2)).toEqual([
      { write: 4, values: [true] },
      { write: 4, values: [false] },
    ]);

    // The decision is in the edge's SQLite event log, with the passage confirmed.
    const decision = await waitFor(() => eventsAfter(env.edge, from, 'access.decision')[0], 'the decision in SQLite');
    expect(decision).toMatchObject({ reason: 'access.granted', subject: STUDENT, data: { granted: true, gate: 'east', gateName: '东门', reader: 'east-in', opened: 'pulsed', personName: '李小红' } });
    const row = env.edge.store.db.prepare('SELECT type, reason FROM events WHERE id = ?').get(decision.id) as { type: string; reason: string } | undefined;
    expect(row).toEqual({ type: 'access.decision', reason: 'access.granted' });

    // Uploaded: the cloud made a notice of it, and the event is in its PostgreSQL database.
    const notices = await waitFor(
      async () => {
        const mine = (await cloud.guardianNotices()).filter((n) => n.eventId === decision.id);
        return mine.length ? mine : undefined;
      },
      'the notice in the cloud',
      30_000,
    );
    expect(notices).toHaveLength(1);
    const pgClient = new pg.Client({ connectionString: db.url });
    await pgClient.connect();
    try {
      const stored = await pgClient.query<{ type: string; subject: string; site: string; data: { opened: string; gateName: string } }>('SELECT type, subject, site, data FROM events WHERE id = $1', [decision.id]);
      expect(stored.rows).toHaveLength(1);
      expect(stored.rows[0]).toMatchObject({ type: 'access.decision', subject: STUDENT, site: SITE, data: { opened: 'pulsed', gateName: '东门' } });
    } finally {
      await pgClient.end();
    }

    // The mother's push arrives, decrypted as a browser would, naming the child and the gate.
    const received = await waitFor(() => push.received.find((p) => p.subscriptionId === subscription.id && (JSON.parse(p.payload) as { eventId?: string }).eventId === decision.id), 'the Web Push', 30_000);
    const payload = JSON.parse(received.payload) as { title: string; body: string };
    expect(payload.body).toContain('李小红');
    expect(payload.body).toContain('东门');
    expect(payload.body).toMatch(/^\d{2}:\d{2} 李小红 入校（东门）$/);
    expect(push.refused).toEqual([]);
  }, 120_000);
});
