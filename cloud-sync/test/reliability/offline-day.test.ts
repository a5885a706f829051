import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UuidV7Generator } from '@campus/protocol';
import { CloudSyncClient } from '../../src/client/sync-client.js';
import { MemoryOutbox } from '../../src/client/reference/memory-outbox.js';
import { availableBackends } from '../helpers/backends.js';
import { seedSchool, startTestCloud, waitFor, type TestCloud } from '../helpers/cloud.js';
import { gatePass, makeEvent } from '@campus/testkit';
import { startFlakyProxy, type FlakyProxy } from '../helpers/flaky-proxy.js';
import { startPushReceiver, type PushReceiver } from '@campus/testkit';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { parentApi, signInGuardian } from '../helpers/parent-client.js';

const backend = (await availableBackends()).at(-1)!;
const DAY = 24 * 3600_000;

/**
 * The campus link is down for a whole (simulated) day: the edge keeps recording with the
 * times the events really happened, every upload attempt fails. When the link returns,
 * everything arrives once, and guardians' notices say when it happened and that it is late.
 */
describe(`cloud unreachable for a simulated day (${backend.name})`, () => {
  let cloud: TestCloud;
  let proxy: FlakyProxy;
  let push: PushReceiver;
  let sms: HttpSink;

  beforeAll(async () => {
    push = await startPushReceiver();
    sms = await startHttpSink();
    cloud = await startTestCloud(backend, { pushCa: push.ca, channels: { sms: { url: sms.url } } });
    proxy = await startFlakyProxy(cloud.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await cloud?.dispose();
    await push?.close();
    await sms?.close();
  });

  it('delivers the whole day afterwards, once, with late notices that say when it happened', async () => {
    const school = await seedSchool(cloud, 'offline-day', { mother: '13700000001', father: '13700000002' });
    const token = await signInGuardian(cloud.url, sms, '13700000001');
    const sub = push.subscribe();
    await parentApi(cloud.url, token, 'POST', '/push/subscriptions', { endpoint: sub.endpoint, keys: sub.keys });

    proxy.setPolicy(() => 'drop');
    const outbox = new MemoryOutbox();
    const client = new CloudSyncClient({ cloudUrl: proxy.url, credentials: school.credentials, outbox, idlePollMs: 20, backoff: { initialMs: 20, maxMs: 200 } });
    await client.start();
    try {
      // One event every ~5 minutes over the last 24 hours, ids minted at those times.
      const start = Date.now() - DAY;
      let clock = start;
      const ids = new UuidV7Generator(() => clock);
      const events = [];
      for (let t = start; t < Date.now() - 60_000; t += 5 * 60_000) {
        clock = t;
        const gate = Math.floor((t - start) / (5 * 60_000)) % 48 === 0;
        events.push(gate ? gatePass('offline-day', 'stu-1', 'in', { id: ids.next(), occurredAt: t }) : makeEvent('offline-day', { id: ids.next(), occurredAt: t }));
      }
      outbox.append(events);
      client.wake();
      await waitFor(() => proxy.requests.filter((r) => r.action === 'drop').length >= 5, 'failed attempts while offline');
      const offline = await client.status();
      expect(offline.state).toBe('backing_off');
      expect(offline.backlog).toBe(events.length);
      expect(offline.oldestPendingAgeMs!).toBeGreaterThan(DAY - 10 * 60_000);

      proxy.setPolicy(() => 'pass');
      await waitFor(async () => (await client.status()).backlog === 0, 'drained after the link returned', 60_000);
      const r = await cloud.db.query<{ n: number; d: number }>('SELECT count(*) AS n, count(DISTINCT id) AS d FROM events WHERE school_id = $1', [school.schoolId]);
      expect(r.rows[0]).toEqual({ n: events.length, d: events.length });

      const gateIds = events.filter((e) => e.type === 'access.decision').map((e) => e.id);
      expect(gateIds.length).toBeGreaterThanOrEqual(6);
      const pushes = await waitFor(() => {
        const mine = push.received.filter((p) => gateIds.includes((JSON.parse(p.payload) as { eventId: string }).eventId));
        return mine.length === gateIds.length ? mine : null;
      }, 'one push per late gate event');
      for (const p of pushes) {
        const body = JSON.parse(p.payload) as { body: string; late: boolean };
        expect(body.late).toBe(true);
        expect(body.body).toMatch(/^(\d{1,2}月\d{1,2}日 )?\d{2}:\d{2} 张小明 入校（东门）（延迟送达）$/);
      }
      // The first one happened yesterday: its notice carries the date.
      const first = pushes.map((p) => JSON.parse(p.payload) as { occurredAt: number; body: string }).sort((x, y) => x.occurredAt - y.occurredAt)[0]!;
      expect(first.body).toMatch(/^\d{1,2}月\d{1,2}日 /);
      const n = await waitFor(async () => {
        const rows = (await cloud.db.query<{ late: boolean }>('SELECT late FROM notices WHERE school_id = $1', [school.schoolId])).rows;
        return rows.length === gateIds.length * 2 ? rows : null;
      }, 'one notice per gate event per guardian');
      expect(n).toHaveLength(gateIds.length * 2);
      expect(n.every((x) => x.late)).toBe(true);
    } finally {
      await client.stop();
    }
  }, 120_000);
});
