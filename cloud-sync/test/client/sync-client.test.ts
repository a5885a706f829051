import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloudSyncClient } from '../../src/client/sync-client.js';
import { MemoryOutbox } from '../../src/client/reference/memory-outbox.js';
import { MemoryChangeApplier } from '../../src/client/reference/memory-applier.js';
import { pgliteBackend } from '../helpers/backends.js';
import { startTestCloud, waitFor, type TestCloud } from '../helpers/cloud.js';
import { gatePass, makeEvent } from '@campus/testkit';
import { startFlakyProxy, type FlakyProxy } from '../helpers/flaky-proxy.js';

/** The edge client against a real cloud (PGlite), through a real proxy that can fail on purpose. */
describe('CloudSyncClient', () => {
  let cloud: TestCloud;
  let proxy: FlakyProxy;
  let edge: Awaited<ReturnType<TestCloud['provisionEdge']>>;
  let client: CloudSyncClient | null = null;

  beforeAll(async () => {
    cloud = await startTestCloud(pgliteBackend);
    edge = await cloud.provisionEdge({ schoolName: '实验小学', site: 'shiyan' });
    proxy = await startFlakyProxy(cloud.url);
  });
  afterEach(async () => {
    await client?.stop();
    client = null;
    proxy.setPolicy(() => 'pass');
  });
  afterAll(async () => {
    await proxy?.close();
    await cloud?.dispose();
  });

  const stored = async (ids: string[]) =>
    (await cloud.db.query<{ id: string }>('SELECT id::text AS id FROM events WHERE school_id = $1 AND id = ANY($2::uuid[])', [edge.schoolId, ids])).rows.map((r) => r.id);
  const make = (outbox: MemoryOutbox, extra: Partial<ConstructorParameters<typeof CloudSyncClient>[0]> = {}) =>
    (client = new CloudSyncClient({ cloudUrl: proxy.url, credentials: edge.credentials, outbox, idlePollMs: 50, backoff: { initialMs: 50, maxMs: 400 }, ...extra }));

  it('drains every lane; each event arrives once and the cursors end at the last seq', async () => {
    const outbox = new MemoryOutbox();
    const events = [...Array.from({ length: 2500 }, () => makeEvent('shiyan')), ...Array.from({ length: 20 }, (_, i) => gatePass('shiyan', `s${i}`, 'in')), makeEvent('shiyan', { priority: 2 })];
    const rows = outbox.append(events);
    const c = make(outbox, { maxBatchEvents: 400 });
    await c.start();
    await waitFor(async () => (await c.status()).backlog === 0, 'backlog drained');
    const ids = events.map((e) => e.id);
    expect((await stored(ids)).sort()).toEqual([...ids].sort());
    const s = await c.status();
    expect(s.state).toBe('idle');
    expect(s.sentTotal).toBe(events.length);
    expect(s.duplicatesTotal).toBe(0);
    expect(s.progress).toBe(1);
    expect(s.oldestPendingAgeMs).toBeNull();
    expect(outbox.cursors()).toEqual({ 0: 0, 1: rows[2519]!.seq, 2: rows[2520]!.seq, 3: rows[2499]!.seq });
  });

  it('sends a gate event at once while a bandwidth-capped bulk backlog is still draining', async () => {
    const outbox = new MemoryOutbox();
    outbox.append(Array.from({ length: 3000 }, () => makeEvent('shiyan', { data: { kwh: 1.25, circuit: 'A-101' } })));
    const c = make(outbox, { bandwidthBytesPerSec: 20_000 });
    await c.start();
    await waitFor(async () => (await c.status()).sentTotal > 0, 'first bulk batch');
    const gate = gatePass('shiyan', 'stu-9', 'in');
    outbox.append([gate]);
    c.wake();
    await waitFor(async () => (await stored([gate.id])).length === 1, 'gate event in the cloud');
    const s = await waitFor(async () => {
      const st = await c.status();
      return st.backlogByLane[1] === 0 ? st : null;
    }, 'gate lane acknowledged');
    expect(s.backlogByLane[3]).toBeGreaterThan(0);
    expect(s.backlogByLane[1]).toBe(0);
    expect(s.state).toBe('catching_up');
    expect(s.progress).toBeGreaterThanOrEqual(0);
    expect(s.progress).toBeLessThan(1);
    expect(s.oldestPendingAgeMs).not.toBeNull();
    expect(s.ratePerSec).toBeGreaterThan(0);
  });

  it('backs off on 503, 429 and cut connections, then delivers everything exactly once', async () => {
    const outbox = new MemoryOutbox();
    const events = Array.from({ length: 50 }, () => makeEvent('shiyan'));
    outbox.append(events);
    let k = 0;
    proxy.setPolicy(() => {
      const n = k++;
      return n < 3 ? { status: 503 } : n < 5 ? { status: 429, headers: { 'retry-after': '1' } } : n < 7 ? 'drop' : 'pass';
    });
    const before = proxy.requests.length;
    const c = make(outbox, { maxBatchEvents: 10 });
    await c.start();
    await waitFor(async () => (await c.status()).backlog === 0, 'backlog drained after failures');
    // The proxy logs a forwarded request when the cloud answers, so a straggler of an earlier
    // test may be interleaved: count the failures rather than expecting an exact sequence.
    const mine = proxy.requests.slice(before).filter((r) => r.method === 'POST');
    const count = (status: number) => mine.filter((r) => r.status === status).length;
    expect([count(503), count(429), count(0)]).toEqual([3, 2, 2]);
    expect(k).toBeGreaterThan(7);
    expect((await stored(events.map((e) => e.id))).length).toBe(50);
    const s = await c.status();
    expect(s.lastError).not.toBeNull();
    expect(s.sentTotal).toBe(50);
  });

  it('with several batches in flight, a failure in the middle resends from the acknowledged cursor', async () => {
    const outbox = new MemoryOutbox();
    const events = Array.from({ length: 400 }, () => makeEvent('shiyan'));
    const rows = outbox.append(events);
    // About one request in four fails, in a fixed pseudo-random pattern.
    let seed = 7;
    const unlucky = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) < 0.25;
    proxy.setPolicy(({ method }) => (method === 'POST' && unlucky() ? { status: 503 } : 'pass'));
    const c = make(outbox, { maxBatchEvents: 20, pipeline: 3 });
    await c.start();
    await waitFor(async () => (await c.status()).backlog === 0, 'drained through intermittent 503s');
    expect((await stored(events.map((e) => e.id))).length).toBe(400);
    expect(outbox.cursors()[3]).toBe(rows[399]!.seq);
    const s = await c.status();
    expect(s.sentTotal + s.duplicatesTotal).toBeGreaterThanOrEqual(400);
    expect(s.sentTotal).toBe(400);
  });

  it('resends a batch whose answer was lost; the cloud counts it as duplicates', async () => {
    const outbox = new MemoryOutbox();
    const events = Array.from({ length: 30 }, () => makeEvent('shiyan'));
    outbox.append(events);
    let lost = false;
    proxy.setPolicy(({ method }) => (method === 'POST' && !lost ? ((lost = true), 'lose-response') : 'pass'));
    const c = make(outbox);
    await c.start();
    await waitFor(async () => (await c.status()).backlog === 0, 'backlog drained');
    const s = await c.status();
    expect(s.duplicatesTotal).toBe(30);
    const n = (await cloud.db.query<{ n: number }>('SELECT count(*) AS n FROM events WHERE id = ANY($1::uuid[])', [events.map((e) => e.id)])).rows[0]!.n;
    expect(n).toBe(30);
  });

  it('never skips a batch the cloud refuses: the cursor stays and the error is visible', async () => {
    const outbox = new MemoryOutbox();
    const bad = makeEvent('not-our-site');
    outbox.append([bad, makeEvent('shiyan')]);
    const c = make(outbox);
    await c.start();
    await waitFor(async () => (await c.status()).lastError?.status === 403, 'refusal surfaced');
    const s = await c.status();
    expect(s.backlog).toBe(2);
    expect(s.state).toBe('backing_off');
    expect(outbox.cursors()[3]).toBe(0);
  });

  it('follows the change feed and applies cloud-owned records', async () => {
    await cloud.records.write(edge.schoolId, [{ kind: 'person', key: 'p-1', data: { name: '赵六', roles: ['student'] } }]);
    const applier = new MemoryChangeApplier();
    const c = make(new MemoryOutbox(), { applier, feedWaitSeconds: 5 });
    await c.start();
    await waitFor(() => applier.get('person', 'p-1'), 'person applied');
    await cloud.records.write(edge.schoolId, [{ kind: 'card', key: 'k-1', data: { personId: 'p-1', version: 3, revoked: true } }]);
    await waitFor(() => applier.get('card', 'k-1'), 'revocation applied');
    const s = await c.status();
    expect(s.feed?.cursor).toBe(applier.feedCursor());
    expect(s.feed?.upToDate).toBe(true);
  });
});
