import type { Curfew } from '@campus/protocol/access/index';
import type { Db } from '../store/index.js';
import { parseTimeOfDay } from '../school/time.js';

export type { DaySchedule } from '../school/calendar.js';

export interface CurfewWindow {
  kind: 'curfew' | 'closed';
  start: number;
  end: number;
  days: 'all' | 'school_days';
  source: Curfew;
}

/**
 * Dormitory curfews and closed windows: the access domain's own rules on top of the
 * one school calendar (src/school/calendar.ts), which decides school days and
 * timetables. Held in memory and replaced as a whole.
 */
export class Curfews {
  #byZone = new Map<string, CurfewWindow[]>();
  #raw: Curfew[] = [];

  constructor(private readonly db: Db) {}

  load(): void {
    this.#set(this.db.prepare('SELECT zone, kind, start, end, days FROM access_curfews ORDER BY id').all() as Curfew[]);
  }

  list(): Curfew[] {
    return [...this.#raw];
  }

  forZone(zoneId: string): readonly CurfewWindow[] {
    return this.#byZone.get(zoneId) ?? [];
  }

  replace(list: readonly Curfew[]): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM access_curfews').run();
      const ins = this.db.prepare('INSERT INTO access_curfews (zone, kind, start, end, days) VALUES (?, ?, ?, ?, ?)');
      for (const c of list) ins.run(c.zone, c.kind, c.start, c.end, c.days);
    })();
    this.load();
  }

  #set(list: Curfew[]): void {
    this.#raw = list;
    this.#byZone = new Map();
    for (const c of list) {
      const windows = this.#byZone.get(c.zone) ?? [];
      windows.push({ kind: c.kind, start: parseTimeOfDay(c.start), end: parseTimeOfDay(c.end), days: c.days, source: c });
      this.#byZone.set(c.zone, windows);
    }
  }
}
