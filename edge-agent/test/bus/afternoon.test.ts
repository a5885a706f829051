import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { GpsFix } from '@campus/device-drivers/gps/index';
import type { BusDomain } from '../../src/bus/domain.js';
import type { BusConfigInput } from '../../src/bus/config.js';
import { ADMIN, ApiClient, startTestEdge, tempDir } from '../helpers/edge.js';
import { seedSchool, TestIssuer, ZONES } from '../access/helpers.js';
import { eventsAfter } from '../access/rig.js';
import { FakeTime } from './fake-time.js';

/**
 * An afternoon trip on a real edge (real SQLite, the attendance sweep on fake time): a
 * child the gates recorded absent, a child recorded by hand without a card, alighting at
 * the wrong stop, a restart of the daemon mid-trip that loses nothing, and the close.
 * Positions go through the same entry the GPS reader uses (the pty path is covered by
 * scenario.test.ts).
 */
const cst = (local: string) => Date.parse(`${local}+08:00`);
const ZHANG = '2026010001';
const LI = '2026010002';
const WANG = '2026010003';
const ZHAO = '2026010004';
const STOPS = { S1: { lat: 31.2, lon: 121.4 }, S2: { lat: 31.21, lon: 121.4 }, SCH: { lat: 31.22, lon: 121.4 } };

describe('school bus: an afternoon trip, a restart mid-trip', () => {
  const issuer = new TestIssuer('K1');
  const time = new FakeTime(cst('2026-09-07T07:20:00'));
  const data = tempDir('campus-bus-data-');
  const keys = tempDir('campus-bus-keys-');
  let edge: Awaited<ReturnType<typeof startTestEdge>>;
  let admin: ApiClient;
  let seq0 = 0;
  const bus: BusConfigInput = {
    enabled: true,
    keysDir: keys.path,
    refuseAbsent: true,
    routes: [
      {
        id: 'R1',
        name: '1号线',
        overspeedKmh: 80, // an expressway route
        stops: [
          { id: 'S1', name: '幸福小区', ...STOPS.S1, afternoonAt: '17:05' },
          { id: 'S2', name: '阳光花园', ...STOPS.S2, afternoonAt: '16:55' },
          { id: 'SCH', name: '学校', ...STOPS.SCH, radiusM: 100, afternoonAt: '16:40', depot: true },
        ],
      },
    ],
    assignments: [
      { personId: ZHANG, routeId: 'R1', stopId: 'S1', direction: 'afternoon', from: '2026-09-01' },
      { personId: LI, routeId: 'R1', stopId: 'S2', direction: 'afternoon', from: '2026-09-01' },
      { personId: WANG, routeId: 'R1', stopId: 'S2', direction: 'afternoon', from: '2026-09-01' },
    ],
  };

  async function start(): Promise<void> {
    edge = await startTestEdge({ dataDir: data.path, access: { keysDir: keys.path, zones: ZONES }, energy: { enabled: false }, bus } as never, { wallNow: time.now, time, logger: pino({ level: 'silent' }) });
    admin = new ApiClient(edge.httpUrl);
    expect((await admin.login(ADMIN.username, ADMIN.password)).status).toBe(200);
  }
  const service = () => (edge.domains.get('bus') as BusDomain).service!;
  let gpsT = 0;
  function at(where: { lat: number; lon: number }, speedKmh = 20): void {
    gpsT = Math.max(gpsT + 20_000, time.t);
    const f: GpsFix = { time: gpsT, ...where, speedKmh, course: 180, quality: 1, satellites: 10, hdop: 0.8, altitudeM: 10, talker: 'GN', receivedAt: time.t };
    service().position(f);
  }
  const scan = async (text: string, kind?: 'board' | 'alight') => (await admin.req('POST', '/api/bus/trips/current/scan', { text, ...(kind ? { kind } : {}) })).json.result as { ok: boolean; reason: string; text: { 'zh-CN': string } };

  beforeAll(async () => {
    issuer.install(keys.path);
    await start();
    await seedSchool(admin); // 初一: late after 07:30
    seq0 = edge.store.events.after(0, 100_000).at(-1)?.seq ?? 0;
  });
  afterAll(async () => {
    await edge?.stop();
    data.remove();
    keys.remove();
  });

  it('runs the afternoon and survives a restart', async () => {
    // 李四 and 王五 came through the school gate this morning (the campus edge's attendance, as it reaches this box); 张三 did not.
    const db = edge.store.db;
    for (const pid of [LI, WANG]) db.prepare('INSERT INTO access_attendance (day, person_id, arrived_at, arrived_gate) VALUES (?, ?, ?, ?)').run('2026-09-07', pid, cst('2026-09-07T07:25:00'), 'east');
    await time.advance(cst('2026-09-07T16:35:00') - time.t); // the attendance sweep runs after 07:30
    expect(eventsAfter(edge, seq0, 'attendance.absent').map((e) => e.subject)).toContain(ZHANG);

    expect((await admin.req('POST', '/api/bus/trips', { routeId: 'R1', direction: 'afternoon' })).status).toBe(201);
    at(STOPS.SCH, 0);
    expect(service().atStop).toBe('SCH');
    expect(await scan(issuer.card(ZHANG))).toMatchObject({ ok: false, reason: 'bus.refused.absent_today', text: { 'zh-CN': '张三 今天缺勤（未到校）' } });
    expect(await scan(issuer.card(LI))).toMatchObject({ ok: true, reason: 'bus.boarded' });
    expect(await scan(issuer.card(WANG))).toMatchObject({ ok: true, reason: 'bus.boarded' });
    expect(await scan(issuer.card(ZHAO), 'alight')).toMatchObject({ ok: false, reason: 'bus.refused.not_on_board' });
    // The head teacher phoned: 张三 is at school after all. The attendant records him without a card.
    const manual = await admin.req('POST', '/api/bus/trips/current/manual', { personId: ZHANG, kind: 'board', why: '班主任电话确认在校' });
    expect(manual.json.result).toMatchObject({ ok: true, reason: 'bus.boarded.manual' });
    expect((await admin.req('POST', '/api/bus/trips/current/manual', { personId: 'NOBODY', kind: 'board', why: 'x1' })).status).toBe(404);
    expect((await admin.req('POST', '/api/bus/trips/current/manual', { personId: ZHANG, kind: 'board', why: '' })).status).toBe(400);

    await time.advance(10 * 60_000);
    // 75 km/h for a minute is within this route's 80 km/h limit: no overspeed.
    for (let i = 1; i <= 3; i++) at({ lat: STOPS.SCH.lat - 0.001 * i, lon: STOPS.SCH.lon }, 75);
    at({ lat: STOPS.SCH.lat - 0.004, lon: STOPS.SCH.lon }, 40);
    at(STOPS.S2, 0);
    expect(service().atStop).toBe('S2');
    expect(await scan(issuer.card(ZHANG))).toMatchObject({ ok: false, reason: 'bus.refused.wrong_stop', text: { 'zh-CN': '站点不对：张三 的站点是 幸福小区' } });
    expect(await scan(issuer.card(LI))).toMatchObject({ ok: true, reason: 'bus.alighted' });

    // The box loses power mid-trip and comes back.
    const before = (await admin.req('GET', '/api/bus/trips/current')).json.trip;
    await edge.stop();
    await start();
    const after = (await admin.req('GET', '/api/bus/trips/current')).json.trip;
    expect(after).toEqual(before);
    expect(after.onBoard.map((r: { personId: string }) => r.personId).sort()).toEqual([ZHANG, WANG]);

    await time.advance(5 * 60_000);
    at({ lat: STOPS.S2.lat - 0.004, lon: STOPS.S2.lon }, 40);
    at(STOPS.S1, 0);
    expect(await scan(issuer.card(ZHANG))).toMatchObject({ ok: true, reason: 'bus.alighted' });
    // 王五 should have got off at S2: refused here, then recorded by hand (his mother is waiting at S1).
    expect(await scan(issuer.card(WANG))).toMatchObject({ ok: false, reason: 'bus.refused.wrong_stop' });
    expect((await admin.req('POST', '/api/bus/trips/current/manual', { personId: WANG, kind: 'alight', why: '家长在幸福小区接' })).json.result).toMatchObject({ ok: true, reason: 'bus.alighted.manual' });

    expect((await admin.req('POST', '/api/bus/trips/current/check', { text: 'CAMPUS-BUS-REAR-CHECK' })).json.result).toMatchObject({ ok: true });
    const closed = await admin.req('POST', '/api/bus/trips/current/close', {});
    expect(closed.status).toBe(200);
    expect(closed.json.trip).toMatchObject({ direction: 'afternoon', boarded: 3, alighted: 3, lastStopAt: expect.any(Number) });
    const reasons = eventsAfter(edge, seq0, 'bus.').map((e) => e.reason);
    expect(reasons.filter((r) => r.startsWith('bus.boarded') || r.startsWith('bus.alighted'))).toEqual([
      'bus.boarded',
      'bus.boarded',
      'bus.boarded.manual',
      'bus.alighted',
      'bus.alighted',
      'bus.alighted.manual',
    ]);
    expect(reasons.filter((r) => r.startsWith('bus.overspeed'))).toEqual([]);
    const manualEvent = eventsAfter(edge, seq0, 'bus.').find((e) => e.reason === 'bus.alighted.manual')!;
    expect(manualEvent.data).toMatchObject({ why: '家长在幸福小区接', by: 'user:admin', stopId: 'S1' });
  });
});
