import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANGES_PATH } from '@campus/protocol/sync/changes';
import { INGEST_PATH, MAX_BATCH_BYTES } from '@campus/protocol/sync/ingest';
import { SignedTransport } from '../../src/client/transport.js';
import { ChangeFeedFollower } from '../../src/client/change-feed.js';
import { MemoryChangeApplier } from '../../src/client/reference/memory-applier.js';
import { migrate, MIGRATIONS } from '../../src/server/db/migrations.js';
import type { Backend } from '../helpers/backends.js';
import { startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { gatePass, makeEvent } from '@campus/testkit';
import { send, signedHeaders, signedSend } from '../helpers/signed-request.js';

/**
 * The cloud's contract, run unchanged against PGlite and PostgreSQL: idempotent ingest,
 * request authentication, refusal of bad batches without partial writes, school
 * isolation, the change feed and the admin API.
 */
export function cloudContract(backend: Backend): void {
  describe(`cloud contract on ${backend.name}`, () => {
    let cloud: TestCloud;
    let a: Awaited<ReturnType<TestCloud['provisionEdge']>>;
    let b: Awaited<ReturnType<TestCloud['provisionEdge']>>;

    beforeAll(async () => {
      cloud = await startTestCloud(backend);
      a = await cloud.provisionEdge({ schoolName: '第一小学', site: 'yi-xiao' });
      b = await cloud.provisionEdge({ schoolName: '第二中学', site: 'er-zhong' });
    });
    afterAll(async () => {
      await cloud?.dispose();
    });

    const countEvents = async (schoolId: string) => (await cloud.db.query<{ n: number }>('SELECT count(*) AS n FROM events WHERE school_id = $1', [schoolId])).rows[0]!.n;
    const post = (creds: typeof a.credentials, events: unknown[]) => signedSend(cloud.url, creds, 'POST', INGEST_PATH, JSON.stringify({ events }));

    it('stores a batch once: a resend is counted as duplicates and adds nothing', async () => {
      const events = [gatePass('yi-xiao', 'stu-x', 'in'), makeEvent('yi-xiao'), makeEvent('yi-xiao', { priority: 0, severity: 'critical' })];
      const before = await countEvents(a.schoolId);
      const first = await post(a.credentials, events);
      expect(first.status).toBe(200);
      expect(first.json).toEqual({ accepted: 3, duplicates: 0 });
      const again = await post(a.credentials, events);
      expect(again.json).toEqual({ accepted: 0, duplicates: 3 });
      expect(await countEvents(a.schoolId)).toBe(before + 3);
    });

    it('refuses requests without a valid signature', async () => {
      const body = JSON.stringify({ events: [makeEvent('yi-xiao')] });
      const before = await countEvents(a.schoolId);
      expect((await send(cloud.url, 'POST', INGEST_PATH, { 'content-type': 'application/json' }, body)).status).toBe(401);
      // Signed by school B's key while claiming to be school A's edge.
      const forged = signedHeaders({ ...b.credentials, edgeId: a.edgeId }, 'POST', INGEST_PATH, body);
      expect((await send(cloud.url, 'POST', INGEST_PATH, forged, body)).status).toBe(401);
      // Body changed after signing.
      const tampered = signedHeaders(a.credentials, 'POST', INGEST_PATH, body, { signBody: JSON.stringify({ events: [] }) });
      expect((await send(cloud.url, 'POST', INGEST_PATH, tampered, body)).status).toBe(401);
      expect(await countEvents(a.schoolId)).toBe(before);
    });

    it('refuses a replayed request and a stale timestamp', async () => {
      const body = JSON.stringify({ events: [makeEvent('yi-xiao')] });
      const headers = signedHeaders(a.credentials, 'POST', INGEST_PATH, body);
      expect((await send(cloud.url, 'POST', INGEST_PATH, headers, body)).status).toBe(200);
      const replay = await send(cloud.url, 'POST', INGEST_PATH, headers, body);
      expect(replay.status).toBe(401);
      expect((replay.json as { error: { code: string } }).error.code).toBe('sync.error.replay');
      const stale = await signedSend(cloud.url, a.credentials, 'POST', INGEST_PATH, JSON.stringify({ events: [makeEvent('yi-xiao')] }), { timestamp: Date.now() - 10 * 60_000 });
      expect(stale.status).toBe(401);
      expect((stale.json as { error: { code: string } }).error.code).toBe('sync.error.stale');
    });

    it('refuses a replay sent while the original is still being ingested (the nonce is claimed in the ingest transaction)', async () => {
      const before = await countEvents(a.schoolId);
      const events = Array.from({ length: 20 }, () => makeEvent('yi-xiao'));
      const body = JSON.stringify({ events });
      const headers = signedHeaders(a.credentials, 'POST', INGEST_PATH, body);
      const answers = await Promise.all([send(cloud.url, 'POST', INGEST_PATH, headers, body), send(cloud.url, 'POST', INGEST_PATH, headers, body)]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 401]);
      expect((answers.find((r) => r.status === 401)!.json as { error: { code: string } }).error.code).toBe('sync.error.replay');
      expect((answers.find((r) => r.status === 200)!.json as { accepted: number }).accepted).toBe(20);
      expect(await countEvents(a.schoolId)).toBe(before + 20);
    });

    it('refuses malformed and invalid batches as a whole, with a message in both languages', async () => {
      const before = await countEvents(a.schoolId);
      const notJson = await signedSend(cloud.url, a.credentials, 'POST', INGEST_PATH, '{"events": [');
      expect(notJson.status).toBe(400);
      const good = makeEvent('yi-xiao');
      const bad = { ...makeEvent('yi-xiao'), id: 'not-a-uuid' };
      const mixed = await post(a.credentials, [good, bad]);
      expect(mixed.status).toBe(400);
      const msg = (mixed.json as { error: { message: { 'zh-CN': string; en: string } } }).error.message;
      expect(msg['zh-CN']).toContain('请求格式错误');
      expect(msg.en).toContain('events.1.id');
      expect((await post(a.credentials, [])).status).toBe(400);
      expect((await post(a.credentials, [{ ...makeEvent('yi-xiao'), priority: 9 }])).status).toBe(400);
      expect(await countEvents(a.schoolId)).toBe(before);
    });

    it('refuses an oversized body with 413', async () => {
      const big = JSON.stringify({ events: [makeEvent('yi-xiao', { data: { blob: 'x'.repeat(MAX_BATCH_BYTES + 10) } })] });
      const r = await signedSend(cloud.url, a.credentials, 'POST', INGEST_PATH, big);
      expect(r.status).toBe(413);
    });

    it('refuses a batch carrying another school\'s site, storing none of it', async () => {
      const beforeA = await countEvents(a.schoolId);
      const beforeB = await countEvents(b.schoolId);
      const r = await post(a.credentials, [makeEvent('yi-xiao'), makeEvent('er-zhong')]);
      expect(r.status).toBe(403);
      expect(await countEvents(a.schoolId)).toBe(beforeA);
      expect(await countEvents(b.schoolId)).toBe(beforeB);
    });

    it('keeps event ids per school: the same id from two schools is two events', async () => {
      const e = makeEvent('yi-xiao');
      expect((await post(a.credentials, [e])).json).toEqual({ accepted: 1, duplicates: 0 });
      expect((await post(b.credentials, [{ ...e, site: 'er-zhong' }])).json).toEqual({ accepted: 1, duplicates: 0 });
    });

    it('rotates keys: a new key works at once, a revoked key or disabled edge is refused', async () => {
      const rotated = await cloud.admin('POST', `/edges/${a.edgeId}/keys`, {});
      expect(rotated.status).toBe(201);
      const fresh = rotated.json as typeof a.credentials;
      expect((await post(fresh, [makeEvent('yi-xiao')])).status).toBe(200);
      expect((await post(a.credentials, [makeEvent('yi-xiao')])).status).toBe(200);
      expect((await cloud.admin('DELETE', `/edges/${a.edgeId}/keys/${fresh.keyId}`)).status).toBe(204);
      expect((await post(fresh, [makeEvent('yi-xiao')])).status).toBe(401);
      expect((await cloud.admin('PUT', `/edges/${a.edgeId}/disabled`, { disabled: true })).status).toBe(200);
      expect((await post(a.credentials, [makeEvent('yi-xiao')])).status).toBe(403);
      expect((await cloud.admin('PUT', `/edges/${a.edgeId}/disabled`, { disabled: false })).status).toBe(200);
      expect((await post(a.credentials, [makeEvent('yi-xiao')])).status).toBe(200);
    });

    it('serves a compacted change feed per school, in commit order, with tombstones', async () => {
      await cloud.records.write(a.schoolId, [
        { kind: 'card', key: 'card-1', data: { personId: 'stu-1', version: 1, revoked: false } },
        { kind: 'calendar', key: '2026-12-01', data: { date: '2026-12-01', kind: 'school_day', entryBy: '08:00' } },
        { kind: 'visitor_pass', key: 'v-1', data: { name: '王先生', validFrom: 1, validUntil: 2 } },
      ]);
      await cloud.records.write(a.schoolId, [{ kind: 'card', key: 'card-1', data: { personId: 'stu-1', version: 2, revoked: true } }]);
      await cloud.records.write(a.schoolId, [{ kind: 'visitor_pass', key: 'v-1', delete: true }]);
      await cloud.records.write(b.schoolId, [{ kind: 'card', key: 'card-b', data: { personId: 'stu-b', version: 1, revoked: false } }]);

      const page = await signedSend(cloud.url, a.credentials, 'GET', `${CHANGES_PATH}?after=0&limit=100`);
      expect(page.status).toBe(200);
      const p = page.json as { changes: { seq: number; kind: string; key: string; op: string; data: Record<string, unknown> | null }[]; cursor: number; more: boolean };
      expect(p.changes.map((c) => `${c.kind}/${c.key}/${c.op}`)).toEqual(['calendar/2026-12-01/upsert', 'card/card-1/upsert', 'visitor_pass/v-1/delete']);
      expect(p.changes.find((c) => c.key === 'card-1')!.data).toMatchObject({ version: 2, revoked: true });
      expect(p.changes.some((c) => c.key === 'card-b')).toBe(false);
      const seqs = p.changes.map((c) => c.seq);
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
      const paged = (await signedSend(cloud.url, a.credentials, 'GET', `${CHANGES_PATH}?after=0&limit=2`)).json as typeof p;
      expect(paged.changes).toHaveLength(2);
      expect(paged.more).toBe(true);
      const rest = (await signedSend(cloud.url, a.credentials, 'GET', `${CHANGES_PATH}?after=${paged.cursor}&limit=2`)).json as typeof p;
      expect(rest.changes.map((c) => c.key)).toEqual(['v-1']);
      expect((await signedSend(cloud.url, a.credentials, 'GET', `${CHANGES_PATH}?after=-1`)).status).toBe(400);
    });

    it('wakes a long-poll when a revocation is written, and the follower applies it', async () => {
      const applier = new MemoryChangeApplier();
      const transport = new SignedTransport({ cloudUrl: cloud.url, credentials: b.credentials });
      const follower = new ChangeFeedFollower({ transport, applier, waitSeconds: 20 });
      await follower.start();
      try {
        const deadline = Date.now() + 10_000;
        while (!follower.state.upToDate && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        expect(applier.get('card', 'card-b')).toMatchObject({ revoked: false });
        await cloud.records.write(b.schoolId, [{ kind: 'card', key: 'card-b', data: { personId: 'stu-b', version: 2, revoked: true } }]);
        while (!(applier.get('card', 'card-b') as { revoked?: boolean } | null)?.revoked && Date.now() < deadline + 10_000) await new Promise((r) => setTimeout(r, 20));
        expect(applier.get('card', 'card-b')).toMatchObject({ version: 2, revoked: true });
        expect(applier.feedCursor()).toBe(follower.state.cursor);
      } finally {
        await follower.stop();
        transport.close();
      }
    });

    it('protects the admin API and answers bad input with 4xx, never 500', async () => {
      expect((await fetch(cloud.url + '/api/admin/schools')).status).toBe(401);
      expect((await fetch(cloud.url + '/api/admin/schools', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await cloud.admin('POST', '/schools', '{not json')).status).toBe(400);
      expect((await cloud.admin('POST', '/schools', { name: 5 })).status).toBe(400);
      expect((await cloud.admin('POST', '/schools', { name: 'x'.repeat(9_000_000) })).status).toBe(413);
      expect((await cloud.admin('POST', `/schools/${a.schoolId}/campuses`, { name: '重复', site: 'yi-xiao' })).status).toBe(409);
      expect((await cloud.admin('POST', '/schools/nope/edges', { name: 'e' })).status).toBe(404);
      expect((await cloud.admin('POST', '/edges/nope/keys', {})).status).toBe(404);
      const list = await cloud.admin('GET', '/schools');
      expect((list.json as { schools: { id: string }[] }).schools.map((s) => s.id)).toEqual(expect.arrayContaining([a.schoolId, b.schoolId]));
    });

    it('applies migrations once: running them again changes nothing', async () => {
      expect(await migrate(cloud.db)).toEqual([]);
      const ids = (await cloud.db.query<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id')).rows.map((r) => r.id);
      expect(ids).toEqual(MIGRATIONS.map((m) => m.id));
    });

    it('publishes an OpenAPI document', async () => {
      const doc = (await (await fetch(cloud.url + '/api/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
      expect(doc.openapi).toBe('3.1.0');
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([INGEST_PATH, CHANGES_PATH, '/api/parent/me']));
    });
  });
}
