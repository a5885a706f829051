/**
 * leave.approval.gate.p95: a head teacher's approval in the cloud → the edge lets the
 * child out at the real gate (cloud → change feed → edge), p95 in seconds (target ≤ 5).
 *
 * A `campus-cloud` process (PostgreSQL when one is available, else PGlite) and a real
 * edge linked to it; the exit reader is a QR line on a socat pty, the turnstile relay a
 * pymodbus RTU board on another. For each of N students a guardian's application is
 * pending; the head teacher approves it (t0) while the child keeps scanning the card at
 * the exit reader every 100 ms, as a child at the gate would; t1 is when the edge
 * records the granted, pulsed exit. Baseline in the same run: scan → granted decision
 * for a child whose leave is already on the edge (the gate alone).
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { QrReaderSimulator } from '@campus/device-drivers/qr/index';
import { FakeClock, PymodbusBoard, openPtyPair, waitFor } from '@campus/testkit';
import { createTempDatabase, postgresUrl } from '@campus/testkit/postgres';
import { initIssuerKeys, issueCards, issuerKeyFileNames, loadIssuerKey } from '../edge-agent/src/cards/index.js';
import { startAccessEdge } from '../edge-agent/test/access/helpers.js';
import { eventsAfter, waitOnline } from '../edge-agent/test/access/rig.js';
import { tempDir } from '../edge-agent/test/helpers/edge.js';
import { startCloudProcess } from '../edge-agent/test/sync/cloud-process.js';
import { median, percentile, report } from './lib.js';

const N = Number(process.env.LEAVE_BENCH_N ?? 20);
const SITE = 'leave-bench';
const CLASS = '初一-2班';
const PW = 'leave-bench-pw-1';
const PHONE = '13800138001';
const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(Date.now());

async function main(): Promise<void> {
  const dir = tempDir('campus-leave-bench-');
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  try {
    const pgAdmin = await postgresUrl();
    const env: Record<string, string> = {};
    if (pgAdmin) {
      const db = await createTempDatabase(pgAdmin);
      cleanups.push(() => db.drop());
      env.DATABASE_URL = db.url;
    }
    const cloud = await startCloudProcess(dir.path, SITE, env);
    cleanups.push(() => cloud.stop());
    const schoolId = cloud.link.schoolId;
    const students = Array.from({ length: N + 1 }, (_, i) => `S${i}`);
    await cloud.write([
      ...students.map((s) => ({ kind: 'person', key: s, data: { name: `学生${s}`, roles: ['student'], classId: CLASS } })),
      { kind: 'person', key: 'G1', data: { name: '家长', roles: ['guardian'], phone: PHONE } },
      ...students.map((s) => ({ kind: 'guardianship', key: `${s}:G1`, data: { studentId: s, guardianId: 'G1', relation: '母亲', mayPickUp: true, receivesNotices: true } })),
      { kind: 'calendar', key: today(), data: { date: today(), kind: 'makeup_day' } },
    ]);

    let cookie = '';
    let csrf = '';
    const staff = async (method: string, path: string, body?: unknown) => {
      const r = await fetch(`${cloud.link.cloudUrl}/api/staff${path}`, {
        method,
        headers: { 'content-type': 'application/json', cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': csrf }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const set = r.headers.getSetCookie().find((c) => c.startsWith('campus_staff_sid='));
      if (set) cookie = set.split(';')[0]!;
      const json = (await r.json().catch(() => null)) as { csrfToken?: string } | null;
      if (json?.csrfToken) csrf = json.csrfToken;
      if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
      return json as Record<string, unknown>;
    };
    const first = await cloud.admin(`/api/admin/schools/${schoolId}/accounts`, { method: 'POST', body: JSON.stringify({ username: 'bench-admin', displayName: '管理员', password: PW }) });
    if (first.status !== 201) throw new Error(`first admin: ${first.status}`);
    await staff('POST', '/session', { username: 'bench-admin', password: PW });
    await staff('POST', '/accounts', { username: 'bench-ht', displayName: '陈老师', password: PW, roles: ['head_teacher'], classes: [CLASS] });
    await staff('POST', '/session', { username: 'bench-ht', password: PW });

    const home = async (path: string, body: unknown, token?: string) => {
      const r = await fetch(`${cloud.link.cloudUrl}/api/home${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
      if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return (await r.json()) as { id?: string; guardian?: { token: string } };
    };
    await home('/code', { phone: PHONE });
    const code = await waitFor(() => new RegExp(`sign-in code (\\d{6}) for ${PHONE}`).exec(cloud.output())?.[1], 'the sign-in code in the cloud log');
    const token = (await home('/session', { phone: PHONE, code })).guardian!.token;

    const readerLine = await openPtyPair({ name: 'reader' });
    cleanups.push(() => readerLine.close());
    const rs485 = await openPtyPair({ name: 'rs485' });
    cleanups.push(() => rs485.close());
    const board = await PymodbusBoard.start('rtu', rs485.b);
    cleanups.push(() => board.stop());
    const reader = QrReaderSimulator.overSerial({ path: readerLine.b, baudRate: 9600 }, { suffix: 'CRLF' });
    cleanups.push(() => reader.close());
    const issuerDir = join(dir.path, 'issuer');
    const keysDir = join(dir.path, 'edge-keys');
    await initIssuerKeys(issuerDir, { kid: 'C1' });
    mkdirSync(keysDir, { recursive: true });
    copyFileSync(join(issuerDir, issuerKeyFileNames('C1').publicKey), join(keysDir, issuerKeyFileNames('C1').publicKey));
    const key = await loadIssuerKey(issuerDir, 'C1');
    const cards = new Map(
      issueCards(students.map((s, i) => ({ row: i + 2, personId: s, name: `学生${s}`, grade: '初一', className: '2班', photo: null, version: null })), key.privateKey, key.kid).map((c) => [c.personId, c.credential]),
    );

    const edgeEnv = await startAccessEdge(
      {
        keysDir,
        zones: [{ id: 'campus', no: 1, name: '校园', kind: 'campus', antiPassback: 'off' }],
        gates: [{ id: 'east', no: 1, name: '东门', zone: 'campus', turnstile: { board: 'gate-board', in: 4, out: 5, pulseMs: 200 } }],
        readers: [{ id: 'east-out', gate: 'east', direction: 'out', transport: { kind: 'serial', path: readerLine.a, baudRate: 9600 } }],
        relayBuses: [{ id: 'rs485', link: { kind: 'rtu', path: rs485.a, baudRate: 9600 }, timeoutMs: 500 }],
        relayBoards: [{ id: 'gate-board', bus: 'rs485', unitId: 1, channels: 8, pulseMode: 'timer' }],
      },
      { clock: new FakeClock(Date.now()), config: { site: { id: SITE, name: '请假基准校区' }, cloud: { enabled: true, linkFile: cloud.linkFile } } },
    );
    cleanups.push(() => edgeEnv.cleanup());
    const edge = edgeEnv.edge;
    await waitOnline(edge);
    await waitFor(() => edge.access.people.get(students.at(-1)!), 'the roster on the edge', 60_000);
    const classes = await edgeEnv.admin.req('GET', '/api/access/classes');
    const grade = classes.json.grades.find((g: { name: string }) => g.name === '初一');
    const tt = await edgeEnv.admin.req('PUT', '/api/access/timetables', { timetables: [{ gradeId: grade.id, entryStart: '00:00', lateAfter: '00:01', dismissalStart: '23:58', dismissalEnd: '23:59', lunch: [] }] });
    if (tt.status !== 200) throw new Error(`timetable: ${JSON.stringify(tt.json)}`);
    await waitFor(() => edge.school.calendar.isSchoolDay(today()), 'today a school day on the edge', 60_000);

    /** One scan at the exit reader; the decision the edge recorded for it. */
    const scan = async (student: string) => {
      const from = edge.store.events.lastSeq();
      edgeEnv.clock.set(Date.now());
      await reader.scan(cards.get(student)!);
      return waitFor(() => eventsAfter(edge, from, 'access.decision')[0], `the decision for ${student}`, 10_000);
    };
    const before = await scan('S0');
    if (before.reason !== 'access.school_hours') throw new Error(`without a leave the gate must refuse, got ${before.reason}`);

    const latencies: number[] = [];
    const gateOnly: number[] = [];
    for (let i = 1; i <= N; i++) {
      const s = students[i]!;
      const applied = await home('/guardian/requests', { schoolId, studentKey: s, kind: 'early_exit', from: Date.now() - 60_000, until: Date.now() + 3600_000, reasonKind: 'illness', reason: 'bench' }, token);
      const t0 = performance.now();
      await staff('POST', `/schools/${schoolId}/leave-requests/${applied.id as string}/decision`, { approve: true });
      for (;;) {
        const d = await scan(s);
        if (d.reason === 'access.granted.leave' && (d.data as { opened?: string }).opened === 'pulsed') break;
        if (performance.now() - t0 > 60_000) throw new Error(`${s}: not let out within 60 s`);
        await sleep(100);
      }
      latencies.push((performance.now() - t0) / 1000);
      // The gate alone: the same child again, the leave already on the edge.
      const g0 = performance.now();
      const again = await scan(s);
      if (again.reason !== 'access.granted.leave') throw new Error(`${s}: second exit ${again.reason}`);
      gateOnly.push((performance.now() - g0) / 1000);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const gateSorted = [...gateOnly].sort((a, b) => a - b);
    report({
      name: 'leave.approval.gate.p95',
      metric: 'p95 latency',
      value: Number(percentile(sorted, 95).toFixed(3)),
      unit: 's',
      target: '<= 5',
      baseline: { name: 'gate.scan.decision.p95', value: Number(percentile(gateSorted, 95).toFixed(3)), unit: 's' },
      notes: `${N} approvals; median ${median(latencies).toFixed(3)} s, max ${sorted.at(-1)!.toFixed(3)} s; cloud on ${pgAdmin ? 'PostgreSQL' : 'PGlite'}; the child scans every 100 ms`,
    });
  } finally {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
    dir.remove();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
