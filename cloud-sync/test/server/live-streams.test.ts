import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANGES_PATH } from '@campus/protocol/sync/changes';
import { BusBox, KM, ROUTE } from '../bus/bus-fixtures.js';
import { availableBackends } from '../helpers/backends.js';
import { seedSchool, startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { startHttpSink, type HttpSink } from '../helpers/http-sink.js';
import { signInGuardian } from '../helpers/parent-client.js';
import { signedSend } from '../helpers/signed-request.js';
import { openSse } from '../helpers/sse.js';
import { staffSignIn } from '../helpers/staff-client.js';

const PW = 'live-password-12';

/**
 * The live views on each backend in one process (PGlite has its own LISTEN/NOTIFY; the
 * cross-process case is reliability/live-multi-process.test.ts): the stream's first update
 * is the current state, every change that matters pushes the next, a changed guardianship
 * ends what a stream shows, and callers outside the school or the family get no stream.
 */
for (const backend of await availableBackends()) {
  describe(`live views on ${backend.name}`, () => {
    let cloud: TestCloud;
    let sms: HttpSink;
    beforeAll(async () => {
      sms = await startHttpSink();
      cloud = await startTestCloud(backend, { channels: { sms: { url: sms.url } } });
    }, 120_000);
    afterAll(async () => {
      await cloud?.dispose();
      await sms?.close();
    });

    it('pushes edge health to the console and the bus card to the parent, and stops showing a bus once the guardianship is gone', async () => {
      const edge = await seedSchool(cloud, `live-${backend.name}`, { mother: '13500000041', father: '13500000042' });
      const sid = edge.schoolId;
      await cloud.admin('POST', `/schools/${sid}/accounts`, { username: `live-${backend.name}`, displayName: '管理员', password: PW });
      const staff = await staffSignIn(cloud.url, `live-${backend.name}`, PW);
      const other = await cloud.provisionEdge({ schoolName: '别的学校', site: `live-other-${backend.name}` });

      // Another school's stream: 404, as every school route outside the caller's reach.
      const foreign = await openSse(`${cloud.url}/api/staff/schools/${other.schoolId}/edges/live`, { cookie: staff.cookie! });
      expect(foreign.status).toBe(404);
      const health = await openSse(`${cloud.url}/api/staff/schools/${sid}/edges/live`, { cookie: staff.cookie! });
      try {
        expect((await health.next<{ edges: { status: unknown }[] }>(() => true)).edges[0]!.status).toBeNull();
        expect((await signedSend(cloud.url, edge.credentials, 'GET', `${CHANGES_PATH}?after=0&limit=10&backlog=3&clock=0&ver=2.0.0`)).status).toBe(200);
        const u = await health.next<{ edges: { status: { backlog: number; clockTrusted: boolean } | null }[] }>((x) => x.edges[0]?.status?.backlog === 3, 5_000);
        expect(u.edges[0]!.status).toMatchObject({ backlog: 3, clockTrusted: false });
      } finally {
        health.close();
      }

      await cloud.records.write(sid, [
        { kind: 'bus_vehicle', key: 'v1', data: { plate: '沪A12345', seats: 45 } },
        { kind: 'bus_route', key: 'r1', data: ROUTE },
        { kind: 'bus_assignment', key: 'a1', data: { personId: 'stu-1', routeId: 'r1', stopId: 'b', direction: 'morning', from: '2026-01-01' } },
      ]);
      const mother = await signInGuardian(cloud.url, sms, '13500000041');
      const card = await openSse(`${cloud.url}/api/parent/children/${sid}/stu-1/bus/live`, { authorization: `Bearer ${mother}` });
      try {
        expect(card.contentType).toMatch(/^text\/event-stream/);
        expect(await card.next(() => true)).toEqual({ running: false });
        const box = new BusBox(cloud, `live-${backend.name}`, edge.credentials);
        await box.open('trip-1', 'r1', 'morning');
        await box.positions('沪A12345', [{ at: Date.now() - 500, lat: 31.2 + KM, lon: 121.4, speedKmh: 20 }], 'trip-1');
        await card.next<{ running: boolean; position?: unknown }>((v) => v.running && !!v.position, 5_000);
        // The school removes the mother's guardianship: the open stream shows no bus any more.
        const seen = card.updates.length;
        await cloud.records.write(sid, [{ kind: 'guardianship', key: 'stu-1-g1', delete: true }]);
        expect(await card.next(() => true, 5_000, seen)).toEqual({ running: false });
      } finally {
        card.close();
      }
      // Without a session, no stream at all.
      expect((await openSse(`${cloud.url}/api/parent/children/${sid}/stu-1/bus/live`)).status).toBe(401);
    }, 120_000);
  });
}
