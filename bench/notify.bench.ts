/**
 * Morning rush: gate scans → Web Push to both guardians, measured end to end.
 *
 * 3,000 students pass the gate, two guardians each, every guardian subscribed to Web
 * Push. The edge (the real CloudSyncClient) records each scan and wakes the urgent lane;
 * a `campus-cloud` process on PostgreSQL ingests, queues (pg-boss) and sends through
 * `web-push` to a local push service over HTTPS (self-signed test certificate the cloud
 * is told to trust) which verifies VAPID and decrypts every aes128gcm message.
 *
 * Time is compressed: the real rush is 3,000 scans in 10 minutes (5/s); here they come
 * in 60 s (50/s, Poisson arrivals), ten times the real load, so the cloud is stressed
 * harder than on a real morning. notify.rush.p95 = p95 of (push decrypted − scan time).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { uuidv7, type EventEnvelope } from '@campus/protocol';
import { CloudSyncClient, MemoryOutbox } from '@campus/cloud-sync/client';
import { decisionData } from '../cloud-sync/test/helpers/events.js';
import { createTempDatabase, postgresUrl } from '@campus/testkit/postgres';
import { freePort, killHard, spawnTs } from '../cloud-sync/test/helpers/processes.js';
import { cloudSchoolAdmin, startPushReceiver, type CloudRecordWrite } from '@campus/testkit';
import { percentile, report } from './lib.js';
import type { EdgeCredentials } from '@campus/cloud-sync/client';

/** What the admin API answers when creating a school, campus or edge. */
interface Created {
  id: string;
  credentials: EdgeCredentials;
}

const STUDENTS = Number(process.env.RUSH_STUDENTS ?? 3000);
const WINDOW_S = Number(process.env.RUSH_WINDOW_S ?? 60);
const SITE = 'rush-campus';

async function main(): Promise<void> {
  const adminUrl = await postgresUrl();
  if (!adminUrl) throw new Error('PostgreSQL is needed for this benchmark');
  const tmp = await createTempDatabase(adminUrl);
  const dir = mkdtempSync(join(tmpdir(), 'campus-rush-'));
  const push = await startPushReceiver();
  writeFileSync(join(dir, 'push-ca.pem'), push.ca);
  const port = await freePort();
  const adminToken = randomBytes(18).toString('base64url');
  // No quiet hours: the rush is measured whatever hour the bench runs (at night they would hold every notice).
  writeFileSync(join(dir, 'cloud.json'), JSON.stringify({ notices: { quietHours: null } }));
  const cloud = spawnTs('cloud-sync/src/bin/campus-cloud.ts', {
    DATABASE_URL: tmp.url,
    PORT: String(port),
    HOST: '127.0.0.1',
    CAMPUS_CLOUD_ADMIN_TOKEN: adminToken,
    CAMPUS_CLOUD_PUSH_CA_FILE: join(dir, 'push-ca.pem'),
  }, ['start', '--config', join(dir, 'cloud.json')]);
  const db = new pg.Client({ connectionString: tmp.url });
  let client: CloudSyncClient | null = null;
  try {
    await cloud.waitForLine(/"listening"/, 60_000);
    const url = `http://127.0.0.1:${port}`;
    const admin = async (path: string, body: unknown) => {
      const r = await fetch(url + '/api/admin' + path, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as Created;
    };
    const school = await admin('/schools', { name: '早高峰测试学校' });
    const campus = await admin(`/schools/${school.id}/campuses`, { name: '主校区', site: SITE });
    const edge = await admin(`/schools/${school.id}/edges`, { name: 'gate edge', campusId: campus.id });

    // Roster: each student with a mother and a father who receive notices.
    const records: unknown[] = [];
    for (let i = 0; i < STUDENTS; i++) {
      records.push({ kind: 'person', key: `s${i}`, data: { name: `学生${i}`, roles: ['student'], classId: `${1 + (i % 6)}年级` } });
      for (const g of ['m', 'f']) {
        records.push({ kind: 'person', key: `s${i}${g}`, data: { name: `家长${i}${g}`, roles: ['guardian'], phone: `139${String(i).padStart(6, '0')}${g === 'm' ? '01' : '02'}` } });
        records.push({ kind: 'guardianship', key: `s${i}${g}-link`, data: { studentId: `s${i}`, guardianId: `s${i}${g}`, relation: g === 'm' ? '母亲' : '父亲', mayPickUp: true, receivesNotices: true } });
      }
    }
    const schoolAdmin = await cloudSchoolAdmin(url, adminToken, school.id);
    for (let i = 0; i < records.length; i += 5000) await schoolAdmin.writeRecords(records.slice(i, i + 5000) as CloudRecordWrite[]);
    // Push subscriptions straight into the table (the sign-in flow is not what is measured).
    await db.connect();
    const subs = Array.from({ length: STUDENTS * 2 }, (_, k) => ({ sub: push.subscribe(), phone: `139${String(k >> 1).padStart(6, '0')}${k % 2 === 0 ? '01' : '02'}` }));
    for (let i = 0; i < subs.length; i += 1000) {
      const part = subs.slice(i, i + 1000);
      await db.query('INSERT INTO push_subscriptions (endpoint, phone, p256dh, auth, created_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[])', [
        part.map((s) => s.sub.endpoint),
        part.map((s) => s.phone),
        part.map((s) => s.sub.keys.p256dh),
        part.map((s) => s.sub.keys.auth),
        part.map(() => Date.now()),
      ]);
    }

    const outbox = new MemoryOutbox();
    client = new CloudSyncClient({ cloudUrl: url, credentials: edge.credentials, outbox, idlePollMs: 1000 });
    await client.start();
    const scanAt = new Map<string, number>();
    const latencies: number[] = [];
    push.onPush((p) => {
      const { eventId } = JSON.parse(p.payload) as { eventId: string };
      const t = scanAt.get(eventId);
      if (t !== undefined) latencies.push((p.receivedAt - t) / 1000);
    });

    const order = Array.from({ length: STUDENTS }, (_, i) => i).sort(() => Math.random() - 0.5);
    const rate = STUDENTS / WINDOW_S;
    const t0 = Date.now();
    let due = t0;
    for (const i of order) {
      due += (-Math.log(1 - Math.random()) / rate) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const now = Date.now();
      const e: EventEnvelope = { id: uuidv7(), site: SITE, type: 'access.decision', occurredAt: now, clockTrusted: true, reason: 'access.granted', severity: 'info', priority: 1, source: 'gate.east', subject: `s${i}`, data: decisionData(`s${i}`, { gateName: '东门' }) };
      scanAt.set(e.id, now);
      outbox.append([e]);
      client.wake();
    }
    const expected = STUDENTS * 2;
    const deadline = Date.now() + 120_000;
    while (latencies.length < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const sorted = [...latencies].sort((a, b) => a - b);
    const failed = (await db.query<{ n: string }>(`SELECT count(*) AS n FROM notice_deliveries WHERE status <> 'sent'`)).rows[0]!.n;
    report({
      name: 'notify.rush.p95',
      metric: 'scan → decrypted push, p95',
      value: Math.round(percentile(sorted, 95) * 1000) / 1000,
      unit: 's',
      target: '<= 2',
      notes: `${STUDENTS} gate scans in ${WINDOW_S} s (10 min compressed ${Math.round(600 / WINDOW_S)}x), ${latencies.length}/${expected} pushes decrypted, refused ${push.refused.length}, deliveries not sent ${failed}; p50 ${percentile(sorted, 50).toFixed(3)} s, p99 ${percentile(sorted, 99).toFixed(3)} s, max ${sorted.at(-1)?.toFixed(3)} s`,
      received: latencies.length,
      expected,
    });
    if (latencies.length < expected) process.exitCode = 1;
  } finally {
    await client?.stop();
    await db.end().catch(() => undefined);
    cloud.kill('SIGTERM');
    await Promise.race([cloud.exited, new Promise((r) => setTimeout(r, 10_000))]);
    await killHard(cloud);
    await push.close();
    await tmp.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
