import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QrReaderSimulator } from '@campus/device-drivers/qr/index';
import { FakeClock, PymodbusBoard, openPtyPair, waitFor, type PtyPair } from '@campus/testkit';
import { initIssuerKeys, issueCards, issuerKeyFileNames, loadIssuerKey } from '../../src/cards/index.js';
import { startAccessEdge } from '../access/helpers.js';
import { eventsAfter, waitOnline } from '../access/rig.js';
import { tempDir } from '../helpers/edge.js';
import { startCloudProcess } from '../sync/cloud-process.js';

/**
 * 请假/离校 through the real gate: a guardian applies in the cloud, the head teacher of
 * the class approves there, the approval comes down the change feed as the `leave`
 * record, and the edge lets the child out at the exit reader (a QR line on a socat pty,
 * the turnstile relay on a pymodbus RTU board) only inside the approved window. The exit
 * is uploaded and matched to the leave in the cloud. Then a visit: the host teacher's
 * approval signs a pass with the cloud's pass key (installed on the edge as an issuer key
 * for visitor passes only); the pass reaches the edge and opens the gate from its start.
 */
const SITE = 'leave-gate';
const CLASS = '初一-2班';
const SCHOOL_TZ = 'Asia/Shanghai';
const PW = 'leave-gate-pw-1';

const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: SCHOOL_TZ, year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());

describe('leave approval in the cloud → the real gate lets the child out inside the window only', () => {
  const dir = tempDir('campus-leave-gate-');
  let cloud: Awaited<ReturnType<typeof startCloudProcess>>;
  let env: Awaited<ReturnType<typeof startAccessEdge>>;
  let readerLine: PtyPair;
  let rs485: PtyPair;
  let board: PymodbusBoard;
  let reader: QrReaderSimulator;
  let cards: Record<string, string> = {};
  let cloudPassKey: { kid: string; publicKeyPem: string } = { kid: '', publicKeyPem: '' };
  let staffCookie = '';
  let csrf = '';
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  let guardianToken = '';

  const staff = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${cloud.link.cloudUrl}/api/staff${path}`, {
      method,
      headers: { 'content-type': 'application/json', cookie: staffCookie, ...(method === 'GET' ? {} : { 'x-csrf-token': csrf }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const set = r.headers.getSetCookie().find((c) => c.startsWith('campus_staff_sid='));
    if (set) staffCookie = set.split(';')[0]!;
    const json = (await r.json().catch(() => null)) as any;
    if (json?.csrfToken) csrf = json.csrfToken;
    return { status: r.status, json };
  };
  /** A leave the head teacher records directly (approved at once). */
  const recordLeave = async (studentKey: string, from: number, until: number) => {
    const r = await staff('POST', `/schools/${cloud.link.schoolId}/leave-requests`, { studentKey, kind: 'early_exit', from, until, reasonKind: 'illness', reason: '发烧' });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    return r.json.request as { id: string; leaveKey: string };
  };
  const scanOut = async (studentKey: string) => {
    const from = env.edge.store.events.lastSeq();
    env.clock.set(Date.now());
    await reader.scan(cards[studentKey]!);
    return waitFor(() => eventsAfter(env.edge, from, 'access.decision')[0], `the decision for ${studentKey}`);
  };

  beforeAll(async () => {
    cloud = await startCloudProcess(dir.path, SITE);
    cleanups.push(() => cloud.stop());
    // Today is a school day (a 调休 make-up day if it falls on a weekend), from the cloud's calendar.
    await cloud.write([
      { kind: 'person', key: 'S1', data: { name: '李小红', roles: ['student'], classId: CLASS } },
      { kind: 'person', key: 'S2', data: { name: '王小明', roles: ['student'], classId: CLASS } },
      { kind: 'person', key: 'G1', data: { name: '李妈妈', roles: ['guardian'], phone: '13800138001' } },
      { kind: 'person', key: 'T1', data: { name: '陈老师', roles: ['teacher'] } },
      { kind: 'guardianship', key: 'S1:G1', data: { studentId: 'S1', guardianId: 'G1', relation: '母亲', mayPickUp: true, receivesNotices: true } },
      { kind: 'calendar', key: today(), data: { date: today(), kind: 'makeup_day' } },
    ]);
    // The head teacher of the class (the school's first admin makes the account).
    const first = await cloud.admin(`/api/admin/schools/${cloud.link.schoolId}/accounts`, { method: 'POST', body: JSON.stringify({ username: 'gate-admin', displayName: '管理员', password: PW }) });
    expect(first.status).toBe(201);
    expect((await staff('POST', '/session', { username: 'gate-admin', password: PW })).status).toBe(201);
    expect((await staff('POST', '/accounts', { username: 'gate-ht', displayName: '陈老师', personKey: 'T1', password: PW, roles: ['head_teacher'], classes: [CLASS] })).status).toBe(201);
    // The cloud's visitor-pass key, installed on the edge as an issuer key that may sign visitor passes only.
    const passKey = await staff('GET', `/schools/${cloud.link.schoolId}/visits/pass-key`);
    expect(passKey.status).toBe(200);
    cloudPassKey = passKey.json;
    expect((await staff('POST', '/session', { username: 'gate-ht', password: PW })).status).toBe(201);

    readerLine = await openPtyPair({ name: 'reader' });
    cleanups.push(() => readerLine.close());
    rs485 = await openPtyPair({ name: 'rs485' });
    cleanups.push(() => rs485.close());
    board = await PymodbusBoard.start('rtu', rs485.b);
    cleanups.push(() => board.stop());
    reader = QrReaderSimulator.overSerial({ path: readerLine.b, baudRate: 9600 }, { suffix: 'CRLF' });
    cleanups.push(() => reader.close());

    const issuerDir = join(dir.path, 'issuer');
    const keysDir = join(dir.path, 'edge-keys');
    await initIssuerKeys(issuerDir, { kid: 'C1' });
    mkdirSync(keysDir, { recursive: true });
    copyFileSync(join(issuerDir, issuerKeyFileNames('C1').publicKey), join(keysDir, issuerKeyFileNames('C1').publicKey));
    writeFileSync(join(keysDir, issuerKeyFileNames(cloudPassKey.kid).publicKey), cloudPassKey.publicKeyPem);
    const key = await loadIssuerKey(issuerDir, 'C1');
    cards = Object.fromEntries(
      issueCards(
        [
          { row: 2, personId: 'S1', name: '李小红', grade: '初一', className: '2班', photo: null, version: null },
          { row: 3, personId: 'S2', name: '王小明', grade: '初一', className: '2班', photo: null, version: null },
        ],
        key.privateKey,
        key.kid,
      ).map((c) => [c.personId, c.credential]),
    );

    env = await startAccessEdge(
      {
        keysDir,
        keyKinds: { C1: ['card'], [cloudPassKey.kid]: ['visitor'] },
        zones: [{ id: 'campus', no: 1, name: '校园', kind: 'campus', antiPassback: 'off' }],
        gates: [{ id: 'east', no: 1, name: '东门', zone: 'campus', turnstile: { board: 'gate-board', in: 4, out: 5, pulseMs: 200 } }],
        readers: [{ id: 'east-out', gate: 'east', direction: 'out', transport: { kind: 'serial', path: readerLine.a, baudRate: 9600 } }],
        relayBuses: [{ id: 'rs485', link: { kind: 'rtu', path: rs485.a, baudRate: 9600 }, timeoutMs: 500 }],
        relayBoards: [{ id: 'gate-board', bus: 'rs485', unitId: 1, channels: 8, pulseMode: 'timer' }],
      },
      { clock: new FakeClock(Date.now()), config: { site: { id: SITE, name: '请假闸机校区' }, cloud: { enabled: true, linkFile: cloud.linkFile } } },
    );
    cleanups.push(() => env.cleanup());
    await waitOnline(env.edge);
    await waitFor(() => env.edge.access.people.get('S2'), 'the roster projected from the cloud', 30_000);
    // The grade's timetable on the edge: the whole day is school hours, so only a leave lets a student out.
    const classes = await env.admin.req('GET', '/api/access/classes');
    const grade = classes.json.grades.find((g: { name: string }) => g.name === '初一');
    const tt = await env.admin.req('PUT', '/api/access/timetables', { timetables: [{ gradeId: grade.id, entryStart: '00:00', lateAfter: '00:01', dismissalStart: '23:58', dismissalEnd: '23:59', lunch: [] }] });
    expect(tt.status, JSON.stringify(tt.json)).toBe(200);
    await waitFor(() => env.edge.school.calendar.isSchoolDay(today()), 'today a school day on the edge', 30_000);
  }, 180_000);

  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
    dir.remove();
  });

  it('refuses the child before the approval, lets them out after it, keeps a future window shut, and matches the exit to the leave', async () => {
    const before = await scanOut('S1');
    expect(before).toMatchObject({ reason: 'access.school_hours', subject: 'S1', data: { granted: false } });

    // The mother applies in the app (her code is in the demo cloud's log), the head teacher approves.
    const phone = '13800138001';
    expect((await fetch(`${cloud.link.cloudUrl}/api/home/code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone }) })).status).toBe(202);
    const code = await waitFor(() => new RegExp(`sign-in code (\\d{6}) for ${phone}`).exec(cloud.output())?.[1], 'the sign-in code in the cloud log');

    const session = await fetch(`${cloud.link.cloudUrl}/api/home/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone, code }) });
    const { guardian } = (await session.json()) as { guardian: { token: string } };
    guardianToken = guardian.token;
    const applied = await fetch(`${cloud.link.cloudUrl}/api/home/guardian/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${guardian.token}` },
      body: JSON.stringify({ schoolId: cloud.link.schoolId, studentKey: 'S1', kind: 'early_exit', from: Date.now() - 5 * 60_000, until: Date.now() + 30 * 60_000, reasonKind: 'illness', reason: '发烧', collector: '母亲' }),
    });
    expect(applied.status).toBe(201);
    const approved = (await applied.json()) as { id: string };
    const decision = await staff('POST', `/schools/${cloud.link.schoolId}/leave-requests/${approved.id}/decision`, { approve: true });
    expect(decision.status, JSON.stringify(decision.json)).toBe(200);
    await waitFor(async () => ((await env.admin.req('GET', '/api/access/leaves')).json.leaves as { personId: string }[]).some((l) => l.personId === 'S1'), 'the leave on the edge', 30_000);
    const writesBefore = board.writes.length;
    const out = await scanOut('S1');
    expect(out).toMatchObject({ reason: 'access.granted.leave', subject: 'S1', data: { granted: true, opened: 'pulsed', gateName: '东门' } });
    await waitFor(() => board.writes.length >= writesBefore + 2, 'the exit relay pulsed');
    expect(board.writes.slice(writesBefore, writesBefore + 2)).toEqual([
      { write: 5, values: [true] },
      { write: 5, values: [false] },
    ]);

    // A leave for later today, recorded by the head teacher: on the edge, but the gate stays shut now.
    await recordLeave('S2', Date.now() + 60 * 60_000, Date.now() + 2 * 60 * 60_000);
    await waitFor(async () => ((await env.admin.req('GET', '/api/access/leaves')).json.leaves as { personId: string }[]).some((l) => l.personId === 'S2'), 'the later leave on the edge', 30_000);
    const early = await scanOut('S2');
    expect(early).toMatchObject({ reason: 'access.school_hours', subject: 'S2', data: { granted: false } });

    // The exit is uploaded and matched to the leave in the cloud.
    const matched = await waitFor(
      async () => {
        const r = await staff('GET', `/schools/${cloud.link.schoolId}/leave-requests?status=approved`);
        const mine = (r.json.requests as { id: string; exitedAt: number | null }[]).find((x) => x.id === approved.id);
        return mine?.exitedAt ? mine : undefined;
      },
      'the exit matched to the leave in the cloud',
      30_000,
    );
    expect(matched.exitedAt).toBe(out.occurredAt);
  }, 120_000);

  it('lets a visitor through with the pass the cloud signed on the host teacher\'s approval, and only from its start', async () => {
    // The mother, signed in to the app in the first test (the tests run in order).
    if (!guardianToken) throw new Error('run with the first test: it signs the mother in');
    const guardian = { token: guardianToken };
    const home = (method: string, path: string, body?: unknown) =>
      fetch(`${cloud.link.cloudUrl}/api/home${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${guardian.token}` }, ...(body ? { body: JSON.stringify(body) } : {}) }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));
    const now = Date.now();
    const later = await home('POST', '/guardian/visits', { schoolId: cloud.link.schoolId, hostKey: 'T1', purpose: '下午面谈', from: now + 3600_000, until: now + 7200_000 });
    const today = await home('POST', '/guardian/visits', { schoolId: cloud.link.schoolId, hostKey: 'T1', purpose: '家长会', from: now - 60_000, until: now + 3600_000 });
    expect([later.status, today.status]).toEqual([201, 201]);
    for (const v of [later.json, today.json]) expect((await staff('POST', `/schools/${cloud.link.schoolId}/visit-requests/${v.id}/decision`, { approve: true })).status).toBe(200);
    const mine = (await home('GET', '/guardian/visits')).json.visits as { id: string; passNo: number; credential: string }[];
    const passToday = mine.find((v) => v.id === today.json.id)!;
    const passLater = mine.find((v) => v.id === later.json.id)!;
    // Both passes reach the edge from the change feed (the guard's pass list shows them).
    await waitFor(async () => {
      const ids = ((await env.admin.req('GET', '/api/access/passes')).json.passes as { id: number }[]).map((p) => p.id);
      return ids.includes(passToday.passNo) && ids.includes(passLater.passNo);
    }, 'the cloud passes on the edge', 30_000);
    const scanPass = async (credential: string) => {
      const from = env.edge.store.events.lastSeq();
      env.clock.set(Date.now());
      await reader.scan(credential);
      return waitFor(() => eventsAfter(env.edge, from, 'access.decision')[0], 'the decision for the pass');
    };
    expect(await scanPass(passToday.credential)).toMatchObject({ reason: 'access.granted.visitor', data: { granted: true, opened: 'pulsed' } });
    expect(await scanPass(passLater.credential)).toMatchObject({ data: { granted: false } });
  }, 120_000);
});
