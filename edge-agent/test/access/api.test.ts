import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient } from 'socket.io-client';
import { ApiClient } from '../helpers/edge.js';
import { FakeClock, TestIssuer, b64, seedSchool, startAccessEdge } from './helpers.js';
import { waitFor } from './rig.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

/** Who may do what on /api/access, bodies checked, live events by role. */
describe('access API', () => {
  let env: Awaited<ReturnType<typeof startAccessEdge>>;
  let guard: ApiClient;
  let facility: ApiClient;
  const issuer = new TestIssuer();

  beforeAll(async () => {
    env = await startAccessEdge({}, {
      issuer,
      clock: new FakeClock(Date.parse('2026-09-07T07:20:00+08:00')),
      edge: {
        users: [
          { username: 'guard1', password: 'guard-password-1', roles: ['security'] },
          { username: 'facility1', password: 'facility-pass-1', roles: ['facility'] },
        ],
      },
    });
    await seedSchool(env.admin);
    guard = new ApiClient(env.edge.httpUrl);
    await guard.login('guard1', 'guard-password-1');
    facility = new ApiClient(env.edge.httpUrl);
    await facility.login('facility1', 'facility-pass-1');
  });
  afterAll(async () => env.cleanup());

  it('lets guards see gates, people and attendance but not change the roster or the calendar', async () => {
    for (const path of ['/api/access/gates', '/api/access/people?q=张', '/api/access/classes', '/api/access/attendance', '/api/access/calendar', '/api/access/passes', '/api/access/leaves']) {
      expect((await guard.req('GET', path)).status, path).toBe(200);
      expect((await facility.req('GET', path)).status, path).toBe(403);
    }
    expect((await guard.req('POST', '/api/access/roster/import', { fileName: 'a.csv', contentBase64: b64('学号,姓名\n1,甲\n') })).status).toBe(403);
    expect((await guard.req('PUT', '/api/access/timetables', { timetables: [] })).status).toBe(403);
    expect((await guard.req('POST', '/api/access/people', { id: 'X1', name: '甲', roles: ['staff'] })).status).toBe(403);
  });

  it('finds people, shows one with guardians, and answers 404 for an unknown id', async () => {
    const list = await guard.req('GET', '/api/access/people?role=student&limit=2');
    expect(list.json.total).toBe(4);
    expect(list.json.people).toHaveLength(2);
    expect(list.json.people[0]).toMatchObject({ id: '2026010001', className: '1班', gradeName: '初一', hasPhoto: false });
    const one = await guard.req('GET', '/api/access/people/2026010001');
    expect(one.json.person.guardians[0]).toMatchObject({ guardianId: 'P001', relation: 'father', mayPickUp: true });
    const none = await guard.req('GET', '/api/access/people/NOBODY');
    expect(none.status).toBe(404);
    expect(none.json.error.message['zh-CN']).toBe('名单中没有此人：NOBODY');
  });

  it('manages people, guardians and photos', async () => {
    const created = await env.admin.req('POST', '/api/access/people', { id: 'S0009', name: '保安老周', roles: ['staff'] });
    expect(created.status).toBe(201);
    expect((await env.admin.req('POST', '/api/access/people', { id: 'S0009', name: '重复', roles: ['staff'] })).status).toBe(409);
    expect((await env.admin.req('POST', '/api/access/people', { id: 'S0010', name: '错', roles: ['staff'], dormitoryZone: 'campus' })).json.error.code).toBe('access.not_dormitory');
    const link = await env.admin.req('PUT', '/api/access/people/2026010002/guardians/S0009', { relation: 'other', mayPickUp: false });
    expect(link.status).toBe(200);
    expect(env.edge.access.people.get('S0009')!.roles).toEqual(['staff', 'guardian']);
    expect((await env.admin.req('DELETE', '/api/access/people/2026010002/guardians/S0009')).status).toBe(204);
    expect((await env.admin.req('PUT', '/api/access/people/2026010002/photo', { contentBase64: b64('not an image') })).status).toBe(400);
    expect((await env.admin.req('PUT', '/api/access/people/2026010002/photo', { contentBase64: PNG.toString('base64') })).status).toBe(204);
    const photo = await fetch(`${env.edge.httpUrl}/api/access/people/2026010002/photo`, { headers: { cookie: guard.cookie } });
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await photo.arrayBuffer()).equals(PNG)).toBe(true);
    expect((await guard.req('GET', '/api/access/people/2026010001/photo')).status).toBe(404);
  });

  it('registers a reissued card and refuses versions below the floor', async () => {
    await guard.req('POST', '/api/access/people/2026010004/cards/revoke', { why: '挂失' });
    expect((await env.admin.req('POST', '/api/access/people/2026010004/cards', { version: 1 })).status).toBe(409);
    const ok = await env.admin.req('POST', '/api/access/people/2026010004/cards', { version: 2 });
    expect(ok.json.person).toMatchObject({ cardVersion: 2, minCardVersion: 2 });
    const detail = await guard.req('GET', '/api/access/people/2026010004');
    expect(detail.json.person.cards.map((c: { version: number; revokedAt: number | null }) => [c.version, c.revokedAt !== null])).toEqual([[2, false]]);
    const gate = env.edge.access.gates.get('east')!;
    expect((await env.edge.access.runtime!.decide(gate, 'in', issuer.card('2026010004', 2), null))!.reason).toBe('access.granted');
  });

  it('validates calendar and timetable bodies', async () => {
    const tt = await env.admin.req('PUT', '/api/access/timetables', { timetables: [{ gradeId: 1, entryStart: '08:00', lateAfter: '07:30', dismissalStart: '16:00', dismissalEnd: '17:00' }] });
    expect(tt.status).toBe(400);
    expect((await env.admin.req('PUT', '/api/access/timetables', { timetables: [{ gradeId: 999, entryStart: '07:00', lateAfter: '07:30', dismissalStart: '16:00', dismissalEnd: '17:00' }] })).status).toBe(404);
    expect((await env.admin.req('PUT', '/api/access/timetables', { timetables: [{ gradeId: 1, entryStart: '7:00', lateAfter: '07:30', dismissalStart: '16:00', dismissalEnd: '17:00' }] })).status).toBe(400);
    expect((await env.admin.req('PUT', '/api/access/curfews', { curfews: [{ zone: 'campus', kind: 'curfew', start: '22:00', end: '06:00' }] })).json.error.code).toBe('access.not_dormitory');
    expect((await env.admin.req('PUT', '/api/access/calendar/days/2026-02-30', { kind: 'holiday', name: 'x' })).status).toBe(400);
    const leave = await guard.req('POST', '/api/access/leaves', { personId: '2026010001', startsAt: '2026-09-07T12:00', endsAt: '2026-09-07T11:00', reason: 'x', approvedBy: 'y' });
    expect(leave.json.error.code).toBe('access.bad_window');
    expect((await guard.req('POST', '/api/access/leaves', { personId: 'T001', startsAt: '2026-09-07T10:00', endsAt: '2026-09-07T11:00', reason: 'x', approvedBy: 'y' })).json.error.code).toBe('access.not_student');
  });

  it('pushes access events live to guards, not to facility staff; opening an unknown gate is a 404', async () => {
    const seen: Record<string, string[]> = { guard: [], facility: [] };
    const sockets = (['guard', 'facility'] as const).map((who) => {
      const c = who === 'guard' ? guard : facility;
      const s = ioClient(env.edge.httpUrl, { transports: ['websocket'], extraHeaders: { cookie: c.cookie }, reconnection: false });
      s.on('event', (e: { type: string }) => seen[who]!.push(e.type));
      return s;
    });
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.on('connect', () => r()))));
    const r = await guard.req('POST', '/api/access/gates/east/open', { direction: 'in', why: '送货车辆' });
    expect(r.status).toBe(201);
    await waitFor(() => seen.guard!.includes('access.decision'), 'the live decision');
    await new Promise((res) => setTimeout(res, 200));
    expect(seen.facility).not.toContain('access.decision');
    expect((await guard.req('POST', '/api/access/gates/nowhere/open', { direction: 'in', why: 'x' })).status).toBe(404);
    expect((await guard.req('POST', '/api/access/gates/east/open', { direction: 'sideways', why: 'x' })).status).toBe(400);
    for (const s of sockets) s.close();
  });
});
