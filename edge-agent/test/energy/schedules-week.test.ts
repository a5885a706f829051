import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnergyConfigInput } from '../../src/energy/config.js';
import type { EnergyServices } from '../../src/energy/energy-module.js';
import { startTestEdge } from '../helpers/edge.js';
import { FakeClock, shanghai as cst } from '@campus/testkit';
import { startSimCampus, type SimCampus } from './helpers/campus-sim.js';
import { energyServices } from './helpers/services.js';

type TestEdge = Awaited<ReturnType<typeof startTestEdge>>;

/**
 * A week of schedules on a fake clock against a real relay board (simulated,
 * over Modbus TCP) and a real edge: Sun 2026-09-27 is a make-up workday (调休),
 * Wed 09-30 an exam day, Thu 10-01 onwards the National Day holiday, and room
 * 101 is booked for evening study on school days.
 */
const CH = { light101: 1, ac101: 2, light102: 3, ac102: 4, lightOffice: 5 };

function energyConfig(port: number): EnergyConfigInput {
  return {
    enabled: true,
    buildings: [{ id: 'teach', name: '教学楼' }],
    rooms: [
      { id: 'r101', name: '101教室', building: 'teach', kind: 'classroom' },
      { id: 'r102', name: '102教室', building: 'teach', kind: 'classroom' },
      { id: 'office1', name: '教师办公室', building: 'teach', kind: 'office' },
    ],
    buses: [{ id: 'bus-a', transport: { kind: 'tcp', host: '127.0.0.1', port }, timeoutMs: 300, meters: [], relays: [{ id: 'relay-a', unit: 10, channels: 8 }] }],
    circuits: [
      { id: 'c101-light', name: '101照明', building: 'teach', room: 'r101', kind: 'lighting', relay: { board: 'relay-a', channel: CH.light101 } },
      { id: 'c101-ac', name: '101空调', building: 'teach', room: 'r101', kind: 'ac', relay: { board: 'relay-a', channel: CH.ac101 } },
      { id: 'c102-light', name: '102照明', building: 'teach', room: 'r102', kind: 'lighting', relay: { board: 'relay-a', channel: CH.light102 } },
      { id: 'c102-ac', name: '102空调', building: 'teach', room: 'r102', kind: 'ac', relay: { board: 'relay-a', channel: CH.ac102 } },
      { id: 'c-office-light', name: '办公室照明', building: 'teach', room: 'office1', kind: 'lighting', relay: { board: 'relay-a', channel: CH.lightOffice } },
    ],
    schedules: [
      { id: 'morning-on', name: '上学日7点开教室灯', cron: '0 7 * * *', days: 'school', action: 'on', target: { roomKinds: ['classroom'], circuitKinds: ['lighting'] } },
      {
        id: 'evening-off',
        name: '上学日18:30关教室灯和空调',
        cron: '30 18 * * *',
        days: 'school',
        action: 'off',
        target: { roomKinds: ['classroom'], circuitKinds: ['lighting', 'ac'] },
        exceptBooked: true,
      },
      { id: 'late-off', name: '每晚21:40全楼断电', cron: '40 21 * * *', days: 'all', action: 'off', target: { buildings: ['teach'] } },
      { id: 'exam-office', name: '考试日6点开办公室灯', cron: '0 6 * * *', days: 'exam', action: 'on', target: { circuits: ['c-office-light'] } },
    ],
    control: { retries: 1, retryDelayMs: 0, stateReadSeconds: 3600, overrideDefaultMinutes: 60 },
  };
}

let sim: SimCampus;
let edge: TestEdge;
let clock: FakeClock;
let svc: EnergyServices;

const relay = () => sim.relay(10).states;
const on = (ch: number) => relay()[ch - 1];

beforeAll(async () => {
  sim = await startSimCampus({ relays: [{ unit: 10, channels: 8 }] });
  clock = new FakeClock(cst('2026-09-26 12:00'));
  edge = await startTestEdge(
    {
      energy: energyConfig(sim.slave.port),
      school: {
        calendar: [
          { from: '2026-09-27', kind: 'workday', name: '国庆调休' },
          { from: '2026-09-30', kind: 'exam', name: '月考' },
          { from: '2026-10-01', to: '2026-10-07', kind: 'holiday', name: '国庆节' },
        ],
      },
    },
    { energy: { timers: clock } },
  );
  svc = energyServices(edge);
  // Booked for evening study on school days of the whole fortnight.
  svc.bookings.add({ room: 'r101', fromDate: '2026-09-21', toDate: '2026-10-11', days: 'school', fromTime: '18:00', untilTime: '21:30', note: '晚自习', createdBy: 'test' });
});

afterAll(async () => {
  await edge?.cleanup();
  await sim?.close();
});

describe('a week of schedules with the school calendar (fake clock, real relay board)', () => {
  it('knows the days: make-up workday, exam day, holiday', () => {
    expect(svc.calendar.day('2026-09-26')).toMatchObject({ school: false, holiday: false });
    expect(svc.calendar.day('2026-09-27')).toMatchObject({ school: true, makeup: true, name: '国庆调休' });
    expect(svc.calendar.day('2026-09-30')).toMatchObject({ school: true, exam: true });
    expect(svc.calendar.day('2026-10-01')).toMatchObject({ school: false, holiday: true, name: '国庆节' });
    expect(svc.runner.nextRun('morning-on')).toBe(cst('2026-09-27 07:00'));
  });

  it('Saturday (no school): only the every-day shut-off runs', async () => {
    await clock.advanceTo(cst('2026-09-26 23:00'));
    const log = svc.circuits.log.list({ limit: 100 });
    expect(new Set(log.map((e) => e.actor.id))).toEqual(new Set(['late-off']));
    expect(log.every((e) => e.outcome === 'confirmed' && !e.on)).toBe(true);
  });

  it('Sunday is a make-up workday: lights on at 07:00, classrooms off at 18:30 except the booked room', async () => {
    await clock.advanceTo(cst('2026-09-27 07:01'));
    expect([on(CH.light101), on(CH.light102), on(CH.lightOffice)]).toEqual([true, true, false]);
    // Someone also switched the 101 air-conditioning on by hand during the day.
    await svc.circuits.switch('c101-ac', { on: true, actor: { kind: 'user', id: 'teacher-wang' }, why: '上课', holdMinutes: 0 });
    await svc.circuits.switch('c102-ac', { on: true, actor: { kind: 'user', id: 'teacher-li' }, why: '上课', holdMinutes: 0 });
    await clock.advanceTo(cst('2026-09-27 18:31'));
    // 102 goes dark; 101 is booked for evening study and stays as it is.
    expect([on(CH.light102), on(CH.ac102)]).toEqual([false, false]);
    expect([on(CH.light101), on(CH.ac101)]).toEqual([true, true]);
    const evening = svc.circuits.log.list({ limit: 20 }).filter((e) => e.actor.id === 'evening-off');
    expect(evening.filter((e) => e.outcome === 'skipped').map((e) => [e.circuit, e.detail]).sort()).toEqual([
      ['c101-ac', 'booked'],
      ['c101-light', 'booked'],
    ]);
    expect(evening.filter((e) => e.outcome === 'confirmed').map((e) => e.circuit).sort()).toEqual(['c102-ac', 'c102-light']);
    // 21:40: the whole building goes off, the booked room included.
    await clock.advanceTo(cst('2026-09-27 21:41'));
    expect(relay().slice(0, 5)).toEqual([false, false, false, false, false]);
  });

  it('Monday: a manual switch holds schedules off until its expiry, then the schedule state returns', async () => {
    await clock.advanceTo(cst('2026-09-28 18:31'));
    expect(on(CH.light102)).toBe(false);
    // 18:35 a teacher stays late in 102 and switches the light on for an hour.
    await clock.advanceTo(cst('2026-09-28 18:35'));
    const r = await svc.circuits.switch('c102-light', { on: true, actor: { kind: 'user', id: 'teacher-li' }, why: '批改作业', holdMinutes: 60 });
    expect(r.outcome).toBe('confirmed');
    expect(svc.circuits.state('c102-light')!.override).toMatchObject({ on: true, by: 'teacher-li', until: cst('2026-09-28 19:35') });
    await clock.advanceTo(cst('2026-09-28 19:34'));
    expect(on(CH.light102)).toBe(true);
    // The hold runs out: back to what the 18:30 schedule decided.
    await clock.advanceTo(cst('2026-09-28 19:36'));
    expect(on(CH.light102)).toBe(false);
    const last = svc.circuits.log.list({ circuit: 'c102-light', limit: 1 })[0]!;
    expect(last).toMatchObject({ actor: { kind: 'override_expiry', id: 'evening-off' }, on: false, outcome: 'confirmed' });
    expect(svc.circuits.state('c102-light')!.override).toBeNull();
  });

  it('Tuesday: a schedule that fires during a hold skips the circuit and logs why', async () => {
    await clock.advanceTo(cst('2026-09-29 06:50'));
    await svc.circuits.switch('c101-light', { on: false, actor: { kind: 'user', id: 'janitor' }, why: '打扫卫生', holdMinutes: 30 });
    await clock.advanceTo(cst('2026-09-29 07:01'));
    expect([on(CH.light101), on(CH.light102)]).toEqual([false, true]);
    const skip = svc.circuits.log.list({ circuit: 'c101-light', limit: 1 })[0]!;
    expect(skip).toMatchObject({ actor: { kind: 'schedule', id: 'morning-on' }, outcome: 'skipped', detail: 'override', why: '上学日7点开教室灯' });
    await clock.advanceTo(cst('2026-09-29 07:21'));
    expect(on(CH.light101)).toBe(true);
  });

  it('Wednesday is an exam day: school schedules and the exam-day schedule run', async () => {
    await clock.advanceTo(cst('2026-09-30 07:01'));
    expect(on(CH.lightOffice)).toBe(true);
    const exam = svc.circuits.log.list({ limit: 50 }).filter((e) => e.actor.id === 'exam-office');
    expect(exam).toHaveLength(1);
    expect(exam[0]!.at).toBe(cst('2026-09-30 06:00'));
  });

  it('Thursday to Saturday are holidays: no school schedule runs, the nightly shut-off still does', async () => {
    await clock.advanceTo(cst('2026-09-30 23:59'));
    const before = svc.circuits.log.list({ limit: 1 })[0]!.id;
    await clock.advanceTo(cst('2026-10-03 23:59'));
    const holiday = svc.circuits.log.list({ limit: 500 }).filter((e) => e.id > before);
    expect(new Set(holiday.map((e) => e.actor.id))).toEqual(new Set(['late-off']));
    expect(new Set(holiday.map((e) => svcDate(e.at)))).toEqual(new Set(['2026-10-01', '2026-10-02', '2026-10-03']));
    expect(clock.errors).toEqual([]);
  });

  it('a wall clock set forward a week later does not replay the firings it jumped over', async () => {
    const before = svc.circuits.log.list({ limit: 1 })[0]!.id;
    // Nothing ran since Saturday night; now the clock is suddenly the next Saturday noon.
    await clock.jumpTo(cst('2026-10-10 12:00'));
    const replayed = svc.circuits.log.list({ limit: 500 }).filter((e) => e.id > before);
    expect(replayed).toEqual([]);
    // And the next firings are the real next ones, not ones in the past.
    expect(svc.runner.nextRun('late-off')).toBe(cst('2026-10-10 21:40'));
    expect(svc.runner.nextRun('morning-on')).toBe(cst('2026-10-12 07:00'));
  });

  it('audited every switch: who or which schedule, and why', () => {
    const audit = edge.store.audit.list(500).filter((a) => a.action.startsWith('energy.circuit'));
    const actors = new Set(audit.map((a) => a.actor));
    expect(actors).toEqual(new Set(['schedule:morning-on', 'schedule:evening-off', 'schedule:late-off', 'schedule:exam-office', 'teacher-wang', 'teacher-li', 'janitor', 'override_expiry:evening-off', 'override_expiry:morning-on']));
    const skip = audit.find((a) => a.action === 'energy.circuit.skip' && a.target === 'c101-light' && a.detail.skipped === 'booked');
    expect(skip?.detail).toMatchObject({ on: false, why: '上学日18:30关教室灯和空调' });
    const events = edge.store.events.list({ typePrefix: 'energy.schedule.ran', limit: 100 });
    expect(events.length).toBeGreaterThan(10);
    expect(events.every((e) => e.severity === 'info')).toBe(true);
  });
});

function svcDate(at: number): string {
  return svc.zone.parts(at).date;
}
