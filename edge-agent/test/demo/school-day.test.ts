import { describe, expect, it } from 'vitest';
import type { DaySchedule } from '../../src/access/calendar.js';
import { SchoolTime, parseTimeOfDay, weekdayOf } from '../../src/school/time.js';
import { FOREIGN_CARD, SchoolDayPlayer, planSchoolDay, type DemoClock, type DemoDayFacts, type DemoPerson, type DemoScan } from '../../src/demo/school-day.js';

const time = new SchoolTime('Asia/Shanghai');
const SCHEDULE: DaySchedule = {
  entryStart: parseTimeOfDay('07:00'),
  lateAfter: parseTimeOfDay('07:40'),
  dismissalStart: parseTimeOfDay('16:30'),
  dismissalEnd: parseTimeOfDay('18:00'),
  lunch: [{ start: parseTimeOfDay('11:50'), end: parseTimeOfDay('13:00'), mayLeave: 'day_students' }],
  source: { gradeId: 1, weekday: null, entryStart: '07:00', lateAfter: '07:40', dismissalStart: '16:30', dismissalEnd: '18:00', lunch: [] },
};
const student = (id: string, boarder = false, cardVersion = 1, minCardVersion = 1): DemoPerson => ({ id, kind: 'student', boarder, gradeId: 1, cardVersion, minCardVersion });
const PEOPLE: DemoPerson[] = [
  student('2026010101'),
  student('2026010102', true),
  student('2026010103'),
  student('2026010104', true, 2, 2),
  student('2026010105'),
  student('2026010201'),
  student('2026010202', true),
  student('2026010203'),
  { id: 'T0001', kind: 'teacher', boarder: false, gradeId: null, cardVersion: 1, minCardVersion: 1 },
  { id: 'S0001', kind: 'staff', boarder: false, gradeId: null, cardVersion: 1, minCardVersion: 1 },
];

/** Facts of a date on a plain week (Mon–Fri school, weekends free), or a holiday. */
function facts(date: string, holidays: string[] = []): DemoDayFacts {
  const school = (d: string) => weekdayOf(d) <= 5 && !holidays.includes(d);
  const shift = (d: string, n: number) => new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
  return {
    date,
    schoolDay: school(date),
    breakFollows: !school(shift(date, 1)),
    afterBreak: !school(shift(date, -1)),
    people: PEOPLE,
    schedule: () => (school(date) ? SCHEDULE : null),
    instant: (minute) => time.instant(date, minute),
  };
}

const local = (s: DemoScan) => time.local(s.at);
const hhmm = (s: DemoScan) => local(s).minute;
const scansOf = (plan: DemoScan[], id: string) => plan.filter((s) => s.personId === id);

describe('the demo school day (plan)', () => {
  it('a Wednesday: arrival rush 06:50–07:52, quiet lessons, lunch, dismissal, boarders in the dormitory, a quiet night', () => {
    const plan = planSchoolDay(facts('2026-12-09'));
    expect(plan.length).toBeGreaterThan(30);
    expect(plan.every((s, i) => i === 0 || plan[i - 1]!.at < s.at)).toBe(true);
    expect(plan.every((s) => local(s).date === '2026-12-09')).toBe(true);
    // Nothing at any reader between 22:00 and 06:00.
    expect(plan.filter((s) => hhmm(s) >= 22 * 60 || hhmm(s) < 6 * 60)).toEqual([]);
    // Day students come in through the east gate between 06:50 and 07:52, exactly one of them late.
    const day = PEOPLE.filter((p) => p.kind === 'student' && !p.boarder);
    for (const p of day) {
      const arrival = scansOf(plan, p.id).find((s) => s.reader === 'east-in')!;
      expect(hhmm(arrival)).toBeGreaterThanOrEqual(6 * 60 + 50);
      expect(hhmm(arrival)).toBeLessThan(7 * 60 + 53);
      const last = scansOf(plan, p.id).at(-1)!;
      expect(last).toMatchObject({ reader: 'east-out', why: 'home' });
      expect(hhmm(last)).toBeGreaterThanOrEqual(16 * 60 + 30);
    }
    expect(plan.filter((s) => s.why === 'late')).toHaveLength(1);
    expect(plan.filter((s) => s.why === 'repeat')).toHaveLength(1);
    // Lessons are quiet for students: no student scan between 08:00 and 11:50.
    expect(plan.filter((s) => s.personId?.startsWith('2026') && hhmm(s) >= 8 * 60 && hhmm(s) < 11 * 60 + 50)).toEqual([]);
    // Lunch: only day students leave the campus, and they come back before 13:00.
    const lunchOut = plan.filter((s) => s.why === 'lunch-out');
    for (const s of lunchOut) {
      expect(day.map((p) => p.id)).toContain(s.personId);
      const back = plan.find((x) => x.personId === s.personId && x.why === 'lunch-back')!;
      expect(hhmm(back)).toBeLessThan(13 * 60);
    }
    // Boarders never use the campus gate mid-week: dormitory out in the morning, in for the night before curfew.
    for (const p of PEOPLE.filter((x) => x.boarder)) {
      const mine = scansOf(plan, p.id).filter((s) => s.why !== 'lost-card');
      expect(mine.every((s) => s.reader.startsWith('dorm'))).toBe(true);
      expect(mine[0]).toMatchObject({ reader: 'dorm-out', why: 'morning' });
      expect(mine.at(-1)).toMatchObject({ reader: 'dorm-in', why: 'night' });
      expect(hhmm(mine.at(-1)!)).toBeLessThan(22 * 60 + 30);
    }
    // 刘洋 tries his lost card (version 1) first, then carries on with version 2.
    const lost = scansOf(plan, '2026010104');
    expect(lost[0]).toMatchObject({ why: 'lost-card', cardVersion: 1 });
    expect(lost.slice(1).every((s) => s.cardVersion === 2)).toBe(true);
    expect(plan.filter((s) => s.personId === FOREIGN_CARD || s.kind === 'noise')).toHaveLength(2);
    expect(plan.filter((s) => s.kind === 'visitor').map((s) => s.why)).toEqual(['visitor-in', 'visitor-out', 'visitor-again']);
  });

  it('a Friday sends boarders home through the gate after dismissal; a Monday brings them in through it', () => {
    const friday = planSchoolDay(facts('2026-12-11'));
    const monday = planSchoolDay(facts('2026-12-14'));
    for (const p of PEOPLE.filter((x) => x.boarder)) {
      expect(scansOf(friday, p.id).at(-1)).toMatchObject({ reader: 'east-out', why: 'home' });
      expect(scansOf(friday, p.id).some((s) => s.why === 'night')).toBe(false);
      expect(scansOf(monday, p.id).find((s) => s.why !== 'lost-card')).toMatchObject({ reader: 'east-in' });
    }
  });

  it('a weekend and a holiday are quiet; the same date always plays the same day, another date differs', () => {
    expect(planSchoolDay(facts('2026-12-12'))).toEqual([]);
    expect(planSchoolDay(facts('2026-12-13'))).toEqual([]);
    expect(planSchoolDay(facts('2027-01-01', ['2027-01-01']))).toEqual([]);
    expect(planSchoolDay(facts('2026-12-09'))).toEqual(planSchoolDay(facts('2026-12-09')));
    expect(planSchoolDay(facts('2026-12-10')).map((s) => hhmm(s))).not.toEqual(planSchoolDay(facts('2026-12-09')).map((s) => hhmm(s)));
  });
});

/** A clock a test moves by hand: sleepers wake when it reaches their time. */
class HandClock implements DemoClock {
  #sleepers: Array<{ at: number; wake: () => void }> = [];
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
  sleepUntil(at: number, signal: AbortSignal): Promise<void> {
    if (this.t >= at || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.#sleepers.push({ at, wake: resolve });
      signal.addEventListener('abort', () => resolve());
    });
  }
  async advanceTo(t: number): Promise<void> {
    this.t = t;
    for (const s of this.#sleepers.filter((x) => x.at <= t)) s.wake();
    this.#sleepers = this.#sleepers.filter((x) => x.at > t);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  }
}

describe('the demo school day (player)', () => {
  it('plays what is due from the start on, in order, across days; nothing due before the start is replayed', async () => {
    const clock = new HandClock(time.instant('2026-12-09', 12 * 60));
    const played: DemoScan[] = [];
    const player = new SchoolDayPlayer({
      clock,
      dateOf: (at) => time.local(at).date,
      plan: (date) => planSchoolDay(facts(date)),
      perform: async (s) => void played.push(s),
      onError: (err) => {
        throw err;
      },
    });
    player.start();
    const wed = planSchoolDay(facts('2026-12-09'));
    const thu = planSchoolDay(facts('2026-12-10'));
    // Step through the rest of Wednesday and all of Thursday an hour at a time.
    for (let t = clock.t; t <= time.instant('2026-12-11', 0); t += 3600_000) await clock.advanceTo(t);
    await player.stop();
    const expected = [...wed.filter((s) => s.at > time.instant('2026-12-09', 12 * 60)), ...thu];
    expect(played.map((s) => `${s.at}|${s.reader}|${s.personId ?? s.kind}`)).toEqual(expected.map((s) => `${s.at}|${s.reader}|${s.personId ?? s.kind}`));
    expect(player.played).toBe(expected.length);
  });

  it('sleeps through a weekend and stops at once when asked', async () => {
    const clock = new HandClock(time.instant('2026-12-12', 9 * 60));
    const played: DemoScan[] = [];
    const player = new SchoolDayPlayer({ clock, dateOf: (at) => time.local(at).date, plan: (d) => planSchoolDay(facts(d)), perform: async (s) => void played.push(s), onError: () => undefined });
    player.start();
    expect(player.next(clock.t)!.at).toBeGreaterThan(time.instant('2026-12-14', 6 * 60));
    await clock.advanceTo(time.instant('2026-12-13', 23 * 60 + 59));
    expect(played).toEqual([]);
    await player.stop();
  });
});
