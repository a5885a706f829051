import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { PRIORITIES } from '@campus/protocol';
import { openPtyPair, type PtyPair } from '@campus/testkit';
import { QrReaderSimulator } from '@campus/device-drivers/qr/index';
import { NmeaSimulator, type SimFix } from '@campus/device-drivers/gps/index';
import type { BusDomain } from '../../src/bus/domain.js';
import type { BusConfigInput } from '../../src/bus/config.js';
import { ADMIN, ApiClient, startTestEdge, tempDir } from '../helpers/edge.js';
import { seedSchool, TestIssuer, ZONES } from '../access/helpers.js';
import { eventsAfter, waitFor } from '../access/rig.js';
import { FakeTime } from './fake-time.js';

/**
 * A morning trip on a real edge with the bus domain on: the door QR reader and the
 * GPS receiver each on a socat pty pair, real SQLite, the card keys of the school.
 */
const cst = (local: string) => Date.parse(`${local}+08:00`);
const T0 = cst('2026-09-07T06:50:00'); // a Monday
const STOPS = {
  S1: { lat: 31.2, lon: 121.4 },
  S2: { lat: 31.21, lon: 121.4 },
  SCH: { lat: 31.22, lon: 121.4 },
  T1: { lat: 31.3, lon: 121.5 },
};
const ROUTES: BusConfigInput['routes'] = [
  {
    id: 'R1',
    name: '1号线',
    stops: [
      { id: 'S1', name: '幸福小区', ...STOPS.S1, radiusM: 60, morningAt: '07:00' },
      { id: 'S2', name: '阳光花园', ...STOPS.S2, radiusM: 60, morningAt: '07:10' },
      { id: 'SCH', name: '学校', ...STOPS.SCH, radiusM: 80, morningAt: '07:25', depot: true },
    ],
  },
  { id: 'R2', name: '2号线', stops: [{ id: 'T1', name: '东湖路', ...STOPS.T1 }, { id: 'SCH2', name: '学校', ...STOPS.SCH, depot: true }] },
];
const ZHANG = '2026010001';
const LI = '2026010002';
const WANG = '2026010003';
const ZHAO = '2026010004';
const ACCEPT = 'A1';
const REFUSE = 'D0';

describe('school bus: a morning trip on a real edge (door reader and GPS on socat ptys)', () => {
  const issuer = new TestIssuer('K1');
  const foreign = new TestIssuer('K9');
  const time = new FakeTime(T0);
  let door: PtyPair;
  let gpsLine: PtyPair;
  let reader: QrReaderSimulator;
  let gps: NmeaSimulator;
  let edge: Awaited<ReturnType<typeof startTestEdge>>;
  let admin: ApiClient;
  let keys: ReturnType<typeof tempDir>;
  let bus: BusDomain;
  let seq0 = 0;
  let gpsT = T0;
  let sent = 0;
  let at = { lat: STOPS.S1.lat - 0.004, lon: STOPS.S1.lon };

  /** The receiver's next 1 Hz burst; time moves on as a bus at ~40 km/h would need to get there. */
  async function fix(where: { lat: number; lon: number }, over: Partial<SimFix> = {}): Promise<void> {
    const metres = Math.hypot((where.lat - at.lat) * 111_000, (where.lon - at.lon) * 95_000);
    at = where;
    gpsT += Math.max(1, Math.ceil(metres / 11)) * 1000;
    sent++;
    if (time.t < gpsT) await time.advance(gpsT - time.t);
    await gps.send({ time: gpsT, ...where, speedKmh: 30, course: 0, ...over });
    const want = gpsT;
    await waitFor(() => bus.service!.lastFix?.time === want, `GPS fix at ${new Date(want).toISOString()}`);
  }

  async function doorScan(text: string): Promise<{ reason: string; feedback: string }> {
    const before = eventsAfter(edge, seq0, 'bus.').length;
    const cmds = reader.received().length;
    await reader.scan(text);
    const ev = await waitFor(() => eventsAfter(edge, seq0, 'bus.').slice(before).find((e) => e.type === 'bus.boarding' || e.type === 'bus.alighting'), `door event for ${text.slice(0, 12)}`);
    await waitFor(() => reader.received().length > cmds, 'reader feedback');
    return { reason: ev.reason, feedback: reader.received().subarray(cmds).toString('hex').toUpperCase() };
  }

  beforeAll(async () => {
    door = await openPtyPair({ name: 'door' });
    gpsLine = await openPtyPair({ name: 'gps' });
    reader = QrReaderSimulator.overSerial({ path: door.b, baudRate: 9600 }, { suffix: 'CRLF' });
    gps = NmeaSimulator.overSerial({ path: gpsLine.b, baudRate: 9600 });
    keys = tempDir('campus-bus-keys-');
    issuer.install(keys.path);
    edge = await startTestEdge(
      {
        access: { keysDir: keys.path, zones: ZONES },
        energy: { enabled: false },
        bus: {
          enabled: true,
          keysDir: keys.path,
          vehicle: { plate: '沪A12345', seats: 45 },
          readers: [{ id: 'door', transport: { kind: 'serial', path: door.a, baudRate: 9600 }, feedback: { granted: ACCEPT, denied: REFUSE } }],
          gps: { id: 'gps', transport: { kind: 'serial', path: gpsLine.a, baudRate: 9600 } },
          routes: ROUTES,
          assignments: [
            { personId: ZHANG, routeId: 'R1', stopId: 'S1', direction: 'morning', from: '2026-09-01' },
            { personId: LI, routeId: 'R1', stopId: 'S1', direction: 'morning', from: '2026-09-01' },
            { personId: WANG, routeId: 'R1', stopId: 'S1', direction: 'morning', from: '2026-09-01' },
            { personId: ZHAO, routeId: 'R2', stopId: 'T1', direction: 'morning', from: '2026-09-01' },
          ],
          checkMinutes: 10,
        },
      } as never,
      { wallNow: time.now, time, logger: pino({ level: 'silent' }) },
    );
    bus = edge.domains.get('bus') as BusDomain;
    admin = new ApiClient(edge.httpUrl);
    expect((await admin.login(ADMIN.username, ADMIN.password)).status).toBe(200);
    await seedSchool(admin);
    await waitFor(() => bus.service?.readers[0]?.transport.state === 'open' && bus.service.gps?.transport.state === 'open' && reader.connections === 1 && gps.open, 'door reader and GPS online');
    seq0 = edge.store.events.after(0, 100_000).at(-1)?.seq ?? 0;
  });

  afterAll(async () => {
    await edge?.cleanup();
    await reader?.close();
    await gps?.close();
    await door?.close();
    await gpsLine?.close();
    keys?.remove();
  });

  it('plays the morning: refusals at the door, stops by geofence, overspeed, the end-of-trip check refused, the alarm, then closed', async () => {
    // A leave for 李四 today, 王五's stop changed to route 2 for today, 赵六 rides route 2, the guardian's card revoked.
    const leave = await admin.req('POST', '/api/access/leaves', { personId: LI, startsAt: '2026-09-07T00:00:00+08:00', endsAt: '2026-09-08T00:00:00+08:00', reason: '病假', approvedBy: '陈老师' });
    expect(leave.status).toBe(201);
    expect((await admin.req('POST', '/api/bus/stop-changes', { personId: WANG, date: '2026-09-07', direction: 'morning', routeId: 'R2', stopId: 'T1' })).status).toBe(200);
    expect((await admin.req('POST', '/api/access/people/P001/cards/revoke', { why: '遗失' })).status).toBe(200);

    // Nothing boards before a trip is opened.
    expect(await doorScan(issuer.card(ZHANG))).toEqual({ reason: 'bus.refused.no_trip', feedback: REFUSE });

    const open = await admin.req('POST', '/api/bus/trips', { routeId: 'R1', direction: 'morning' });
    expect(open.status).toBe(201);
    expect(open.json.trip).toMatchObject({ routeName: '1号线', date: '2026-09-07', status: 'open' });
    expect(open.json.trip.expected.map((e: { personId: string }) => e.personId).sort()).toEqual([ZHANG, LI]); // 王五 moved to R2 today
    expect((await admin.req('POST', '/api/bus/trips', { routeId: 'R2', direction: 'morning' })).status).toBe(409);

    // Drive to the first stop.
    await fix({ lat: STOPS.S1.lat - 0.003, lon: STOPS.S1.lon });
    await fix({ lat: STOPS.S1.lat - 0.0002, lon: STOPS.S1.lon }, { speedKmh: 5 });
    expect(bus.service!.atStop).toBe('S1');

    expect(await doorScan(issuer.card(ZHANG))).toEqual({ reason: 'bus.boarded', feedback: ACCEPT });
    expect(await doorScan(issuer.card(ZHANG))).toEqual({ reason: 'bus.refused.already_on_board', feedback: REFUSE });
    expect(await doorScan(issuer.card(LI))).toEqual({ reason: 'bus.refused.on_leave', feedback: REFUSE });
    expect(await doorScan(issuer.card(ZHAO))).toEqual({ reason: 'bus.refused.wrong_bus', feedback: REFUSE });
    expect(await doorScan(issuer.card(WANG))).toEqual({ reason: 'bus.refused.stop_changed', feedback: REFUSE });
    expect(await doorScan(foreign.card(ZHANG))).toEqual({ reason: 'bus.refused.other_school', feedback: REFUSE });
    expect(await doorScan(issuer.card('P001'))).toEqual({ reason: 'bus.refused.card_revoked', feedback: REFUSE });
    expect(await doorScan('not a card at all')).toEqual({ reason: 'bus.refused.other_school', feedback: REFUSE });

    // The attendant's screen gets the reason in both languages.
    const phone = await admin.req('POST', '/api/bus/trips/current/scan', { text: issuer.card(ZHAO) });
    expect(phone.json.result).toMatchObject({ ok: false, reason: 'bus.refused.wrong_bus', params: { expectedRoute: '2号线' } });
    expect(phone.json.result.text['zh-CN']).toBe('坐错车：赵六 应乘坐 2号线');

    // Leave S1, speed on the way (75 km/h for 4 s), then slow down.
    await fix({ lat: STOPS.S1.lat + 0.001, lon: STOPS.S1.lon });
    for (let i = 0; i < 4; i++) await fix({ lat: STOPS.S1.lat + 0.0015 + i * 0.0002, lon: STOPS.S1.lon }, { speedKmh: 75 });
    for (let i = 0; i < 4; i++) await fix({ lat: STOPS.S1.lat + 0.003 + i * 0.0001, lon: STOPS.S1.lon }, { speedKmh: 40 });
    // …past S2 and on to the school.
    await fix({ lat: STOPS.S2.lat, lon: STOPS.S2.lon });
    expect(bus.service!.atStop).toBe('S2');
    // 陈老师 (escort) is assigned to 幸福小区 and tries to get on at 阳光花园.
    expect((await admin.req('PUT', '/api/bus/assignments', { assignments: [{ personId: 'T001', routeId: 'R1', stopId: 'S1', direction: 'morning', from: '2026-09-01' }] })).status).toBe(200);
    expect(await doorScan(issuer.card('T001'))).toEqual({ reason: 'bus.refused.wrong_stop', feedback: REFUSE });
    await fix({ lat: STOPS.S2.lat + 0.003, lon: STOPS.S2.lon });
    await fix({ lat: STOPS.SCH.lat - 0.0003, lon: STOPS.SCH.lon }, { speedKmh: 3 });
    expect(bus.service!.atStop).toBe('SCH');

    // The trip cannot close with 张三 aboard; the rear check is refused too.
    const refused = await admin.req('POST', '/api/bus/trips/current/close', {});
    expect(refused.status).toBe(409);
    expect(refused.json.error).toMatchObject({ code: 'bus.children_aboard' });
    expect(refused.json.error.message['zh-CN']).toContain('张三');
    const check1 = await admin.req('POST', '/api/bus/trips/current/check', { text: 'CAMPUS-BUS-REAR-CHECK' });
    expect(check1.json.result).toMatchObject({ ok: false, reason: 'bus.trip.close_refused' });
    expect((await admin.req('POST', '/api/bus/trips/current/check', { text: 'SOMETHING-ELSE' })).json.result).toMatchObject({ ok: false, reason: 'bus.check.wrong_code' });

    // Ten minutes pass without the check: the alarm goes out on the safety lane, once.
    await time.advance(9 * 60_000);
    expect(eventsAfter(edge, seq0, 'bus.check').filter((e) => e.reason === 'bus.check.missed')).toHaveLength(0);
    await time.advance(61_000);
    await time.advance(60_000);
    const alarms = eventsAfter(edge, seq0, 'bus.check').filter((e) => e.reason === 'bus.check.missed');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ severity: 'critical', priority: PRIORITIES.safety, data: { aboard: [ZHANG], plate: '沪A12345', routeName: '1号线' } });

    // 张三 gets off at school; the check; the close.
    expect(await doorScan(issuer.card(ZHANG))).toEqual({ reason: 'bus.alighted', feedback: ACCEPT });
    expect((await admin.req('POST', '/api/bus/trips/current/close', {})).json.error).toMatchObject({ code: 'bus.check_required' });
    const check2 = await admin.req('POST', '/api/bus/trips/current/check', { text: 'CAMPUS-BUS-REAR-CHECK' });
    expect(check2.json.result).toMatchObject({ ok: true, reason: 'bus.check.done' });
    const closed = await admin.req('POST', '/api/bus/trips/current/close', {});
    expect(closed.status).toBe(200);
    expect(closed.json.trip).toMatchObject({ status: 'closed', boarded: 1, alighted: 1, onBoard: [] });
    expect(closed.json.trip.visits.map((v: { stopId: string }) => v.stopId)).toEqual(['S1', 'S2', 'SCH']);

    // What the event log holds, in order.
    const events = eventsAfter(edge, seq0, 'bus.');
    const reasons = events.map((e) => e.reason);
    expect(reasons.filter((r) => r.startsWith('bus.stop.'))).toEqual(['bus.stop.arrived', 'bus.stop.departed', 'bus.stop.arrived', 'bus.stop.departed', 'bus.stop.arrived']);
    expect(reasons.filter((r) => r.startsWith('bus.overspeed'))).toEqual(['bus.overspeed.started', 'bus.overspeed.ended']);
    const over = events.find((e) => e.reason === 'bus.overspeed.started')!;
    expect(over).toMatchObject({ priority: PRIORITIES.safety, data: { speedKmh: 75, limitKmh: 60 } });
    expect(events.find((e) => e.reason === 'bus.boarded')).toMatchObject({ subject: ZHANG, data: { stopId: 'S1', stopName: '幸福小区', personName: '张三' } });
    expect(reasons.at(-1)).toBe('bus.trip.closed');

    // Positions are stored thinned: fewer rows than fixes, the first and the corners kept.
    const stored = await admin.req('GET', `/api/bus/positions?from=${T0}&to=${gpsT + 1}`);
    expect(stored.status).toBe(200);
    const fixesSent = sent;
    expect(stored.json.positions.length).toBeGreaterThan(2);
    expect(stored.json.positions.length).toBeLessThan(fixesSent);
    // The running trip's thinned fixes went up as a few bus.position events (not one per fix),
    // the last one sent at the close; together they are exactly the stored fixes of the trip.
    const uploads = events.filter((e) => e.type === 'bus.position');
    expect(uploads.length).toBeGreaterThan(0);
    // At most one upload per 5 s (the last one is the close's flush).
    for (let i = 1; i < uploads.length - 1; i++) expect(uploads[i]!.occurredAt - uploads[i - 1]!.occurredAt).toBeGreaterThanOrEqual(5000);
    expect(uploads.every((e) => e.data.tripId === closed.json.trip.id && e.priority === PRIORITIES.normal)).toBe(true);
    const uploaded = uploads.flatMap((e) => (e.data.fixes as { at: number }[]).map((f) => f.at));
    const tripFixes = (stored.json.positions as { at: number; tripId?: string | null }[]).filter((p) => p.at >= closed.json.trip.openedAt).map((p) => p.at);
    expect(uploaded).toEqual(tripFixes);

    // The GPS and reader counters are visible; the daemon is healthy.
    const pos = await admin.req('GET', '/api/bus/position');
    expect(pos.json.gps.counts).toMatchObject({ accepted: fixesSent, bad_checksum: 0 });
    // Every door refusal is counted by reason (Prometheus).
    const metrics = await (await fetch(edge.httpUrl + '/metrics')).text();
    expect(metrics).toContain('campus_edge_schoolbus_scans_total{result="already_on_board"} 1');
    expect(metrics).toContain('campus_edge_schoolbus_scans_total{result="other_school"} 2');
    expect(metrics).toContain('campus_edge_schoolbus_scans_total{result="boarded"} 1');

    // Minutes without a fix (the alarm wait above): /healthz names it; a fresh fix clears it.
    const stale = await fetch(edge.httpUrl + '/healthz');
    expect(stale.status).toBe(503);
    expect(await stale.text()).toContain('no GPS fix');
    expect(eventsAfter(edge, seq0, 'bus.gps').map((e) => e.reason)).toContain('bus.gps.fix_lost');
    await fix({ lat: STOPS.SCH.lat - 0.0002, lon: STOPS.SCH.lon }, { speedKmh: 0 });
    expect((await fetch(edge.httpUrl + '/healthz')).status).toBe(200);
    expect(eventsAfter(edge, seq0, 'bus.gps').at(-1)!.reason).toBe('bus.gps.fix_regained');
  });

  it('refuses bad input at the API with bilingual errors and keeps running', async () => {
    const noTrip = await admin.req('POST', '/api/bus/trips/current/close', {});
    expect(noTrip.status).toBe(409);
    expect(noTrip.json.error.message['zh-CN']).toBe('当前没有进行中的行程');
    const badRoute = await admin.req('PUT', '/api/bus/routes/R9', { id: 'R9', name: 'x', stops: [{ id: 'A', name: 'a', lat: 95, lon: 0 }] });
    expect(badRoute.status).toBe(400);
    const unknownStop = await admin.req('PUT', '/api/bus/assignments', { assignments: [{ personId: ZHANG, routeId: 'R1', stopId: 'NOPE', direction: 'afternoon', from: '2026-09-01' }] });
    expect(unknownStop.status).toBe(404);
    expect(unknownStop.json.error.message.en).toBe('Route R1 has no stop NOPE');
    const dup = await admin.req('POST', '/api/bus/trips', { routeId: 'R1', direction: 'morning', date: '2026-09-07' });
    expect(dup.status).toBe(409);
    expect(dup.json.error.code).toBe('bus.trip_exists');
    // garbage on the GPS line is counted, and the receiver keeps going
    await gps.write('$GNRMC,garbage*00\r\n\u0000\u00ff\r\n');
    await fix({ lat: STOPS.SCH.lat, lon: STOPS.SCH.lon });
    const pos = await admin.req('GET', '/api/bus/position');
    expect(pos.json.gps.counts.bad_checksum).toBe(1);
    expect(pos.json.gps.counts.bad_frame).toBe(1);
  });
});
