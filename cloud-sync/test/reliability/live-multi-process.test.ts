import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANGES_PATH } from '@campus/protocol/sync/changes';
import { cloudSchoolAdmin } from '@campus/testkit';
import { BusBox, KM, ROUTE } from '../bus/bus-fixtures.js';
import { postgresBackend } from '../helpers/backends.js';
import type { Json, TestCloud } from '../helpers/cloud.js';
import { startHttpSink } from '../helpers/http-sink.js';
import { signInGuardian } from '../helpers/parent-client.js';
import { freePort, killHard, spawnTs } from '../helpers/processes.js';
import { signedSend } from '../helpers/signed-request.js';
import { openSse } from '../helpers/sse.js';
import { staffSignIn } from '../helpers/staff-client.js';
import type { EdgeCredentials } from '../../src/client/transport.js';

const available = (await postgresBackend.available()) || !!process.env.CI;
const MOTHER = '13700000021';
const OTHER = '13700000022';

interface EdgeView {
  cursor: number;
  edges: { id: string; lastSeenAt: number | null; applied: { cursor: number; behind: number }; status: { backlog: number | null; clockTrusted: boolean | null; version: string | null } | null }[];
}
interface BusView {
  running: boolean;
  trip?: { tripId: string };
  position?: { lat: number } | null;
}

/**
 * Live views across two real `campus-cloud` processes on one PostgreSQL: a console or
 * parent client holds a server-sent-events stream on process A; the write that changes
 * its view goes through process B (an edge's report, a bus box's upload). LISTEN/NOTIFY
 * carries the change; nothing polls (the streams would otherwise stay silent).
 */
describe.skipIf(!available)('live views across cloud processes (server-sent events over LISTEN/NOTIFY)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  });

  it('a client on process A sees edge health and the bus card change through process B', async () => {
    const db = await postgresBackend.open();
    cleanups.push(db.cleanup);
    const sms = await startHttpSink();
    cleanups.push(() => sms.close());
    const dir = mkdtempSync(join(tmpdir(), 'campus-live-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const config = join(dir, 'cloud.json');
    writeFileSync(config, JSON.stringify({ notices: { quietHours: null }, channels: { sms: { url: sms.url } } }));
    const adminToken = randomBytes(18).toString('base64url');
    const ports = [await freePort(), await freePort()];
    const start = async (port: number) => {
      const child = spawnTs('cloud-sync/src/bin/campus-cloud.ts', { PORT: String(port), HOST: '127.0.0.1', CAMPUS_CLOUD_ADMIN_TOKEN: adminToken, DATABASE_URL: db.options.databaseUrl! }, ['start', '--config', config]);
      cleanups.push(() => killHard(child));
      await child.waitForLine(/"listening"/, 90_000);
      return child;
    };
    for (const p of ports) await start(p);
    const [a, b] = ports.map((p) => `http://127.0.0.1:${p}`) as [string, string];

    const admin = async (path: string, body: unknown, base = a) => {
      const r = await fetch(base + '/api/admin' + path, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status, await r.clone().text()).toBeLessThan(300);
      return (await r.json()) as Json;
    };
    const school = await admin('/schools', { name: '实时视图测试学校' });
    const sid = String(school.id);
    const campus = await admin(`/schools/${sid}/campuses`, { name: '主校区', site: 'live-bus' });
    const edge = await admin(`/schools/${sid}/edges`, { name: '校车网关', campusId: campus.id });
    const creds = edge.credentials as unknown as EdgeCredentials;
    const schoolAdmin = await cloudSchoolAdmin(a, adminToken, sid, { username: 'live-admin', password: 'correct horse battery 1' });
    await schoolAdmin.writeRecords([
        { kind: 'person', key: 'stu-1', data: { name: '张小明', roles: ['student'], classId: '一年级1班' } },
        { kind: 'person', key: 'stu-1-mother', data: { name: '张妈妈', roles: ['guardian'], phone: MOTHER } },
        { kind: 'guardianship', key: 'g1', data: { studentId: 'stu-1', guardianId: 'stu-1-mother', relation: '母亲', mayPickUp: true, receivesNotices: true } },
        { kind: 'person', key: 'stu-2', data: { name: '李小红', roles: ['student'], classId: '一年级1班' } },
        { kind: 'person', key: 'stu-2-mother', data: { name: '李妈妈', roles: ['guardian'], phone: OTHER } },
        { kind: 'guardianship', key: 'g2', data: { studentId: 'stu-2', guardianId: 'stu-2-mother', relation: '母亲', mayPickUp: true, receivesNotices: true } },
        { kind: 'bus_vehicle', key: 'v1', data: { plate: '沪A12345', seats: 45 } },
        { kind: 'bus_route', key: 'r1', data: ROUTE },
        { kind: 'bus_assignment', key: 'a1', data: { personId: 'stu-1', routeId: 'r1', stopId: 'b', direction: 'morning', from: '2026-01-01' } },
    ]);

    // ---- the console's edge-health view ----
    const staff = await staffSignIn(a, 'live-admin', 'correct horse battery 1');
    const anonymous = await openSse(`${a}/api/staff/schools/${sid}/edges/live`);
    expect(anonymous.status).toBe(401);
    const health = await openSse(`${a}/api/staff/schools/${sid}/edges/live`, { cookie: staff.cookie! });
    cleanups.push(async () => health.close());
    expect(health.status).toBe(200);
    expect(health.contentType).toMatch(/^text\/event-stream/);
    const first = await health.next<EdgeView>(() => true);
    expect(first.edges).toHaveLength(1);
    expect(first.edges[0]!.status).toBeNull();
    // The edge asks process B for changes and reports itself: its backlog reaches the console on A.
    const t0 = Date.now();
    const feedPath = `${CHANGES_PATH}?after=0&limit=500&backlog=17&clock=1&ver=1.4.2`;
    expect((await signedSend(b, creds, 'GET', feedPath)).status).toBe(200);
    const reported = await health.next<EdgeView>((u) => u.edges[0]?.status?.backlog === 17, 5_000);
    expect(reported.edges[0]!.status).toMatchObject({ backlog: 17, clockTrusted: true, version: '1.4.2' });
    expect(reported.edges[0]!.applied.behind).toBe(reported.cursor); // it has applied nothing yet
    expect(Date.now() - t0).toBeLessThan(5_000);
    // It catches up (asks from the head of the feed): the console shows it applied everything.
    const caughtUp = `${CHANGES_PATH}?after=${reported.cursor}&limit=500&backlog=0&clock=1&ver=1.4.2`;
    expect((await signedSend(b, creds, 'GET', caughtUp)).status).toBe(200);
    await health.next<EdgeView>((u) => u.edges[0]?.applied.behind === 0 && u.edges[0]?.status?.backlog === 0, 5_000);
    // A roster write through B: the console on A sees the edge fall behind the feed.
    const seen = health.updates.length;
    await schoolAdmin.writeRecords([{ kind: 'person', key: 'stu-3', data: { name: '王小刚', roles: ['student'] } }], b);
    const behind = await health.next<EdgeView>((u) => u.edges[0]?.applied.behind === 1, 5_000, seen);
    expect(behind.cursor).toBeGreaterThan(reported.cursor);

    // ---- the parent's bus card ----
    const mother = await signInGuardian(a, sms, MOTHER);
    const other = await signInGuardian(a, sms, OTHER);
    const notMine = await openSse(`${a}/api/parent/children/${sid}/stu-1/bus/live`, { authorization: `Bearer ${other}` });
    expect(notMine.status).toBe(404);
    const card = await openSse(`${a}/api/parent/children/${sid}/stu-1/bus/live`, { authorization: `Bearer ${mother}` });
    cleanups.push(async () => card.close());
    expect(card.status).toBe(200);
    expect(await card.next<BusView>(() => true)).toEqual({ running: false });
    // The bus box uploads through process B: the trip opens, then a position.
    const box = new BusBox({ url: b } as TestCloud, 'live-bus', creds);
    await box.open('trip-1', 'r1', 'morning');
    const open = await card.next<BusView>((u) => u.running, 5_000);
    expect(open.trip?.tripId).toBe('trip-1');
    expect(open.position).toBeNull();
    await box.positions('沪A12345', [{ at: Date.now() - 500, lat: 31.2 + KM, lon: 121.4, speedKmh: 30 }], 'trip-1');
    const moving = await card.next<BusView>((u) => u.running && !!u.position, 5_000);
    expect(moving.position?.lat).toBeCloseTo(31.2 + KM, 6);
    // The other family's stream was refused: it never saw this bus.
    expect(notMine.updates).toEqual([]);
  }, 300_000);
});
