import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import pino from 'pino';
import { PRIORITIES } from '@campus/protocol';
import { encodePickupPass, pickupCode, pickupCodeStep } from '@campus/protocol/bus/pickup';
import { startEdge, type Edge } from '../../src/edge.js';
import { CloudRecords } from '../../src/sync/cloud-records.js';
import type { BusDomain } from '../../src/bus/domain.js';
import { ADMIN, ApiClient, tempDir, waitFor } from '../helpers/edge.js';
import { TestIssuer, ZONES } from '../access/helpers.js';
import { eventsAfter } from '../access/rig.js';
import { startCloudProcess } from '../sync/cloud-process.js';

/**
 * The school bus model written at a real cloud process (PGlite) reaches a bus box through
 * the change feed: routes, assignments, stop changes, vehicles, pickup persons and trip
 * plans land in the bus tables and replace the config seeds; records the box cannot use
 * are counted. Then the pickup step at a handover stop on that data: a child waits, bad
 * passes and codes are refused, a code and a pass hand children over, nobody coming
 * leaves a child on board (safety-lane event) until back at school. The code keys are the
 * cloud's (derived from its per-school secret on write): the test reads them from the box's
 * own copy of the records, as a guardian's app would get the codes from the cloud.
 */
const ZHANG = '2026010001';
const LI = '2026010002';
const WANG = '2026010003';
const ZHAO = '2026010004';
const ROUTE = {
  name: '1号线',
  vehicleId: 'V1',
  stops: [
    { id: 'S1', name: '幸福小区', lat: 31.2, lon: 121.4, afternoonAt: '17:05', handover: true },
    { id: 'S2', name: '阳光花园', lat: 31.21, lon: 121.4, afternoonAt: '16:55' },
    { id: 'SCH', name: '学校', lat: 31.22, lon: 121.4, afternoonAt: '16:40', depot: true },
  ],
};

describe('school bus: the cloud’s bus records on the bus box, and the pickup step', () => {
  const dir = tempDir('campus-bus-cloud-');
  const dataDir = join(dir.path, 'edge');
  const keysDir = join(dataDir, 'keys');
  const issuer = new TestIssuer('K1');
  const foreign = new TestIssuer('K9');
  let cloud: Awaited<ReturnType<typeof startCloudProcess>>;
  let edge: Edge;
  let attendant: ApiClient;
  let manager: ApiClient;
  let guard: ApiClient;
  let bus: BusDomain;
  let today = '';
  let seq0 = 0;

  // A codeKey sent by the writer is not kept: the cloud derives its own.
  const pickup = (key: string, studentId: string, name: string, relation: string, passVersion = 0) => ({
    kind: 'pickup_person',
    key,
    data: { studentId, name, relation, passVersion, codeKey: 'A'.repeat(43) },
  });
  /** A pickup person's code key as the box holds it (cloud_records, sealed at rest). */
  const boxKey = (key: string): string => {
    const k = new CloudRecords(edge.store.db, edge.store.vault).get('pickup_person', key)?.['codeKey'];
    if (typeof k !== 'string') throw new Error(`no codeKey on the box for ${key}`);
    return k;
  };

  beforeAll(async () => {
    cloud = await startCloudProcess(dir.path, 'bus-cloud-test');
    issuer.install(keysDir);
    edge = await startEdge(
      {
        dataDir,
        site: { id: 'bus-cloud-test', name: '校车测试' },
        log: { level: 'silent' },
        http: { host: '127.0.0.1', port: 0, panelDir: join(dir.path, 'no-panel') },
        mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
        clock: { trust: 'always' },
        auth: { bootstrapAdmin: { username: ADMIN.username, password: ADMIN.password } },
        access: { zones: ZONES, keysDir },
        energy: { enabled: false },
        cloud: { enabled: true, linkFile: cloud.linkFile },
        bus: {
          enabled: true,
          keysDir,
          // A seed route from the config: used until the cloud sends routes, then dropped.
          routes: [{ id: 'SEED', name: '种子线路', stops: [{ id: 'X1', name: '旧站', lat: 31, lon: 121 }] }],
          assignments: [{ personId: ZHAO, routeId: 'SEED', stopId: 'X1', direction: 'afternoon', from: '2026-01-01' }],
        },
      } as never,
      {
        logger: pino({ level: 'silent' }),
        users: [
          { username: 'attendant', password: 'attendant-pass-1', roles: ['transport'], displayName: '随车老师' },
          { username: 'manager', password: 'manager-pass-1', roles: ['transport_manager'] },
          { username: 'guard', password: 'guard-pass-1', roles: ['security'] },
        ],
      },
    );
    bus = edge.domains.get('bus') as BusDomain;
    attendant = new ApiClient(edge.httpUrl);
    manager = new ApiClient(edge.httpUrl);
    guard = new ApiClient(edge.httpUrl);
    expect((await attendant.login('attendant', 'attendant-pass-1')).status).toBe(200);
    expect((await manager.login('manager', 'manager-pass-1')).status).toBe(200);
    expect((await guard.login('guard', 'guard-pass-1')).status).toBe(200);
    today = bus.service!.today();
    expect(bus.service!.db.route('SEED')).toBeDefined();
  }, 120_000);

  afterAll(async () => {
    await edge?.stop();
    await cloud?.stop();
    dir.remove();
  });

  it('routes, assignments, stop changes, vehicles, pickup persons and plans come down and replace the seeds', async () => {
    await cloud.write([
      { kind: 'person', key: ZHANG, data: { name: '张小明', roles: ['student'], classId: '一年级-1班' } },
      { kind: 'person', key: LI, data: { name: '李小红', roles: ['student'], classId: '一年级-1班' } },
      { kind: 'person', key: WANG, data: { name: '王小刚', roles: ['student'], classId: '二年级-1班' } },
      { kind: 'person', key: ZHAO, data: { name: '赵小强', roles: ['student'], classId: '二年级-1班' } },
      { kind: 'person', key: 'T-ATT', data: { name: '陈老师', roles: ['teacher'] } },
      { kind: 'card', key: ZHANG, data: { personId: ZHANG, version: 1, revoked: false } },
      { kind: 'card', key: LI, data: { personId: LI, version: 1, revoked: false } },
      { kind: 'card', key: WANG, data: { personId: WANG, version: 1, revoked: false } },
      { kind: 'bus_vehicle', key: 'V1', data: { plate: '沪A12345', kind: 'primary', seats: 45, terminalPhone: '13800000001' } },
      { kind: 'bus_route', key: 'R1', data: ROUTE },
      { kind: 'bus_assignment', key: 'a-zhang', data: { personId: ZHANG, routeId: 'R1', stopId: 'S1', direction: 'afternoon', from: '2026-01-01' } },
      { kind: 'bus_assignment', key: 'a-li', data: { personId: LI, routeId: 'R1', stopId: 'S1', direction: 'afternoon', from: '2026-01-01' } },
      // Wang gets off at S2, which is no handover stop, but his assignment asks for the pickup step.
      { kind: 'bus_assignment', key: 'a-wang', data: { personId: WANG, routeId: 'R1', stopId: 'S1', direction: 'afternoon', from: '2026-01-01', handover: true } },
      { kind: 'bus_stop_change', key: `c-wang-${today}`, data: { personId: WANG, date: today, direction: 'afternoon', routeId: 'R1', stopId: 'S2' } },
      { kind: 'bus_trip', key: `t-r1-${today}-pm`, data: { routeId: 'R1', date: today, direction: 'afternoon', vehicleId: 'V1', driverId: 'D-LIU', attendantId: 'T-ATT' } },
    ]);
    const s = bus.service!;
    await waitFor(() => s.db.stopChange(WANG, today, 'afternoon'), 20_000, 50);
    expect(s.db.route('R1')).toMatchObject({ name: '1号线', vehiclePlate: '沪A12345', stops: [{ id: 'S1', handover: true }, { id: 'S2', handover: false }, { id: 'SCH', depot: true }] });
    // The cloud owns routes and assignments now: the config seeds are gone.
    expect(s.db.route('SEED')).toBeUndefined();
    expect(s.db.assignments().map((a) => [a.personId, a.handover])).toEqual([
      [ZHANG, false],
      [LI, false],
      [WANG, true],
    ]);
    const plans = await attendant.req('GET', '/api/bus/plans');
    expect(plans.status).toBe(200);
    expect(plans.json.plans).toEqual([
      expect.objectContaining({ routeId: 'R1', routeName: '1号线', direction: 'afternoon', plate: '沪A12345', driverId: 'D-LIU', driverName: 'D-LIU', attendantId: 'T-ATT', attendantName: '陈老师' }),
    ]);

    // Changed and withdrawn in the cloud: the box follows.
    await cloud.write([
      { kind: 'bus_assignment', key: 'a-li', data: { personId: LI, routeId: 'R1', stopId: 'S1', direction: 'afternoon', from: '2026-02-01' } },
      { kind: 'bus_assignment', key: 'a-zhao', data: { personId: ZHAO, routeId: 'R1', stopId: 'S2', direction: 'afternoon', from: '2026-01-01' } },
    ]);
    await waitFor(() => s.db.assignments().some((a) => a.personId === ZHAO), 20_000, 50);
    expect(s.db.assignments().filter((a) => a.personId === LI).map((a) => a.from)).toEqual(['2026-02-01']);
    await cloud.write([{ kind: 'bus_assignment', key: 'a-zhao', delete: true }]);
    await waitFor(() => !s.db.assignments().some((a) => a.personId === ZHAO), 20_000, 50);
  }, 60_000);

  it('records the box cannot use are counted and logged, nothing of them written, the rest of the page applied', async () => {
    const s = bus.service!;
    const invalidBefore = s.projection!.stats.invalid;
    const longKey = 'R-' + 'x'.repeat(70);
    await cloud.write([
      { kind: 'bus_route', key: longKey, data: { name: '太长的线路编号', stops: [{ id: 'Y1', name: '某站', lat: 31, lon: 121 }] } },
      { kind: 'bus_assignment', key: 'a-bad-stop', data: { personId: ZHAO, routeId: 'R1', stopId: 'NOPE', direction: 'morning', from: '2026-01-01' } },
      { kind: 'pickup_person', key: 'p-bad', data: { studentId: 'not.a.card.id:at-all', name: '无效', relation: '舅舅' } },
      { kind: 'bus_route', key: 'R2', data: { name: '2号线', stops: [{ id: 'T1', name: '东湖路', lat: 31.3, lon: 121.5 }, { id: 'SCH2', name: '学校', lat: 31.22, lon: 121.4, depot: true }] } },
    ]);
    await waitFor(() => s.db.route('R2'), 20_000, 50);
    await waitFor(() => s.projection!.stats.invalid >= invalidBefore + 3, 20_000, 50);
    expect(s.db.routes().map((r) => r.id)).toEqual(['R1', 'R2']);
    expect(s.db.assignments().some((a) => a.stopId === 'NOPE')).toBe(false);
    expect(s.db.pickupPersons('NOT.A.CARD.ID:AT-ALL')).toEqual([]);
    const metrics = await (await fetch(`${edge.httpUrl}/metrics`)).text();
    const invalid = (kind: string) => Number(new RegExp(`^campus_edge_sync_records_invalid_total\\{kind="${kind}"\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
    expect(invalid('bus_route')).toBeGreaterThanOrEqual(1);
    expect(invalid('bus_assignment')).toBeGreaterThanOrEqual(1);
    expect(invalid('pickup_person')).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('roles: the attendant runs the trip but cannot change routes; gate security has no bus access', async () => {
    expect((await guard.req('GET', '/api/bus/trips/current')).status).toBe(403);
    expect((await attendant.req('GET', '/api/bus/routes')).status).toBe(200);
    const put = await attendant.req('PUT', '/api/bus/routes/R9', { id: 'R9', name: '9号线', stops: [{ id: 'Z', name: '站', lat: 31, lon: 121 }] });
    expect(put.status).toBe(403);
    // The manager may, where the box owns routes; here the cloud does.
    const mput = await manager.req('PUT', '/api/bus/routes/R9', { id: 'R9', name: '9号线', stops: [{ id: 'Z', name: '站', lat: 31, lon: 121 }] });
    expect(mput.status).toBe(409);
    expect(mput.json.error.code).toBe('sync.cloud_owned');
    expect(bus.service!.db.route('R9')).toBeUndefined();
  });

  it('the pickup step: waiting, refused passes and codes, handed over by code and by pass, nobody came', async () => {
    const s = bus.service!;
    await cloud.write([pickup('pp-zhang-mum', ZHANG, '张妈妈', '母亲', 1)]);
    await waitFor(() => s.db.pickupPersons(ZHANG).length === 1, 20_000, 50);
    const mumKeyV1 = boxKey('pp-zhang-mum');
    await cloud.write([
      // Zhang's mother: her pass was reissued (version 2), so a version-1 pass (and its codes) is revoked.
      pickup('pp-zhang-mum', ZHANG, '张妈妈', '母亲', 2),
      pickup('pp-li-grandpa', LI, '李爷爷', '祖父'),
      pickup('pp-wang-dad', WANG, '王爸爸', '父亲', 0),
    ]);
    await waitFor(() => s.db.pickupPersons(WANG).length === 1, 20_000, 50);
    await waitFor(() => s.db.pickupPersons(ZHANG)[0]?.passVersion === 2, 20_000, 50);
    // The cloud's keys, not the one the writer sent; a new one with the new pass version.
    expect(boxKey('pp-zhang-mum')).not.toBe('A'.repeat(43));
    expect(boxKey('pp-zhang-mum')).not.toBe(mumKeyV1);
    const opened = await attendant.req('POST', '/api/bus/trips', { routeId: 'R1', direction: 'afternoon' });
    expect(opened.status).toBe(201);
    expect(opened.json.trip.plan).toMatchObject({ plate: '沪A12345', attendantName: '陈老师' });
    seq0 = edge.store.events.after(0, 100_000).at(-1)?.seq ?? 0;
    // Real time here: a second scan within the repeat window would be a repeat, so alighting scans say so (as the phone does).
    const scan = async (text: string, kind?: 'alight') => (await attendant.req('POST', '/api/bus/trips/current/scan', { text, kind })).json.result;
    const handover = async (body: Record<string, string>) => (await attendant.req('POST', '/api/bus/trips/current/handover', body)).json.result;

    for (const id of [ZHANG, LI, WANG]) expect((await scan(issuer.card(id))).reason).toBe('bus.boarded');
    // Alighting at a handover stop (no GPS: the child's own stop decides) does not complete.
    const z = await scan(issuer.card(ZHANG), 'alight');
    expect(z).toMatchObject({ ok: false, reason: 'bus.handover.waiting', personId: ZHANG });
    expect(z.text['zh-CN']).toContain('等待接送人');
    const view = (await attendant.req('GET', '/api/bus/trips/current')).json.trip;
    expect(view.waiting).toEqual([expect.objectContaining({ personId: ZHANG, name: '张小明', pickupPersons: [{ key: 'pp-zhang-mum', name: '张妈妈', relation: '母亲', photoId: null, codes: true }] })]);
    expect(view.onBoard.map((r: { personId: string }) => r.personId)).toContain(ZHANG);
    // Scanning the card again does not let the child off either.
    expect((await scan(issuer.card(ZHANG), 'alight')).reason).toBe('bus.handover.waiting');

    // Bad input: a pass of another child, a revoked pass, a pass of another school, wrong and expired codes.
    const liPass = encodePickupPass({ studentId: LI, recordKey: 'pp-li-grandpa', passVersion: 0 }, issuer.privateKey, issuer.kid);
    const wrongChild = await handover({ personId: ZHANG, pass: liPass });
    expect(wrongChild).toMatchObject({ ok: false, reason: 'bus.handover.wrong_child' });
    expect(wrongChild.text['zh-CN']).toContain('李小红');
    const revoked = await handover({ personId: ZHANG, pass: encodePickupPass({ studentId: ZHANG, recordKey: 'pp-zhang-mum', passVersion: 1 }, issuer.privateKey, issuer.kid) });
    expect(revoked).toMatchObject({ ok: false, reason: 'bus.handover.pass_revoked' });
    expect(revoked.text['zh-CN']).toContain('作废');
    const otherSchool = await handover({ personId: ZHANG, pass: encodePickupPass({ studentId: ZHANG, recordKey: 'pp-zhang-mum', passVersion: 2 }, foreign.privateKey, foreign.kid) });
    expect(otherSchool).toMatchObject({ ok: false, reason: 'bus.handover.other_school' });
    // A pass for a person who is not this child's pickup person (same school, signed, unknown record).
    expect((await handover({ personId: ZHANG, pass: encodePickupPass({ studentId: ZHANG, recordKey: 'pp-stranger', passVersion: 0 }, issuer.privateKey, issuer.kid) })).reason).toBe('bus.handover.unknown_pickup');
    expect((await handover({ personId: ZHANG, pass: 'SP1:garbage!!' })).reason).toBe('bus.handover.bad_pass');
    const mumKey = boxKey('pp-zhang-mum');
    const now = Date.now();
    const good = pickupCode(mumKey, ZHANG, pickupCodeStep(now));
    const wrong = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
    const w = await handover({ personId: ZHANG, code: wrong });
    expect(w).toMatchObject({ ok: false, reason: 'bus.handover.bad_code', params: { left: 4 } });
    expect((await handover({ personId: ZHANG, code: pickupCode(mumKey, ZHANG, pickupCodeStep(now) - 4) })).reason).toBe('bus.handover.code_expired');
    // Li's code is not Zhang's: codes are bound to one child.
    expect((await handover({ personId: ZHANG, code: pickupCode(boxKey('pp-li-grandpa'), ZHANG, pickupCodeStep(now)) })).reason).toBe('bus.handover.bad_code');
    // An old code of the previous pass version no longer works.
    expect((await handover({ personId: ZHANG, code: pickupCode(mumKeyV1, ZHANG, pickupCodeStep(now)) })).reason).toBe('bus.handover.bad_code');
    expect(s.db.rider(s.db.currentTrip()!.id, ZHANG)).toMatchObject({ onBoard: true, pickupState: 'waiting' });

    // The right code hands Zhang over to his mother.
    const ok = await handover({ personId: ZHANG, code: pickupCode(mumKey, ZHANG, pickupCodeStep(Date.now())) });
    expect(ok).toMatchObject({ ok: true, kind: 'handover', reason: 'bus.handed_over', params: { pickupName: '张妈妈', method: 'code' } });
    expect(ok.text['zh-CN']).toContain('交接给 张妈妈');

    // Wang (handover by assignment at S2): his father's pass at the door reader hands him over.
    expect((await scan(issuer.card(WANG), 'alight')).reason).toBe('bus.handover.waiting');
    const byPass = await scan(encodePickupPass({ studentId: WANG, recordKey: 'pp-wang-dad', passVersion: 0 }, issuer.privateKey, issuer.kid));
    expect(byPass).toMatchObject({ ok: true, reason: 'bus.handed_over', personId: WANG, params: { method: 'pass', pickupName: '王爸爸' } });
    // The same pass again: Wang is no longer waiting.
    expect((await handover({ personId: WANG, pass: encodePickupPass({ studentId: WANG, recordKey: 'pp-wang-dad', passVersion: 0 }, issuer.privateKey, issuer.kid) })).reason).toBe('bus.handover.not_waiting');

    // Li: nobody came. He stays on board, the trip shows him as returned, the event is on the safety lane.
    expect((await scan(issuer.card(LI), 'alight')).reason).toBe('bus.handover.waiting');
    const failed = await attendant.req('POST', '/api/bus/trips/current/handover/failed', { personId: LI, why: '等了10分钟无人接' });
    expect(failed.status).toBe(200);
    expect(failed.json.result).toMatchObject({ ok: true, reason: 'bus.handover.failed' });
    expect(failed.json.result.text['zh-CN']).toContain('随车返校');
    const after = (await attendant.req('GET', '/api/bus/trips/current')).json.trip;
    expect(after.returned).toEqual([expect.objectContaining({ personId: LI, name: '李小红', onBoard: true })]);
    expect(after.waiting).toEqual([]);
    expect(after.handovers).toEqual([
      expect.objectContaining({ personId: ZHANG, pickupKey: 'pp-zhang-mum', pickupName: '张妈妈', relation: '母亲', method: 'code', by: 'user:attendant' }),
      expect.objectContaining({ personId: WANG, pickupKey: 'pp-wang-dad', method: 'pass', by: 'user:attendant' }),
    ]);
    const ev = eventsAfter(edge, seq0, 'bus.handover');
    const fail = ev.find((e) => e.reason === 'bus.handover.failed')!;
    expect(fail).toMatchObject({ priority: PRIORITIES.safety, severity: 'warning', subject: LI });
    expect(fail.data).toMatchObject({ personName: '李小红', stopName: '幸福小区', pickupPersons: ['李爷爷'], why: '等了10分钟无人接' });
    const done = ev.filter((e) => e.reason === 'bus.handed_over');
    expect(done.map((e) => [e.subject, e.data.pickupName, e.data.method])).toEqual([
      [ZHANG, '张妈妈', 'code'],
      [WANG, '王爸爸', 'pass'],
    ]);
    expect(ev.filter((e) => e.data.refused === true).map((e) => e.reason)).toEqual(
      expect.arrayContaining(['bus.handover.wrong_child', 'bus.handover.pass_revoked', 'bus.handover.other_school', 'bus.handover.bad_code', 'bus.handover.code_expired']),
    );

    // The trip cannot close with Li aboard; back at school he gets off (no pickup step at the depot).
    expect((await attendant.req('POST', '/api/bus/trips/current/close', {})).json.error.code).toBe('bus.children_aboard');
    s.position({ time: Date.now(), lat: 31.22, lon: 121.4, speedKmh: 0, course: null, quality: 1, satellites: 10, hdop: 0.8, altitudeM: 10, talker: 'GN', receivedAt: Date.now() });
    expect(s.atStop).toBe('SCH');
    expect((await scan(issuer.card(LI), 'alight')).reason).toBe('bus.alighted');
    expect((await scan('CAMPUS-BUS-REAR-CHECK')).reason).toBe('bus.check.done');
    const closed = await attendant.req('POST', '/api/bus/trips/current/close', {});
    expect(closed.status).toBe(200);
    expect(closed.json.trip.returned).toEqual([expect.objectContaining({ personId: LI, onBoard: false })]);
  }, 60_000);

  it('code entry locks after repeated wrong codes (guessing is bounded); the bus leaving a stop returns a waiting child', async () => {
    const s = bus.service!;
    // A new trip in the other direction on another date so the same children can ride again.
    const opened = await attendant.req('POST', '/api/bus/trips', { routeId: 'R1', direction: 'afternoon', date: '2099-01-05' });
    expect(opened.status).toBe(201);
    const scan = async (text: string) => (await attendant.req('POST', '/api/bus/trips/current/scan', { text })).json.result;
    expect((await scan(issuer.card(ZHANG))).reason).toBe('bus.boarded');
    // Not on this day's plan, but the assignment still holds: the pickup step again.
    await attendant.req('POST', '/api/bus/trips/current/manual', { personId: ZHANG, kind: 'alight', why: '卡片遗落在座位' });
    expect(s.db.rider(s.db.currentTrip()!.id, ZHANG)?.pickupState).toBe('waiting');
    const reasons: string[] = [];
    for (let i = 0; i < 6; i++) reasons.push((await attendant.req('POST', '/api/bus/trips/current/handover', { personId: ZHANG, code: '000000' })).json.result.reason);
    expect(reasons.slice(0, 5).every((r) => r === 'bus.handover.bad_code' || r === 'bus.handover.code_expired')).toBe(true);
    expect(reasons[5]).toBe('bus.handover.code_locked');
    // Even the right code is refused now; the pass still works.
    const key = boxKey('pp-zhang-mum');
    expect((await attendant.req('POST', '/api/bus/trips/current/handover', { personId: ZHANG, code: pickupCode(key, ZHANG, pickupCodeStep(Date.now())) })).json.result.reason).toBe('bus.handover.code_locked');
    const pass = encodePickupPass({ studentId: ZHANG, recordKey: 'pp-zhang-mum', passVersion: 2 }, issuer.privateKey, issuer.kid);
    expect((await attendant.req('POST', '/api/bus/trips/current/handover', { personId: ZHANG, pass })).json.result.reason).toBe('bus.handed_over');

    // The bus drives off while Li still waits at 幸福小区: she stays on board, returned, on the safety lane.
    const fix = (lat: number, lon: number) => s.position({ time: Date.now(), lat, lon, speedKmh: 20, course: 0, quality: 1, satellites: 10, hdop: 0.8, altitudeM: 10, talker: 'GN', receivedAt: Date.now() });
    fix(31.2, 121.4);
    expect(s.atStop).toBe('S1');
    const seq = edge.store.events.after(0, 100_000).at(-1)?.seq ?? 0;
    expect((await scan(issuer.card(LI))).reason).toBe('bus.boarded');
    expect((await attendant.req('POST', '/api/bus/trips/current/scan', { text: issuer.card(LI), kind: 'alight' })).json.result.reason).toBe('bus.handover.waiting');
    fix(31.205, 121.4);
    expect(s.atStop).toBeNull();
    expect(s.db.rider(s.db.currentTrip()!.id, LI)).toMatchObject({ onBoard: true, pickupState: 'returned', pickupStop: 'S1' });
    const auto = eventsAfter(edge, seq, 'bus.handover').find((e) => e.reason === 'bus.handover.failed');
    expect(auto).toMatchObject({ subject: LI, priority: PRIORITIES.safety, source: 'gps', data: { why: 'bus left the stop', stopName: '幸福小区' } });
  }, 30_000);
});
