import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANGES_PATH } from '@campus/protocol/sync/changes';
import { cloudSchoolAdmin, gatePass, makeEvent, type CloudRecordWrite } from '@campus/testkit';
import { CloudSyncClient } from '../../src/client/sync-client.js';
import { MemoryOutbox } from '../../src/client/reference/memory-outbox.js';
import { openDatabase } from '../../src/server/db/open.js';
import { postgresBackend } from '../helpers/backends.js';
import { startBalancer } from '../helpers/balancer.js';
import { waitFor, type Json } from '../helpers/cloud.js';
import { startHttpSink } from '../helpers/http-sink.js';
import { freePort, killHard, spawnTs } from '../helpers/processes.js';
import { send, signedHeaders } from '../helpers/signed-request.js';
import type { EdgeCredentials } from '../../src/client/transport.js';

const available = (await postgresBackend.available()) || !!process.env.CI;
const EDGES = 6;
const STUDENTS = 8;

/**
 * Three real `campus-cloud` processes on one PostgreSQL behind a round-robin balancer:
 * edges upload gate mornings through it while one process is killed with SIGKILL in the
 * middle of ingest and notification work. Every event is stored once, every guardian gets
 * one notice per passage (each notice delivered with its own id: a delivery cut by the kill
 * may be repeated with the same noticeId, which receivers use to drop the repeat), and a
 * change-feed long-poll held by one process wakes at once for a write made through another.
 */
describe.skipIf(!available)('three cloud processes on one PostgreSQL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('loses no event, sends no notice twice, and wakes a long-poll held by another process', async () => {
    const db = await postgresBackend.open();
    cleanups.push(db.cleanup);
    const hook = await startHttpSink();
    cleanups.push(() => hook.close());
    const dir = mkdtempSync(join(tmpdir(), 'campus-multi-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const config = join(dir, 'cloud.json');
    writeFileSync(config, JSON.stringify({ jobs: { expireSeconds: 15, supervisorSeconds: 5 }, notices: { quietHours: null }, channels: { webhook: { url: hook.url, secret: 'multi-secret' } } }));
    const adminToken = randomBytes(18).toString('base64url');

    const ports = [await freePort(), await freePort(), await freePort()];
    const start = async (port: number) => {
      const child = spawnTs('cloud-sync/src/bin/campus-cloud.ts', { PORT: String(port), HOST: '127.0.0.1', CAMPUS_CLOUD_ADMIN_TOKEN: adminToken, DATABASE_URL: db.options.databaseUrl! }, ['start', '--config', config]);
      cleanups.push(() => killHard(child));
      await child.waitForLine(/"listening"/, 90_000);
      return child;
    };
    const procs = [];
    for (const p of ports) procs.push(await start(p));
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    const lb = await startBalancer(urls);
    cleanups.push(() => lb.close());

    const admin = async (path: string, body: unknown, base = lb.url) => {
      const r = await fetch(base + '/api/admin' + path, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status, await r.clone().text()).toBeLessThan(300);
      return (await r.json()) as Json;
    };
    const sid = String((await admin('/schools', { name: '多进程测试学校' })).id);
    const records: unknown[] = [];
    for (let s = 0; s < STUDENTS; s++) {
      records.push({ kind: 'person', key: `stu-${s}`, data: { name: `学生${s}`, roles: ['student'], classId: '一年级1班' } });
      records.push({ kind: 'person', key: `par-${s}`, data: { name: `家长${s}`, roles: ['guardian'], phone: `1390000${String(s).padStart(4, '0')}` } });
      records.push({ kind: 'guardianship', key: `g-${s}`, data: { studentId: `stu-${s}`, guardianId: `par-${s}`, relation: '母亲', mayPickUp: true, receivesNotices: true } });
    }
    const school = await cloudSchoolAdmin(lb.url, adminToken, sid);
    await school.writeRecords(records as CloudRecordWrite[]);

    const edges: { site: string; credentials: EdgeCredentials }[] = [];
    for (let e = 0; e < EDGES; e++) {
      const site = `multi-${e}`;
      const campus = await admin(`/schools/${sid}/campuses`, { name: `校区${e}`, site });
      const edge = await admin(`/schools/${sid}/edges`, { name: `网关${e}`, campusId: campus.id });
      edges.push({ site, credentials: edge.credentials as unknown as EdgeCredentials });
    }

    // Cross-process wake-up: a long-poll held by process 0, a record written through process 1.
    const creds = edges[0]!.credentials;
    const cursor = (await send(urls[0]!, 'GET', `${CHANGES_PATH}?after=0&limit=500`, signedHeaders(creds, 'GET', `${CHANGES_PATH}?after=0&limit=500`, ''))).json as { cursor: number };
    const pollPath = `${CHANGES_PATH}?after=${cursor.cursor}&limit=500&wait=25`;
    const t0 = Date.now();
    const poll = send(urls[0]!, 'GET', pollPath, signedHeaders(creds, 'GET', pollPath, ''));
    await new Promise((r) => setTimeout(r, 500));
    await school.writeRecords([{ kind: 'person', key: 'stu-new', data: { name: '新同学', roles: ['student'] } }], urls[1]);
    const woke = await poll;
    const waited = Date.now() - t0;
    expect((woke.json as { changes: unknown[] }).changes).toHaveLength(1);
    // Without NOTIFY the other process would only notice at its 10-second re-check.
    expect(waited).toBeLessThan(5_000);

    // Gate mornings through the balancer; process 1 is killed half-way.
    const clients = edges.map((e) => {
      const outbox = new MemoryOutbox();
      const client = new CloudSyncClient({ cloudUrl: lb.url, credentials: e.credentials, outbox, maxBatchEvents: 40, idlePollMs: 20, backoff: { initialMs: 50, maxMs: 400 } });
      return { ...e, outbox, client };
    });
    for (const c of clients) await c.client.start();
    cleanups.push(async () => {
      for (const c of clients) await c.client.stop();
    });
    const ids: string[] = [];
    const passages: { id: string; student: number }[] = [];
    const rounds = 12;
    for (let round = 0; round < rounds; round++) {
      for (const c of clients) {
        const evs = Array.from({ length: 30 }, (_, i) => {
          if (i % 5 !== 0) return makeEvent(c.site);
          const student = (round * 7 + i) % STUDENTS;
          const ev = gatePass(c.site, `stu-${student}`, round % 2 === 0 ? 'in' : 'out');
          passages.push({ id: ev.id, student });
          return ev;
        });
        c.outbox.append(evs);
        ids.push(...evs.map((e) => e.id));
        c.client.wake();
      }
      if (round === Math.floor(rounds / 2)) {
        expect(lb.served[1]).toBeGreaterThan(0); // it was taking its share of uploads when killed
        await killHard(procs[1]!);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    await waitFor(async () => (await Promise.all(clients.map((c) => c.client.status()))).every((s) => s.backlog === 0), 'every edge drained', 120_000);

    const check = await openDatabase(db.options);
    cleanups.push(() => check.close());
    const stored = await check.query<{ n: number; d: number }>('SELECT count(*) AS n, count(DISTINCT id) AS d FROM events WHERE id = ANY($1::uuid[])', [ids]);
    expect(stored.rows[0]).toEqual({ n: ids.length, d: ids.length });

    // Every passage judged (a change of presence → notice; a same-direction repeat → none), none lost.
    await waitFor(
      async () => {
        const r = await check.query<{ n: number }>('SELECT count(*) AS n FROM notice_verdicts WHERE school_id = $1 AND event_id = ANY($2::uuid[])', [sid, passages.map((p) => p.id)]);
        const pending = await check.query<{ n: number }>("SELECT count(*) AS n FROM notices WHERE school_id = $1 AND status = 'pending'", [sid]);
        return r.rows[0]!.n === passages.length && pending.rows[0]!.n === 0;
      },
      'every passage judged and every notice sent',
      180_000,
    );
    const changes = await check.query<{ event_id: string }>("SELECT event_id FROM notice_verdicts WHERE school_id = $1 AND verdict = 'change'", [sid]);
    expect(changes.rows.length).toBeGreaterThan(STUDENTS);
    const rows = await check.query<{ event_id: string; n: number }>('SELECT event_id, count(*) AS n FROM notices WHERE school_id = $1 GROUP BY event_id', [sid]);
    expect(rows.rows.filter((r) => r.n !== 1)).toEqual([]);
    const delivered = new Map<string, Set<string>>();
    for (const r of hook.received) {
      const n = (r.body as { notice?: { eventId: string; noticeId: string | number } }).notice;
      if (!n) continue;
      const set = delivered.get(n.eventId) ?? new Set<string>();
      set.add(String(n.noticeId));
      delivered.set(n.eventId, set);
    }
    const missing = changes.rows.filter((r) => !delivered.has(r.event_id));
    expect(missing).toEqual([]);
    const judgedQuiet = new Set(passages.map((p) => p.id).filter((id) => !changes.rows.some((r) => r.event_id === id)));
    expect([...delivered.keys()].filter((id) => judgedQuiet.has(id))).toEqual([]);
    expect([...delivered.values()].filter((s) => s.size !== 1)).toEqual([]);
    // The survivors served the rest of the run.
    expect(lb.served[0]! + lb.served[2]!).toBeGreaterThan(0);
  }, 600_000);
});
