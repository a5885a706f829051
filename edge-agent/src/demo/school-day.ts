import type { DemoReaderId } from '../access/demo-school.js';
import { carriesDemoCard } from '../access/demo-school.js';
import type { AccessService } from '../access/service.js';
import type { DaySchedule } from '../access/calendar.js';
import { isStudentOnly } from '../access/model.js';
import { addDays } from '../school/time.js';

/*
 * The demo school's day, on the school's own clock (its time zone, its calendar): the
 * morning arrival rush, quiet lessons, day students out and back at lunch when the
 * timetable lets them, dismissal, the boarders' evening in the dormitory, a quiet night;
 * nothing at all on a weekend or holiday. The plan is a pure function of the school's
 * facts and the date (a seeded shuffle, so each day differs a little and a test can
 * recompute it); the driver plays it on an injectable clock.
 */

/** One thing that happens at a reader. */
export interface DemoScan {
  /** Epoch ms. */
  at: number;
  reader: DemoReaderId;
  /** A campus card (personId, version), the day's visitor pass, or line noise from a bad cable. */
  kind: 'card' | 'visitor' | 'noise';
  personId?: string;
  cardVersion?: number;
  /** What the scan is in the story (for logs and tests): arrive, late, repeat, lost-card, lunch-out ... */
  why: string;
}

export interface DemoPerson {
  id: string;
  kind: 'student' | 'teacher' | 'staff';
  boarder: boolean;
  gradeId: number | null;
  cardVersion: number;
  minCardVersion: number;
}

/** What the plan needs to know about the school on one date. */
export interface DemoDayFacts {
  date: string;
  schoolDay: boolean;
  /** The next day has no school: boarders go home after dismissal. */
  breakFollows: boolean;
  /** The day before had no school: boarders come from home this morning. */
  afterBreak: boolean;
  people: DemoPerson[];
  schedule(gradeId: number | null): DaySchedule | null;
  /** Epoch ms of a school-local minute of `date`. */
  instant(minute: number): number;
}

/** The demo school's facts on `date`, from the edge's calendar and roster. */
export function demoDayFacts(s: AccessService, date: string): DemoDayFacts {
  const people: DemoPerson[] = [];
  for (const p of s.people.all()) {
    if (!carriesDemoCard(p) || p.cardVersion < 1) continue;
    const kind = isStudentOnly(p) ? 'student' : p.roles.includes('teacher') ? 'teacher' : 'staff';
    people.push({ id: p.id, kind, boarder: kind === 'student' && p.boarder, gradeId: s.people.gradeOf(p), cardVersion: p.cardVersion, minCardVersion: p.minCardVersion });
  }
  people.sort((a, b) => a.id.localeCompare(b.id));
  return {
    date,
    schoolDay: s.calendar.isSchoolDay(date),
    breakFollows: s.calendar.schoolBreakFollows(date),
    afterBreak: !s.calendar.isSchoolDay(addDays(date, -1)),
    people,
    schedule: (gradeId) => s.calendar.schedule(gradeId, date),
    instant: (minute) => s.time.instant(date, minute),
  };
}

/** A small seeded generator (mulberry32), so a date always gives the same day. */
function seeded(text: string): () => number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An id no card of the demo school carries: a card from another school. */
export const FOREIGN_CARD = '2099000001';

/** The day's scans in time order; empty on a day without school. */
export function planSchoolDay(f: DemoDayFacts): DemoScan[] {
  if (!f.schoolDay) return [];
  const rand = seeded(f.date);
  const between = (from: number, to: number) => from + Math.floor(rand() * (to - from + 1));
  const pick = <T>(list: readonly T[], n: number): T[] => {
    const copy = [...list];
    const out: T[] = [];
    while (out.length < n && copy.length) out.push(copy.splice(Math.floor(rand() * copy.length), 1)[0]!);
    return out;
  };
  const scans: DemoScan[] = [];
  const at = (minute: number, second = 0) => f.instant(minute) + second * 1000;
  const card = (time: number, reader: DemoReaderId, p: DemoPerson, why: string, version = p.cardVersion) =>
    scans.push({ at: time, reader, kind: 'card', personId: p.id, cardVersion: version, why });

  const students = f.people.filter((p) => p.kind === 'student' && f.schedule(p.gradeId));
  const dayStudents = students.filter((p) => !p.boarder);
  const late = new Set(pick(dayStudents, 1).map((p) => p.id));
  const repeat = new Set(pick(dayStudents.filter((p) => !late.has(p.id)), 1).map((p) => p.id));
  const lostCard = f.people.find((p) => p.minCardVersion > 1 && p.cardVersion >= p.minCardVersion);
  let lostCardShown = false;
  /** The first scan of someone carrying a replacement: the lost card is tried first (and refused). */
  const first = (time: number, reader: DemoReaderId, p: DemoPerson, why: string) => {
    if (p === lostCard && !lostCardShown) {
      lostCardShown = true;
      card(time - 20_000, reader, p, 'lost-card', p.minCardVersion - 1);
    }
    card(time, reader, p, why);
  };

  // Staff open up, teachers come before the bell.
  for (const p of f.people.filter((x) => x.kind === 'staff')) {
    first(at(between(6 * 60 + 15, 6 * 60 + 30), between(0, 59)), 'east-in', p, 'arrive');
    card(at(between(17 * 60 + 40, 18 * 60), between(0, 59)), 'east-out', p, 'leave');
  }
  for (const p of f.people.filter((x) => x.kind === 'teacher')) {
    first(at(between(6 * 60 + 55, 7 * 60 + 20), between(0, 59)), 'east-in', p, 'arrive');
    card(at(between(17 * 60 + 5, 17 * 60 + 40), between(0, 59)), 'east-out', p, 'leave');
  }

  for (const p of students) {
    const s = f.schedule(p.gradeId)!;
    const morning = p.boarder && !f.afterBreak;
    // Arrival: 10 min before entry opens until a few minutes before the late bell; a late one after it.
    const arrive = late.has(p.id) ? at(between(s.lateAfter + 2, s.lateAfter + 12), between(0, 59)) : at(between(s.entryStart - 10, s.lateAfter - 4), between(0, 59));
    if (morning) first(at(between(6 * 60 + 25, 6 * 60 + 45), between(0, 59)), 'dorm-out', p, 'morning');
    else {
      first(arrive, 'east-in', p, late.has(p.id) ? 'late' : 'arrive');
      // Unsure the gate read the card, the student scans once more: the gate lets them through with a passback warning.
      if (repeat.has(p.id)) card(arrive + 15_000, 'east-in', p, 'repeat');
    }
    const lunch = s.lunch.find((l) => l.mayLeave === 'all_students' || (l.mayLeave === 'day_students' && !p.boarder));
    if (p.boarder) {
      const l = s.lunch[0];
      if (l) {
        card(at(between(l.start + 8, l.start + 20), between(0, 59)), 'dorm-in', p, 'nap');
        card(at(between(l.end - 20, l.end - 8), between(0, 59)), 'dorm-out', p, 'afternoon');
      }
      if (f.breakFollows) {
        // Home for the weekend: bags from the dormitory, out through the gate.
        card(at(between(s.dismissalStart + 5, s.dismissalStart + 15), between(0, 59)), 'dorm-in', p, 'bags');
        card(at(between(s.dismissalStart + 25, s.dismissalStart + 35), between(0, 59)), 'dorm-out', p, 'bags');
        card(at(between(s.dismissalStart + 45, s.dismissalStart + 75), between(0, 59)), 'east-out', p, 'home');
      } else {
        card(at(between(17 * 60 + 30, 17 * 60 + 50), between(0, 59)), 'dorm-in', p, 'evening');
        card(at(between(18 * 60 + 35, 18 * 60 + 50), between(0, 59)), 'dorm-out', p, 'evening-study');
        card(at(between(21 * 60 + 5, 21 * 60 + 35), between(0, 59)), 'dorm-in', p, 'night');
      }
    } else {
      if (lunch && dayStudents.indexOf(p) % 3 === Math.floor(rand() * 3)) {
        card(at(between(lunch.start + 3, lunch.start + 15), between(0, 59)), 'east-out', p, 'lunch-out');
        card(at(between(lunch.end - 25, lunch.end - 8), between(0, 59)), 'east-in', p, 'lunch-back');
      }
      card(at(between(s.dismissalStart + 2, s.dismissalStart + 45), between(0, 59)), 'east-out', p, 'home');
    }
  }

  // The gate's odd moments in the rush: a card from another school, a reader with a bad cable.
  const rush = students.length ? f.schedule(students[0]!.gradeId)! : null;
  if (rush) {
    scans.push({ at: at(between(rush.entryStart + 5, rush.lateAfter - 10), between(0, 59)), reader: 'east-in', kind: 'card', personId: FOREIGN_CARD, cardVersion: 1, why: 'foreign-card' });
    scans.push({ at: at(between(rush.entryStart + 5, rush.lateAfter - 10), between(0, 59)), reader: 'east-out', kind: 'noise', why: 'noise' });
  }
  // A visitor during lessons, on a one-use pass issued at the gate; trying it again later is refused.
  const visitIn = at(between(9 * 60 + 20, 9 * 60 + 40), between(0, 59));
  const visitOut = at(between(10 * 60 + 30, 10 * 60 + 50), between(0, 59));
  scans.push({ at: visitIn, reader: 'east-in', kind: 'visitor', why: 'visitor-in' });
  scans.push({ at: visitOut, reader: 'east-out', kind: 'visitor', why: 'visitor-out' });
  scans.push({ at: visitOut + 90_000, reader: 'east-in', kind: 'visitor', why: 'visitor-again' });
  scans.sort((a, b) => a.at - b.at);
  // Strictly increasing times: the player resumes after the last time it played.
  for (let i = 1; i < scans.length; i++) if (scans[i]!.at <= scans[i - 1]!.at) scans[i]!.at = scans[i - 1]!.at + 1;
  return scans;
}

/** The clock the demo plays its day on: the edge's own, or a faster one in a test. */
export interface DemoClock {
  now(): number;
  /** Resolves once now() has reached `at` (or when `signal` aborts). */
  sleepUntil(at: number, signal: AbortSignal): Promise<void>;
}

/** Real time through `now` (the edge clock): checks every second at most, so a corrected (or faster) clock is followed. */
export function realDemoClock(now: () => number): DemoClock {
  return {
    now,
    sleepUntil: (at, signal) =>
      new Promise<void>((resolve) => {
        const tick = () => {
          if (signal.aborted || now() >= at) return done();
          timer = setTimeout(tick, Math.min(1000, Math.max(1, at - now())));
        };
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        let timer: NodeJS.Timeout | undefined;
        signal.addEventListener('abort', done);
        tick();
      }),
  };
}

export interface SchoolDayDeps {
  clock: DemoClock;
  /** The school-local date of an instant. */
  dateOf(at: number): string;
  plan(date: string): DemoScan[];
  perform(scan: DemoScan): Promise<void>;
  onError(err: unknown, scan: DemoScan): void;
}

/**
 * Plays the plan: from now on (what was due before the start is not replayed, so a
 * restart does not make the morning happen twice), day after day, until stopped.
 */
export class SchoolDayPlayer {
  readonly #abort = new AbortController();
  #running: Promise<void> | null = null;
  /** Scans done, for tests and the log. */
  played = 0;

  constructor(private readonly d: SchoolDayDeps) {}

  start(): void {
    this.#running ??= this.#loop();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#running;
  }

  /** The next planned scan after `after`, looking a week ahead at most. */
  next(after: number): DemoScan | null {
    let date = this.d.dateOf(after);
    for (let i = 0; i < 8; i++, date = addDays(date, 1)) {
      const scan = this.d.plan(date).find((s) => s.at > after);
      if (scan) return scan;
    }
    return null;
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    let after = this.d.clock.now();
    while (!signal.aborted) {
      const scan = this.next(after);
      if (!scan) {
        // Nothing planned for a week (a long holiday): look again in a day.
        await this.d.clock.sleepUntil(after + 86_400_000, signal);
        after = this.d.clock.now();
        continue;
      }
      await this.d.clock.sleepUntil(scan.at, signal);
      if (signal.aborted) return;
      after = scan.at;
      try {
        await this.d.perform(scan);
        this.played++;
      } catch (err) {
        this.d.onError(err, scan);
      }
    }
  }
}
