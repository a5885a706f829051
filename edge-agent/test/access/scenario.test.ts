import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { io as ioClient, type Socket } from 'socket.io-client';
import { ApiClient, connectMqtt } from '../helpers/edge.js';
import { FakeClock, TestIssuer, b64, startAccessEdge } from './helpers.js';
import { eventsAfter, startRig, waitFor, waitOnline, type Rig } from './rig.js';
import type { StoredEvent } from '../../src/store/index.js';

const sh = (local: string) => Date.parse(`${local}+08:00`);
const OBSERVER = { clientId: 'ops-observer', password: 'observer-password-1', role: 'observer' as const };
const GUARD = { username: 'guard-wang', password: 'guard-password-1', roles: ['security' as const] };

const ROSTER = [
  '学号,姓名,身份,年级,班级,住校',
  '2026010001,张一,学生,初一,1班,否',
  '2026010002,张二,学生,初一,1班,否',
  '2026010003,张三,学生,初一,1班,否',
  '2026010004,张四,学生,初一,1班,否',
  '2026010005,张五,学生,初一,1班,否',
  '2026010006,张六,学生,初一,1班,否',
  'T001,陈老师,教师,,,',
].join('\n');

/**
 * A school morning on real hardware: readers on socat pty pairs, a Modbus RTU relay
 * board behind an RS-485 pty, the real broker and panel socket, and a fake wall clock
 * that the school's time rules follow.
 */
describe('a morning at the east gate', () => {
  const clock = new FakeClock(sh('2026-09-07T07:05:00')); // Monday
  const issuer = new TestIssuer('K1');
  let rig: Rig;
  let env: Awaited<ReturnType<typeof startAccessEdge>>;
  let mqtt: MqttClient;
  const published: Array<{ topic: string; reason: string }> = [];
  let live: Socket;
  const pushed: string[] = [];
  let guard: ApiClient;

  beforeAll(async () => {
    rig = await startRig([
      { id: 'east-in', gate: 'east', direction: 'in' },
      { id: 'east-out', gate: 'east', direction: 'out' },
      { id: 'north-in', gate: 'north', direction: 'in' },
    ]);
    env = await startAccessEdge(
      {
        ...rig.config,
        gates: [
          { id: 'east', no: 1, name: '东门', zone: 'campus', turnstile: { board: 'board-1', in: 0, out: 1, pulseMs: 300 } },
          { id: 'north', no: 2, name: '北门', zone: 'campus', turnstile: { board: 'board-1', in: 2, out: 3, pulseMs: 300 } },
          { id: 'dorm-a-door', no: 3, name: '宿舍A栋门', zone: 'dorm-a' },
        ],
      },
      { clock, issuer, edge: { mqttClients: [OBSERVER], users: [GUARD] } },
    );
    mqtt = await connectMqtt(env.edge.mqtt.port, { clientId: OBSERVER.clientId, username: OBSERVER.clientId, password: OBSERVER.password });
    mqtt.on('message', (topic, payload) => published.push({ topic, reason: (JSON.parse(payload.toString()) as { reason: string }).reason }));
    await mqtt.subscribeAsync('campus/events/#', { qos: 0 });
    guard = new ApiClient(env.edge.httpUrl);
    expect((await guard.login(GUARD.username, GUARD.password)).status).toBe(200);
    live = ioClient(env.edge.httpUrl, { transports: ['websocket'], extraHeaders: { cookie: guard.cookie }, reconnection: false });
    live.on('event', (e: { type: string; reason: string }) => pushed.push(e.reason));
    await new Promise<void>((r) => live.on('connect', () => r()));

    expect((await env.admin.req('POST', '/api/access/roster/import', { fileName: 'class.csv', contentBase64: b64(ROSTER) })).status).toBe(200);
    const grade = (await env.admin.req('GET', '/api/access/classes')).json.grades[0];
    const tt = await env.admin.req('PUT', '/api/access/timetables', {
      timetables: [{ gradeId: grade.id, entryStart: '07:00', lateAfter: '07:30', dismissalStart: '16:30', dismissalEnd: '18:00' }],
    });
    expect(tt.status).toBe(200);
    await waitOnline(env.edge);
  }, 60_000);

  afterAll(async () => {
    live?.close();
    await mqtt?.endAsync();
    await env?.cleanup();
    await rig?.close();
  });

  let seq = 0;
  /** The reader at the gate reads `text`; resolves with the edge's decision event. */
  async function scan(readerId: string, text: string): Promise<StoredEvent> {
    const from = env.edge.store.events.lastSeq();
    const sent = await rig.readers.get(readerId)!.sim.scan(text);
    expect(sent, `${readerId} is connected`).toBe(1);
    const e = await waitFor(() => eventsAfter(env.edge, from, 'access.decision').find((x) => x.data.reader === readerId), `decision at ${readerId}`);
    seq = e.seq;
    return e;
  }
  /** Openings for one person: timed flash pulses (the fire alarm's hold shows as an on-off pulse). */
  const pulses = (channel: number) => rig.board.pulses.filter((p) => p.channel === channel && p.via === 'flash').length;

  it('lets the class in before the bell, pulsing the IN relay once per student', async () => {
    for (const id of ['2026010001', '2026010002', '2026010003', '2026010004']) {
      clock.advance(60_000);
      const e = await scan('east-in', issuer.card(id));
      expect(e.reason).toBe('access.granted');
      expect(e.data).toMatchObject({ granted: true, personId: id, opened: 'pulsed', className: '初一 1班' });
    }
    await waitFor(() => pulses(0) === 4, 'four IN pulses');
    expect(pulses(1)).toBe(0);
    expect(rig.board.pulses[0]).toMatchObject({ channel: 0, ms: 300, via: 'flash' });
    const sim = rig.readers.get('east-in')!.sim;
    await waitFor(() => sim.received().length >= 4, 'granted feedback at the reader');
    expect(sim.received().toString('hex')).toBe('a1'.repeat(4));
  });

  it('records a student arriving after the bell as late', async () => {
    clock.set('2026-09-07T07:42:00+08:00');
    const e = await scan('north-in', issuer.card('2026010005'));
    expect(e.reason).toBe('access.granted');
    await waitFor(() => pulses(2) === 1, 'north IN pulse');
    const late = env.edge.store.events.list({ typePrefix: 'attendance.late' });
    expect(late).toHaveLength(1);
    expect(late[0]!.subject).toBe('2026010005');
    expect(late[0]!.data.who).toBe('张五（初一 1班）');
  });

  it('lets a student with an approved leave out and keeps one without leave in', async () => {
    clock.set('2026-09-07T10:00:00+08:00');
    const leave = await guard.req('POST', '/api/access/leaves', { personId: '2026010001', startsAt: '2026-09-07T09:45', endsAt: '2026-09-07T12:00', reason: '发烧，家长接回', approvedBy: '陈老师' });
    expect(leave.status).toBe(201);
    const out = await scan('east-out', issuer.card('2026010001'));
    expect(out.reason).toBe('access.granted.leave');
    expect(out.data.leaveId).toBe(leave.json.leave.id);
    await waitFor(() => pulses(1) === 1, 'OUT pulse');

    const stay = await scan('east-out', issuer.card('2026010002'));
    expect(stay.reason).toBe('access.school_hours');
    expect(stay.data).toMatchObject({ granted: false, opened: 'closed' });
    expect(stay.data.explanation).toContain('没有已批准的请假');
    const sim = rig.readers.get('east-out')!.sim;
    await waitFor(() => sim.received().length >= 2, 'denied feedback at the reader');
    expect(sim.received().toString('hex')).toBe('a1d0');
    expect(pulses(1)).toBe(1);
  });

  it('admits a visitor once on a one-use pass and refuses the second use', async () => {
    clock.set('2026-09-07T10:30:00+08:00');
    const issued = await guard.req('POST', '/api/access/passes', {
      kind: 'visitor',
      visitorName: '刘女士',
      hostPersonId: 'T001',
      purpose: '家长会',
      validFrom: '2026-09-07T10:00',
      validUntil: '2026-09-07T12:00',
      oneUse: true,
      gates: ['east'],
    });
    expect(issued.status).toBe(201);
    expect(issued.json.qrSvg).toMatch(/^<svg/);
    const first = await scan('east-in', issued.json.credential);
    expect(first.reason).toBe('access.granted.visitor');
    expect(first.data).toMatchObject({ passId: issued.json.pass.id, visitorName: '刘女士', opened: 'pulsed' });
    const again = await scan('east-in', issued.json.credential);
    expect(again.reason).toBe('access.pass_used');
    expect(again.data.granted).toBe(false);
    await waitFor(() => pulses(0) === 5, 'one more IN pulse');
    await new Promise((r) => setTimeout(r, 300));
    expect(pulses(0)).toBe(5);
  });

  it('refuses a card reported lost from the next scan on', async () => {
    const revoke = await guard.req('POST', '/api/access/people/2026010003/cards/revoke', { why: '学生报告校园卡丢失' });
    expect(revoke.status).toBe(200);
    expect(revoke.json.person.minCardVersion).toBe(2);
    const old = await scan('north-in', issuer.card('2026010003', 1));
    expect(old.reason).toBe('credential.revoked');
    expect(old.data).toMatchObject({ personId: '2026010003', granted: false, cardVersion: 1, currentVersion: 2 });
    expect(pulses(2)).toBe(1);
  });

  it('holds every gate open on a fire alarm and records it, then closes them again', async () => {
    clock.set('2026-09-07T11:00:00+08:00');
    const on = await guard.req('POST', '/api/access/fire-alarm', { active: true, why: '消防演练' });
    expect(on.status).toBe(200);
    expect(on.json.fireAlarm).toMatchObject({ active: true, confirmed: 2, total: 2 });
    expect(rig.board.coils().slice(0, 4)).toEqual([true, true, true, true]);
    const fire = env.edge.store.events.list({ typePrefix: 'access.fire_alarm' });
    expect(fire[0]).toMatchObject({ reason: 'access.fire_alarm.active', severity: 'critical', source: `guard:${GUARD.username}` });
    // Students leaving during the alarm are recorded, the gate is already open.
    const leaving = await scan('east-out', issuer.card('2026010002'));
    expect(leaving).toMatchObject({ reason: 'access.granted.fire_alarm' });
    expect(leaving.data.opened).toBe('held-open');
    const off = await guard.req('POST', '/api/access/fire-alarm', { active: false, why: '演练结束' });
    expect(off.json.fireAlarm.active).toBe(false);
    expect(rig.board.coils().slice(0, 4)).toEqual([false, false, false, false]);
    expect(env.edge.store.events.list({ typePrefix: 'access.fire_alarm' })[0]!.reason).toBe('access.fire_alarm.cleared');
  });

  it('notices a reader unplugged and reads again once it is back', async () => {
    const r = rig.readers.get('north-in')!;
    const from = env.edge.store.events.lastSeq();
    await r.line.unplug();
    const offline = await waitFor(() => eventsAfter(env.edge, from, 'access.device').find((e) => e.reason === 'access.device.offline' && e.data.device === 'north-in'), 'reader offline event');
    expect(offline.severity).toBe('warning');
    const gates = await guard.req('GET', '/api/access/gates');
    const view = gates.json.gates.find((g: { id: string }) => g.id === 'north').readers[0];
    expect(view.link.state).not.toBe('open');
    await r.line.replug();
    await waitFor(() => eventsAfter(env.edge, from, 'access.device').find((e) => e.reason === 'access.device.online' && e.data.device === 'north-in'), 'reader online event', 10_000);
    await waitFor(() => r.sim.connections === 1, 'simulated module reconnected', 10_000);
    const teacher = await scan('north-in', issuer.card('T001'));
    expect(teacher.reason).toBe('access.granted');
    await waitFor(() => pulses(2) === 2, 'north IN pulse after replug');
  });

  it('rolls the morning up per class, announces the absent student, and published it all', async () => {
    expect(env.edge.access.attendance.sweep(clock.now())).toBe(1);
    const absent = env.edge.store.events.list({ typePrefix: 'attendance.absent' });
    expect(absent.map((e) => e.subject)).toEqual(['2026010006']);
    const day = await guard.req('GET', '/api/access/attendance');
    expect(day.status).toBe(200);
    expect(day.json.date).toBe('2026-09-07');
    const counts = day.json.classes[0].counts;
    expect(counts).toMatchObject({ students: 6, arrived: 3, late: 1, left_with_leave: 1, absent: 1 });
    const cls = await guard.req('GET', `/api/access/attendance/classes/${day.json.classes[0].classId}`);
    const byId = Object.fromEntries(cls.json.students.map((s: { personId: string; status: string }) => [s.personId, s.status]));
    expect(byId).toMatchObject({ '2026010001': 'left_with_leave', '2026010005': 'late', '2026010006': 'absent', '2026010002': 'arrived' });

    await waitFor(() => published.some((p) => p.topic === 'campus/events/attendance/absent'), 'absence on MQTT');
    const reasons = new Set(published.filter((p) => p.topic === 'campus/events/access/decision').map((p) => p.reason));
    for (const r of ['access.granted', 'access.granted.leave', 'access.school_hours', 'access.granted.visitor', 'access.pass_used', 'credential.revoked', 'access.granted.fire_alarm']) {
      expect(reasons, r).toContain(r);
    }
    expect(published.some((p) => p.topic === 'campus/events/access/fire_alarm')).toBe(true);
    expect(pushed).toContain('access.pass_used');
    expect(seq).toBeGreaterThan(0);
    const health = await fetch(`${env.edge.httpUrl}/healthz`);
    expect(health.status).toBe(200);
  });
});
