import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import pg from 'pg';
import { PRIORITIES } from '@campus/protocol';
import { encodePickupPass } from '@campus/protocol/bus/pickup';
import { openPtyPair, type PtyPair } from '@campus/testkit';
import { createTempDatabase, postgresUrl, type TempDatabase } from '@campus/testkit/postgres';
import { QrReaderSimulator } from '@campus/device-drivers/qr/index';
import { NmeaSimulator } from '@campus/device-drivers/gps/index';
import { startEdge, type Edge } from '../../src/edge.js';
import type { BusDomain } from '../../src/bus/domain.js';
import { ADMIN, ApiClient, tempDir } from '../helpers/edge.js';
import { LinkProxy } from '../helpers/link-proxy.js';
import { TestIssuer, ZONES } from '../access/helpers.js';
import { eventsAfter, waitFor } from '../access/rig.js';
import { startCloudProcess } from '../sync/cloud-process.js';
import { FakeTime } from './fake-time.js';

/**
 * Issue 13 "Done means": a school day on a bus box — a morning and an afternoon trip —
 * with the door QR reader and the GPS receiver on socat ptys, the cloud as a
 * `campus-cloud` process on real PostgreSQL (pg-boss jobs), its SMS channel posting to a
 * local HTTP receiver, and the box's link to the cloud through a TCP proxy that the
 * test closes for a 10-minute tunnel. The box runs on fake time; the cloud process's
 * clock follows it (offset-clock-preload.mjs), so the box's signed requests stay fresh.
 *
 * Morning: a child on the wrong bus, a child on leave, a stop changed for today.
 * Afternoon: the tunnel (everything recorded offline arrives, no id lost or twice), a
 * child handed over on a pickup pass at the door, a child whose pickup person did not
 * come (stays on board, guardians and school told, the trip shows the child returned),
 * the end-of-trip check missed and its alarm escalating attendant → transport manager →
 * principal by SMS, one pg-boss job a step.
 */
const ZHANG = '2026010001';
const LI = '2026010002';
const WANG = '2026010003';
const ZHAO = '2026010004';
const ATTENDANT_PHONE = '13700000201';
const MANAGER_PHONE = '13700000202';
const PRINCIPAL_PHONE = '13700000203';
const WANG_DAD_PHONE = '13600000203';
const ZHANG_MUM_PHONE = '13600000201';
const ACCEPT = 'A1';
const REFUSE = 'D0';
const STOP = { S1: { lat: 31.2, lon: 121.4 }, S2: { lat: 31.21, lon: 121.4 }, SCH: { lat: 31.22, lon: 121.4 }, T1: { lat: 31.3, lon: 121.5 } };
const PW = 'bus-day-password-1';
const STEP_S = 10;
const CHECK_MIN = 5;

interface Sms {
  at: number;
  to: string;
  text: string;
  kind: string;
}

/** The SMS gateway: a local HTTP receiver that records what the cloud posts. */
async function startSmsSink(): Promise<{ url: string; got: Sms[]; close(): Promise<void> }> {
  const got: Sms[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      try {
        const j = JSON.parse(body) as { to: string; text: string; kind: string };
        got.push({ at: Date.now(), to: j.to, text: j.text, kind: j.kind });
      } catch {
        /* not ours */
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/sms`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A console user at the cloud (cookie session and CSRF token, as the console sends them). */
class Staff {
  cookie = '';
  csrf = '';
  constructor(readonly url: string) {}
  async call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    if (method !== 'GET' && this.csrf) headers['x-csrf-token'] = this.csrf;
    const r = await fetch(`${this.url}/api/staff${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const set = r.headers.getSetCookie().find((c) => c.startsWith('campus_staff_sid='));
    if (set) this.cookie = set.split(';')[0]!;
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null };
  }
  static async signIn(url: string, username: string): Promise<Staff> {
    const s = new Staff(url);
    const r = await s.call('POST', '/session', { username, password: PW });
    if (r.status !== 201) throw new Error(`staff sign-in ${username}: ${r.status} ${JSON.stringify(r.json)}`);
    s.csrf = r.json.csrfToken;
    return s;
  }
}

const pgUrl = await postgresUrl();

describe.skipIf(!pgUrl)('school bus: a day on a bus box with the cloud on PostgreSQL (ptys, a tunnel, pickup, an escalating alarm)', () => {
  const dir = tempDir('campus-bus-day-');
  const dataDir = join(dir.path, 'edge');
  const keysDir = join(dataDir, 'keys');
  const clockFile = join(dir.path, 'clock-offset');
  const issuer = new TestIssuer('K1');
  // The box's clock starts 30 minutes behind real time: the day's fake minutes (drives, the
  // tunnel, the missed check) are spent catching up, so the cloud's pg-boss step delays
  // (dated by the cloud's clock, run by PostgreSQL's) are real when the alarm escalates.
  const time = new FakeTime(Math.floor(Date.now() / 1000) * 1000 - 30 * 60_000);
  const syncClock = () => writeFileSync(clockFile, String(time.t - Date.now()));
  const advance = async (ms: number) => {
    await time.advance(ms);
    syncClock();
  };
  let db: TempDatabase;
  let sql: pg.Client;
  let sms: Awaited<ReturnType<typeof startSmsSink>>;
  let cloud: Awaited<ReturnType<typeof startCloudProcess>>;
  let proxy: LinkProxy;
  let edge: Edge;
  let bus: BusDomain;
  let attendant: ApiClient;
  let manager: Staff;
  let door: PtyPair;
  let gpsLine: PtyPair;
  let reader: QrReaderSimulator;
  let gps: NmeaSimulator;
  let today = '';
  let seq0 = 0;
  let at = { lat: STOP.SCH.lat, lon: STOP.SCH.lon };

  /** Drives to `to` in fixes every `everyS` seconds of fake time (~40 km/h), each written to the GPS pty. */
  async function drive(to: { lat: number; lon: number }, everyS = 5, speedKmh = 40): Promise<void> {
    const metres = Math.hypot((to.lat - at.lat) * 111_000, (to.lon - at.lon) * 95_000);
    const steps = Math.max(1, Math.ceil(metres / 11 / everyS));
    const from = at;
    for (let i = 1; i <= steps; i++) {
      const p = { lat: from.lat + ((to.lat - from.lat) * i) / steps, lon: from.lon + ((to.lon - from.lon) * i) / steps };
      await fix(p, everyS * 1000, i === steps ? 3 : speedKmh);
    }
  }
  async function fix(p: { lat: number; lon: number }, afterMs: number, speedKmh: number): Promise<void> {
    await advance(afterMs);
    at = p;
    const t = time.t;
    await gps.send({ time: t, ...p, speedKmh, course: 0 });
    await waitFor(() => bus.service!.lastFix?.time === t, `GPS fix at ${new Date(t).toISOString()}`);
  }

  /** A QR shown to the door reader: the reader's green/red answer and the reason the box logged. */
  async function door_(text: string): Promise<{ reason: string; feedback: string }> {
    const before = edge.store.events.after(0, 1_000_000).at(-1)?.seq ?? 0;
    const cmds = reader.received().length;
    await reader.scan(text);
    await waitFor(() => reader.received().length > cmds, 'reader feedback');
    const ev = eventsAfter(edge, before, 'bus.').filter((e) => e.type !== 'bus.position' && e.type !== 'bus.stop');
    return { reason: ev.at(-1)?.reason ?? 'none', feedback: reader.received().subarray(cmds).toString('hex').toUpperCase() };
  }
  const api = async (path: string, body: unknown = {}) => (await attendant.req('POST', `/api/bus/trips/current${path}`, body)).json;

  /** Bus events of the box the cloud has, by id (every id compared). */
  async function atCloud(): Promise<{ missing: string[]; extra: number }> {
    const mine = eventsAfter(edge, 0, 'bus.').map((e) => e.id);
    const r = await sql.query<{ id: string; n: string }>('SELECT id::text AS id, count(*) AS n FROM events WHERE id = ANY($1::uuid[]) GROUP BY id', [mine]);
    const have = new Map(r.rows.map((x) => [x.id, Number(x.n)]));
    return { missing: mine.filter((id) => !have.has(id)), extra: [...have.values()].reduce((a, n) => a + n - 1, 0) };
  }

  beforeAll(async () => {
    syncClock();
    db = await createTempDatabase(pgUrl!);
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    sms = await startSmsSink();
    cloud = await startCloudProcess(
      dir.path,
      'bus-day',
      { DATABASE_URL: db.url, NODE_OPTIONS: `--import=${new URL('../helpers/offset-clock-preload.mjs', import.meta.url).pathname}`, CAMPUS_CLOCK_OFFSET_FILE: clockFile },
      { channels: { sms: { url: sms.url } }, busAlarms: { stepSeconds: STEP_S } },
    );
    // The box reaches the cloud through the proxy (the 4G link that a tunnel cuts).
    proxy = await LinkProxy.start(Number(new URL(cloud.link.cloudUrl).port));
    const linkFile = join(dir.path, 'box-link.json');
    writeFileSync(linkFile, JSON.stringify({ ...JSON.parse(readFileSync(cloud.linkFile, 'utf8')), cloudUrl: proxy.url }));
    const school = cloud.link.schoolId;
    today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(time.t);
    const dayStart = Date.parse(`${today}T00:00:00+08:00`);

    const R1 = {
      name: '1号线',
      vehicleId: 'V1',
      stops: [
        { id: 'S1', name: '幸福小区', ...STOP.S1, radiusM: 60, morningAt: '07:00', afternoonAt: '17:05', handover: true },
        { id: 'S2', name: '阳光花园', ...STOP.S2, radiusM: 60, morningAt: '07:10', afternoonAt: '16:55' },
        { id: 'SCH', name: '学校', ...STOP.SCH, radiusM: 80, morningAt: '07:25', afternoonAt: '16:40', depot: true },
      ],
    };
    const plan = (direction: string) => ({ kind: 'bus_trip', key: `t-r1-${today}-${direction}`, data: { routeId: 'R1', date: today, direction, vehicleId: 'V1', driverId: 'D-LIU', attendantId: 'T-ATT' } });
    await cloud.write([
      { kind: 'person', key: ZHANG, data: { name: '张小明', roles: ['student'], classId: '一年级-1班' } },
      { kind: 'person', key: LI, data: { name: '李小红', roles: ['student'], classId: '一年级-1班' } },
      { kind: 'person', key: WANG, data: { name: '王小刚', roles: ['student'], classId: '一年级-1班' } },
      { kind: 'person', key: ZHAO, data: { name: '赵小强', roles: ['student'], classId: '二年级-1班' } },
      { kind: 'person', key: 'T-ATT', data: { name: '陈老师', roles: ['teacher'], phone: ATTENDANT_PHONE } },
      { kind: 'person', key: 'G-WANG', data: { name: '王爸爸', roles: ['guardian'], phone: WANG_DAD_PHONE } },
      { kind: 'person', key: 'G-ZHANG', data: { name: '张妈妈', roles: ['guardian'], phone: ZHANG_MUM_PHONE } },
      { kind: 'guardianship', key: 'gs-wang', data: { studentId: WANG, guardianId: 'G-WANG', relation: '父亲', mayPickUp: true, receivesNotices: true } },
      { kind: 'guardianship', key: 'gs-zhang', data: { studentId: ZHANG, guardianId: 'G-ZHANG', relation: '母亲', mayPickUp: true, receivesNotices: true } },
      ...[ZHANG, LI, WANG, ZHAO].map((id) => ({ kind: 'card', key: id, data: { personId: id, version: 1, revoked: false } })),
      { kind: 'bus_vehicle', key: 'V1', data: { plate: '沪A12345', kind: 'primary', seats: 45, terminalPhone: '13800000001' } },
      { kind: 'bus_route', key: 'R1', data: R1 },
      { kind: 'bus_route', key: 'R2', data: { name: '2号线', stops: [{ id: 'T1', name: '东湖路', ...STOP.T1 }, { id: 'SCH2', name: '学校', ...STOP.SCH, depot: true }] } },
      ...[ZHANG, LI, WANG].flatMap((id) =>
        (['morning', 'afternoon'] as const).map((direction) => ({ kind: 'bus_assignment', key: `a-${id}-${direction}`, data: { personId: id, routeId: 'R1', stopId: 'S1', direction, from: '2026-01-01' } })),
      ),
      { kind: 'bus_assignment', key: 'a-zhao', data: { personId: ZHAO, routeId: 'R2', stopId: 'T1', direction: 'morning', from: '2026-01-01' } },
      // 王小刚 gets on at 阳光花园 this morning only (the parent asked, the manager accepted).
      { kind: 'bus_stop_change', key: `c-wang-${today}`, data: { personId: WANG, date: today, direction: 'morning', routeId: 'R1', stopId: 'S2' } },
      // 李小红 is on sick leave all day.
      { kind: 'leave', key: 'lv-li', data: { personId: LI, from: dayStart, until: dayStart + 86_400_000, reason: '病假', approvedBy: '班主任' } },
      { kind: 'pickup_person', key: 'pp-zhang-mum', data: { studentId: ZHANG, name: '张妈妈', relation: '母亲', passVersion: 0 } },
      { kind: 'pickup_person', key: 'pp-wang-dad', data: { studentId: WANG, name: '王爸爸', relation: '父亲', passVersion: 0 } },
      plan('morning'),
      plan('afternoon'),
    ]);
    // The principal (school admin) and the transport manager, with phones for the alarm SMS.
    const acc = await cloud.admin(`/api/admin/schools/${school}/accounts`, { method: 'POST', body: JSON.stringify({ username: 'day-principal', displayName: '王校长', password: PW, phone: PRINCIPAL_PHONE }) });
    expect(acc.status).toBe(201);
    const principal = await Staff.signIn(cloud.link.cloudUrl, 'day-principal');
    expect((await principal.call('POST', '/accounts', { username: 'day-tm', displayName: '校车管理员', password: PW, roles: ['transport_manager'], phone: MANAGER_PHONE })).status).toBe(201);
    manager = await Staff.signIn(cloud.link.cloudUrl, 'day-tm');

    door = await openPtyPair({ name: 'door' });
    gpsLine = await openPtyPair({ name: 'gps' });
    reader = QrReaderSimulator.overSerial({ path: door.b, baudRate: 9600 }, { suffix: 'CRLF' });
    gps = NmeaSimulator.overSerial({ path: gpsLine.b, baudRate: 9600 });
    issuer.install(keysDir);
    mkdirSync(keysDir, { recursive: true });
    syncClock(); // the cloud's clock agrees with the box's as it starts (no correction from the cloud's Date)
    await new Promise((r) => setTimeout(r, 100));
    edge = await startEdge(
      {
        dataDir,
        site: { id: 'bus-day', name: '校车一天' },
        log: { level: 'silent' },
        http: { host: '127.0.0.1', port: 0, panelDir: join(dir.path, 'no-panel') },
        mqtt: { host: '127.0.0.1', port: 0, tls: { enabled: false } },
        clock: { trust: 'always' },
        auth: { bootstrapAdmin: { username: ADMIN.username, password: ADMIN.password } },
        access: { zones: ZONES, keysDir },
        energy: { enabled: false },
        cloud: { enabled: true, linkFile },
        bus: {
          enabled: true,
          keysDir,
          vehicle: { plate: '沪A12345', seats: 45 },
          readers: [{ id: 'door', transport: { kind: 'serial', path: door.a, baudRate: 9600 }, feedback: { granted: ACCEPT, denied: REFUSE } }],
          gps: { id: 'gps', transport: { kind: 'serial', path: gpsLine.a, baudRate: 9600 } },
          checkMinutes: CHECK_MIN,
        },
      } as never,
      { wallNow: time.now, time, logger: pino({ level: 'silent' }), users: [{ username: 'attendant', password: 'attendant-pass-1', roles: ['transport'], displayName: '陈老师' }] },
    );
    bus = edge.domains.get('bus') as BusDomain;
    attendant = new ApiClient(edge.httpUrl);
    expect((await attendant.login('attendant', 'attendant-pass-1')).status).toBe(200);
    const s = bus.service!;
    await waitFor(() => s.readers[0]?.transport.state === 'open' && s.gps?.transport.state === 'open' && reader.connections === 1 && gps.open, 'door reader and GPS online');
    await waitFor(() => s.db.stopChange(WANG, today, 'morning') && s.db.pickupPersons(WANG).length === 1 && s.db.tripPlan('R1', today, 'afternoon') && s.db.assignments().length === 7, 'the cloud’s bus records on the box', { timeoutMs: 30_000 });
    await waitFor(() => edge.store.db.prepare("SELECT 1 FROM cloud_records WHERE kind = 'leave'").get(), 'the leave on the box', { timeoutMs: 30_000 });
    seq0 = edge.store.events.after(0, 1_000_000).at(-1)?.seq ?? 0;
  }, 180_000);

  afterAll(async () => {
    await edge?.stop();
    await reader?.close();
    await gps?.close();
    await door?.close();
    await gpsLine?.close();
    await proxy?.close();
    await cloud?.stop();
    await sms?.close();
    await sql?.end();
    await db?.drop();
    dir.remove();
  });

  it('the morning: wrong bus, on leave, a stop changed for today; all at the cloud', async () => {
    at = { lat: STOP.S1.lat - 0.004, lon: STOP.S1.lon };
    const open = await attendant.req('POST', '/api/bus/trips', { routeId: 'R1', direction: 'morning' });
    expect(open.status).toBe(201);
    expect(open.json.trip.plan).toMatchObject({ plate: '沪A12345', attendantName: '陈老师' });
    // Expected on this trip: 张小明 at 幸福小区, 王小刚 at 阳光花园 today (李小红 is on leave but still on the list).
    expect(open.json.trip.expected.map((e: { personId: string }) => e.personId).sort()).toEqual([ZHANG, LI, WANG].sort());

    await drive(STOP.S1);
    expect(bus.service!.atStop).toBe('S1');
    expect(await door_(issuer.card(ZHANG))).toEqual({ reason: 'bus.boarded', feedback: ACCEPT });
    expect(await door_(issuer.card(ZHAO))).toEqual({ reason: 'bus.refused.wrong_bus', feedback: REFUSE });
    expect(await door_(issuer.card(LI))).toEqual({ reason: 'bus.refused.on_leave', feedback: REFUSE });
    expect(await door_(issuer.card(WANG))).toEqual({ reason: 'bus.refused.stop_changed', feedback: REFUSE });
    // The attendant's screen says why, in both languages.
    const why = (await api('/scan', { text: issuer.card(ZHAO) })).result;
    expect(why).toMatchObject({ ok: false, reason: 'bus.refused.wrong_bus', params: { expectedRoute: '2号线' } });
    expect(why.text['zh-CN']).toBe('坐错车：赵小强 应乘坐 2号线');

    await drive(STOP.S2);
    expect(bus.service!.atStop).toBe('S2');
    expect(await door_(issuer.card(WANG))).toEqual({ reason: 'bus.boarded', feedback: ACCEPT });
    await drive(STOP.SCH);
    expect(bus.service!.atStop).toBe('SCH');
    await fix(STOP.SCH, 60_000, 0); // parked; the children file out
    expect(await door_(issuer.card(ZHANG))).toEqual({ reason: 'bus.alighted', feedback: ACCEPT });
    expect(await door_(issuer.card(WANG))).toEqual({ reason: 'bus.alighted', feedback: ACCEPT });
    expect((await api('/check', { text: 'CAMPUS-BUS-REAR-CHECK' })).result).toMatchObject({ ok: true, reason: 'bus.check.done' });
    const closed = await attendant.req('POST', '/api/bus/trips/current/close', {});
    expect(closed.status).toBe(200);
    expect(closed.json.trip).toMatchObject({ status: 'closed', boarded: 2, alighted: 2, onBoard: [] });

    // Online all morning: every bus event of the box is at the cloud once.
    await waitFor(async () => (await atCloud()).missing.length === 0, 'the morning at the cloud', { timeoutMs: 30_000 });
    expect((await atCloud()).extra).toBe(0);
    const refusals = await sql.query<{ reason: string }>("SELECT reason FROM events WHERE type = 'bus.boarding' AND reason LIKE 'bus.refused.%' ORDER BY occurred_at");
    expect(refusals.rows.map((r) => r.reason)).toEqual(expect.arrayContaining(['bus.refused.wrong_bus', 'bus.refused.on_leave', 'bus.refused.stop_changed']));
  }, 60_000);

  it('the afternoon: a 10-minute tunnel, a pass at the door, nobody for 王小刚, the missed check escalating', async () => {
    const s = bus.service!;
    await advance(60_000);
    const open = await attendant.req('POST', '/api/bus/trips', { routeId: 'R1', direction: 'afternoon' });
    expect(open.status).toBe(201);
    const tripId = open.json.trip.id as string;
    await fix(STOP.SCH, 5000, 0);
    expect(await door_(issuer.card(ZHANG))).toEqual({ reason: 'bus.boarded', feedback: ACCEPT });
    expect(await door_(issuer.card(WANG))).toEqual({ reason: 'bus.boarded', feedback: ACCEPT });
    expect(await door_(issuer.card(LI))).toEqual({ reason: 'bus.refused.on_leave', feedback: REFUSE });
    await waitFor(async () => (await atCloud()).missing.length === 0, 'boardings at the cloud', { timeoutMs: 30_000 });

    // Into the tunnel: the link is cut for 10 minutes of the trip.
    proxy.cut();
    const cutAt = time.t;
    await drive({ lat: STOP.SCH.lat - 0.002, lon: STOP.SCH.lon }, 10);
    await drive(STOP.S2, 10);
    await drive({ lat: STOP.S1.lat + 0.002, lon: STOP.S1.lon }, 10);
    await drive(STOP.S1, 10);
    expect(s.atStop).toBe('S1');
    // 张小明: his mother shows her printed pickup pass at the door reader.
    expect((await api('/scan', { text: issuer.card(ZHANG), kind: 'alight' })).result).toMatchObject({ ok: false, reason: 'bus.handover.waiting' });
    const pass = encodePickupPass({ studentId: ZHANG, recordKey: 'pp-zhang-mum', passVersion: 0 }, issuer.privateKey, issuer.kid);
    expect(await door_(pass)).toEqual({ reason: 'bus.handed_over', feedback: ACCEPT });
    // 王小刚: nobody comes. The bus waits, then leaves; he stays on board.
    expect((await api('/scan', { text: issuer.card(WANG), kind: 'alight' })).result).toMatchObject({ ok: false, reason: 'bus.handover.waiting' });
    await fix(STOP.S1, 60_000, 0);
    await drive({ lat: STOP.S1.lat - 0.002, lon: STOP.S1.lon }, 10);
    expect(s.db.rider(tripId, WANG)).toMatchObject({ onBoard: true, pickupState: 'returned', pickupStop: 'S1' });
    // Still in the tunnel until 10 minutes have passed: nothing of this reached the cloud.
    while (time.t - cutAt < 10 * 60_000) await fix({ lat: at.lat - 0.0002, lon: at.lon }, 10_000, 20);
    const offline = await atCloud();
    expect(offline.missing.length).toBeGreaterThan(5);
    expect(proxy.refused).toBeGreaterThan(0);
    const failedEvent = eventsAfter(edge, seq0, 'bus.handover').find((e) => e.reason === 'bus.handover.failed')!;
    expect(failedEvent).toMatchObject({ subject: WANG, priority: PRIORITIES.safety });

    // Out of the tunnel: everything recorded offline arrives, every id once.
    proxy.restore();
    await waitFor(async () => (await atCloud()).missing.length === 0, 'the tunnel’s events at the cloud', { timeoutMs: 60_000 });
    expect((await atCloud()).extra).toBe(0);
    const positions = eventsAfter(edge, seq0, 'bus.position').filter((e) => e.data.tripId === tripId);
    const tunnelFixes = positions.flatMap((e) => (e.data.fixes as { at: number }[]).map((f) => f.at)).filter((t) => t > cutAt);
    expect(tunnelFixes.length).toBeGreaterThan(20);
    // The guardians and the school are told that nobody collected 王小刚.
    await waitFor(() => sms.got.some((m) => m.to === WANG_DAD_PHONE), 'WANG’s father told', { timeoutMs: 30_000 });
    await waitFor(() => sms.got.some((m) => m.to === ATTENDANT_PHONE && /王小刚 在 幸福小区 无人接/.test(m.text)), 'the school told', { timeoutMs: 30_000 });
    // 张小明's mother gets his 下车 notice (handed over to her at 幸福小区); 王小刚's father a safety notice by SMS.
    const notices = async (phone: string) => (await sql.query<{ kind: string; text_zh: string }>('SELECT kind, text_zh FROM notices WHERE phone = $1 ORDER BY created_at', [phone])).rows;
    await waitFor(async () => (await notices(ZHANG_MUM_PHONE)).some((n) => n.kind === 'alight' && /张小明 在幸福小区下车（1号线）/.test(n.text_zh)), 'ZHANG’s mother’s 下车 notice', { timeoutMs: 30_000 });
    expect((await notices(WANG_DAD_PHONE)).map((n) => n.kind)).toContain('safety');
    expect(sms.got.find((m) => m.to === WANG_DAD_PHONE)).toMatchObject({ kind: 'notice', text: expect.stringMatching(/王小刚 在幸福小区下车时无人接（1号线），孩子留在校车上随车返校/) });
    const alarms = (await manager.call('GET', `/schools/${cloud.link.schoolId}/bus-alarms`)).json.alarms as { id: string; kind: string }[];
    expect(alarms.find((a) => a.id === failedEvent.id)).toMatchObject({ kind: 'handover_failed' });
    // The end-of-trip check is not due at 幸福小区 with 王小刚 aboard: no alarm yet.
    expect(eventsAfter(edge, seq0, 'bus.check').filter((e) => e.reason === 'bus.check.missed')).toEqual([]);

    // Back to school; 王小刚 gets off there. Nobody does the rear check.
    await drive(STOP.SCH, 10);
    expect(s.atStop).toBe('SCH');
    const backAt = time.t;
    expect((await api('/scan', { text: issuer.card(WANG), kind: 'alight' })).result).toMatchObject({ ok: true, reason: 'bus.alighted' });
    const view = (await attendant.req('GET', '/api/bus/trips/current')).json.trip;
    expect(view.returned).toEqual([expect.objectContaining({ personId: WANG, name: '王小刚', onBoard: false })]);
    // The box's clock catches up with real time; the check is missed on the way.
    expect(Date.now() - time.t).toBeGreaterThan(CHECK_MIN * 60_000);
    // The check's clock started back at school, where 王小刚 got off.
    expect(s.db.trip(tripId)).toMatchObject({ lastStopAt: backAt });
    const smsBefore = sms.got.length;
    await advance(Date.now() - time.t);
    const missed = eventsAfter(edge, seq0, 'bus.check').filter((e) => e.reason === 'bus.check.missed');
    expect(missed).toHaveLength(1);
    expect(missed[0]).toMatchObject({ severity: 'critical', priority: PRIORITIES.safety });
    const steps = [ATTENDANT_PHONE, MANAGER_PHONE, PRINCIPAL_PHONE];
    const told = async (phone: string) => waitFor(() => sms.got.slice(smsBefore).find((m) => m.to === phone && m.kind === 'alarm' && /仍未完成车内清点检查/.test(m.text)), `alarm SMS to ${phone}`, { timeoutMs: 60_000 });
    const got = [];
    for (const p of steps) got.push(await told(p));
    expect(got[0]!.text).toMatch(/第1级/);
    expect(got[1]!.text).toMatch(/第2级/);
    expect(got[2]!.text).toMatch(/第3级/);
    // One job a step, each after the step time (less a second for the job poll).
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual((STEP_S - 1) * 1000);
    expect(got[2]!.at - got[1]!.at).toBeGreaterThanOrEqual((STEP_S - 1) * 1000);
    const alarm = ((await manager.call('GET', `/schools/${cloud.link.schoolId}/bus-alarms`)).json.alarms as { id: string; kind: string; level: number; steps: { role: string; target: string; status: string }[] }[]).find((a) => a.id === missed[0]!.id)!;
    expect(alarm).toMatchObject({ kind: 'check_missed', level: 2 });
    expect(alarm.steps.map((x) => [x.role, x.target, x.status])).toEqual([
      ['attendant', ATTENDANT_PHONE, 'sent'],
      ['transport_manager', MANAGER_PHONE, 'sent'],
      ['school_admin', PRINCIPAL_PHONE, 'sent'],
    ]);
    const jobs = await sql.query<{ n: string }>("SELECT count(*) AS n FROM pgboss.job WHERE name = 'bus-alarm-escalate' AND data->>'alarmId' = $1", [missed[0]!.id]);
    expect(Number(jobs.rows[0]!.n)).toBe(3);

    // The attendant walks to the rear at last; the trip closes and shows 王小刚 returned.
    expect((await api('/check', { text: 'CAMPUS-BUS-REAR-CHECK' })).result).toMatchObject({ ok: true });
    const closed = await attendant.req('POST', '/api/bus/trips/current/close', {});
    expect(closed.status).toBe(200);
    expect(closed.json.trip).toMatchObject({ status: 'closed', onBoard: [], returned: [expect.objectContaining({ personId: WANG })] });
    expect(closed.json.trip.handovers).toEqual([expect.objectContaining({ personId: ZHANG, pickupName: '张妈妈', method: 'pass' })]);
    await waitFor(async () => (await atCloud()).missing.length === 0, 'the day at the cloud', { timeoutMs: 30_000 });
    expect((await atCloud()).extra).toBe(0);
  }, 150_000);
});
