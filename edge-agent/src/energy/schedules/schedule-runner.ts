import type { NewEvent } from '@campus/protocol';
import { ENERGY_EVENTS, ENERGY_REASONS } from '@campus/protocol/energy/edge-events';
import type { RoomBookings } from '../calendar/bookings.js';
import type { SchoolCalendar } from '../../school/calendar.js';
import type { CircuitService, SwitchResult } from '../circuits/circuit-service.js';
import type { Schedule } from '../config.js';
import type { TimerClock } from '../time/timers.js';
import type { SchoolTime } from '../../school/time.js';
import type { Topology } from '../topology.js';
import { nextFiring, parseCron, type CronFields } from './cron.js';
import type { ScheduleRepo } from './schedule-repo.js';

export interface ScheduleRun {
  schedule: string;
  at: number;
  /** The day did not match the schedule's day filter (holiday, weekend ...): nothing was touched. */
  dayMatched: boolean;
  switched: SwitchResult[];
  skipped: Array<{ circuit: string; why: 'override' | 'booked' }>;
}

/** A firing noticed later than this (the clock jumped) is skipped, not run. */
const MISSED_AFTER_MS = 10 * 60_000;

interface Armed {
  schedule: Schedule;
  fields: CronFields;
  next: number | null;
  cancel: (() => void) | null;
}

/**
 * Runs the schedules on a TimerClock: each enabled schedule is armed for its
 * next firing; when it fires, the school calendar decides whether the day
 * counts (school day, holiday, make-up workday, exam day), the target picks
 * circuits, booked rooms and manual holds are skipped (and logged as such), and
 * the rest are switched with the schedule as the actor.
 */
export class ScheduleRunner {
  private readonly armed = new Map<string, Armed>();
  private readonly listeners = new Set<(run: ScheduleRun) => void>();
  private running = false;

  constructor(
    private readonly deps: {
      repo: ScheduleRepo;
      calendar: SchoolCalendar;
      bookings: RoomBookings;
      circuits: CircuitService;
      topology: Topology;
      timers: TimerClock;
      zone: SchoolTime;
      appendEvent: (e: NewEvent) => void;
      log: { warn(obj: object, msg: string): void };
    },
  ) {}

  start(): void {
    this.running = true;
    this.reload();
  }

  stop(): void {
    this.running = false;
    for (const a of this.armed.values()) a.cancel?.();
    this.armed.clear();
  }

  onRun(l: (run: ScheduleRun) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Re-arms every schedule from the repository (after an edit). */
  reload(): void {
    for (const a of this.armed.values()) a.cancel?.();
    this.armed.clear();
    if (!this.running) return;
    for (const s of this.deps.repo.list()) {
      if (!s.enabled) continue;
      try {
        const a: Armed = { schedule: s, fields: parseCron(s.cron), next: null, cancel: null };
        this.armed.set(s.id, a);
        this.arm(a, this.deps.timers.now());
      } catch (err) {
        this.deps.log.warn({ schedule: s.id, err }, 'schedule not armed');
      }
    }
  }

  /** The next firing on a day the schedule acts on (the calendar decides at firing time; this is for display). */
  nextRun(id: string): number | null {
    const a = this.armed.get(id);
    let at = a?.next ?? null;
    for (let i = 0; a && at !== null && i < 1000; i++) {
      if (this.deps.calendar.matches(a.schedule.days, this.deps.zone.parts(at).date)) return at;
      at = nextFiring(a.fields, this.deps.zone, at);
    }
    return null;
  }

  private arm(a: Armed, after: number): void {
    a.next = nextFiring(a.fields, this.deps.zone, after);
    if (a.next === null) return;
    const at = a.next;
    a.cancel = this.deps.timers.at(at, async () => {
      a.cancel = null;
      const late = this.deps.timers.now() - at;
      try {
        // A wall clock set forward (a box that booted at 1970 and then found NTP) must
        // not replay every firing it jumped over: only a recent one still runs.
        if (late <= MISSED_AFTER_MS) await this.fire(a.schedule, at);
        else this.deps.log.warn({ schedule: a.schedule.id, at, lateMs: late }, 'schedule firing missed (clock jumped); not run');
      } finally {
        if (this.running && this.armed.get(a.schedule.id) === a) this.arm(a, Math.max(at, this.deps.timers.now()));
      }
    });
  }

  /** Runs one schedule as if it fired at `at` (also used by "run now"). */
  async fire(s: Schedule, at: number): Promise<ScheduleRun> {
    const date = this.deps.zone.parts(at).date;
    const run: ScheduleRun = { schedule: s.id, at, dayMatched: this.deps.calendar.matches(s.days, date), switched: [], skipped: [] };
    if (run.dayMatched) {
      const on = s.action === 'on';
      const req = { on, actor: { kind: 'schedule' as const, id: s.id }, why: s.name };
      const toSwitch: string[] = [];
      for (const c of this.deps.topology.circuitsOf(s.target)) {
        if (s.exceptBooked && c.room && this.deps.bookings.bookingAt(c.room, at)) {
          run.skipped.push({ circuit: c.id, why: 'booked' });
          this.deps.circuits.recordSkip(c.id, req, 'booked');
        } else if (this.deps.circuits.override(c.id)) {
          run.skipped.push({ circuit: c.id, why: 'override' });
          this.deps.circuits.recordSkip(c.id, req, 'override');
        } else {
          toSwitch.push(c.id);
        }
      }
      run.switched = await this.deps.circuits.switchMany(toSwitch, req);
      const failed = run.switched.filter((r) => r.outcome !== 'confirmed').length;
      this.deps.appendEvent({
        type: ENERGY_EVENTS.scheduleRan,
        reason: ENERGY_REASONS.scheduleRan,
        severity: failed > 0 ? 'warning' : 'info',
        source: 'energy.schedules',
        subject: s.id,
        data: { schedule: s.id, scheduleName: s.name, action: s.action, switched: run.switched.length - failed, skipped: run.skipped.length, failed, date },
      });
    }
    for (const l of this.listeners) l(run);
    return run;
  }
}
