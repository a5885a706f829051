import type { Timetable } from '@campus/protocol/access/index';
import { RECORD_SCHEMAS } from '@campus/protocol/sync/records';
import type { ChangeRecord } from '@campus/protocol/sync/changes';
import type { AccessService } from '../service.js';
import type { Logger } from '../../core/log.js';
import type { CloudRecordReader } from '../../modules/domain.js';
import { ProjectionProblem, type Outcome } from './outcome.js';
import { PeopleProjection } from './people.js';
import { SchoolProjection } from './school.js';
import { PROJECTED_KINDS } from './kinds.js';

/**
 * People before what refers to them. usb_policy is not projected: the endpoints domain has
 * no entry point for a policy it did not author. Timetables are applied as a whole after
 * the rest (their grades come with the people).
 */
const ORDER: Record<string, number> = { person: 0, guardianship: 1, card: 2, leave: 3, visitor_pass: 4, calendar: 5 };
export { PROJECTED_KINDS };

export interface ProjectionStats {
  created: number;
  applied: number;
  unchanged: number;
  /** Refers to a person this edge does not have yet; retried when people arrive. */
  waiting: number;
  invalid: number;
}

type Change = Pick<ChangeRecord, 'kind' | 'key' | 'op' | 'data'>;

/**
 * Cloud-owned records → the access domain's state, so the gate decides on them. Runs
 * on every applied feed page (the bus `cloud.changes` event) and, at start, over all of
 * `cloud_records`, so a restart or an earlier failure converges; every step is an
 * idempotent upsert. A record the edge cannot use is logged and counted and never
 * stops the rest of its page.
 */
export class CloudProjections {
  readonly stats: ProjectionStats = { created: 0, applied: 0, unchanged: 0, waiting: 0, invalid: 0 };
  readonly #people: PeopleProjection;
  readonly #school: SchoolProjection;
  readonly #waiting = new Map<string, { kind: string; key: string }>();
  /** A cloud timetable names a grade this edge has no class of yet: tried again when people arrive. */
  #timetablesWaiting = false;

  constructor(
    private readonly access: AccessService,
    private readonly records: CloudRecordReader,
    private readonly log: Logger,
    private readonly onInvalid: (kind: string) => void = () => undefined,
  ) {
    this.#people = new PeopleProjection(access);
    this.#school = new SchoolProjection(access, this.#people);
  }

  /** Every stored cloud record once, in dependency order; then links the cloud no longer has are dropped. */
  replay(): ProjectionStats {
    const before = { ...this.stats };
    const changes: Change[] = [];
    for (const kind of PROJECTED_KINDS) for (const r of this.records.all(kind)) changes.push({ kind, key: r.key, op: 'upsert', data: r.data });
    this.apply(changes);
    const pruned = this.#people.pruneLinks();
    const delta = Object.fromEntries(Object.entries(this.stats).map(([k, v]) => [k, v - before[k as keyof ProjectionStats]])) as unknown as ProjectionStats;
    this.log.info({ records: changes.length, ...delta, waiting: this.#waiting.size, prunedLinks: pruned }, 'cloud records projected');
    return delta;
  }

  apply(changes: readonly Change[]): void {
    const sorted = changes.filter((c) => c.kind in ORDER).sort((a, b) => ORDER[a.kind]! - ORDER[b.kind]!);
    let newPeople = false;
    for (const c of sorted) newPeople = this.#one(c) === 'created' && c.kind === 'person' ? true : newPeople;
    if (newPeople && this.#waiting.size) this.#retryWaiting();
    const timetables = changes.filter((c) => c.kind === 'timetable').map((c) => c.key);
    if (timetables.length || (newPeople && this.#timetablesWaiting)) this.#timetables(new Set(timetables));
  }

  /**
   * Every stored timetable record → the calendar's cloud timetables, at once (so a deleted
   * record's slot goes back to the edge's own). A record for a grade the edge has no class
   * of yet waits; a second record for one grade and weekday loses to the first by key.
   * `changed`: keys of this page, the only ones counted (a rebuild sees every record).
   */
  #timetables(changed: ReadonlySet<string>): void {
    const list: Timetable[] = [];
    const slots = new Map<string, string>();
    let waiting = 0;
    const count = (key: string, out: keyof ProjectionStats) => {
      if (changed.has(key)) this.stats[out]++;
    };
    for (const r of [...this.records.all('timetable')].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
      const parsed = RECORD_SCHEMAS.timetable.safeParse(r.data);
      const problem = (why: string) => {
        count(r.key, 'invalid');
        if (changed.has(r.key)) {
          this.onInvalid('timetable');
          this.log.warn({ kind: 'timetable', key: r.key, why }, 'cloud record not projected');
        }
      };
      if (!parsed.success) {
        problem(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        continue;
      }
      const t = parsed.data;
      const grade = this.access.people.gradeByName(t.grade);
      if (!grade) {
        waiting++;
        count(r.key, 'waiting');
        continue;
      }
      const slot = `${grade.id}|${t.weekday ?? 0}`;
      const first = slots.get(slot);
      if (first) {
        problem(`grade ${t.grade} weekday ${t.weekday ?? '-'} is already set by timetable ${first}`);
        continue;
      }
      slots.set(slot, r.key);
      list.push({ gradeId: grade.id, weekday: t.weekday ?? null, entryStart: t.entryStart, lateAfter: t.lateAfter, dismissalStart: t.dismissalStart, dismissalEnd: t.dismissalEnd, lunch: [] });
      count(r.key, 'applied');
    }
    this.#timetablesWaiting = waiting > 0;
    this.access.calendar.setCloudTimetables(list);
  }

  get waiting(): number {
    return this.#waiting.size;
  }

  #retryWaiting(): void {
    const list = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of list) {
      const data = this.records.get(w.kind, w.key);
      if (data) this.#one({ kind: w.kind, key: w.key, op: 'upsert', data } as Change);
    }
  }

  #one(c: Change): Outcome | 'invalid' {
    const id = `${c.kind}/${c.key}`;
    try {
      const out = this.#dispatch(c);
      this.stats[out]++;
      if (out === 'waiting') this.#waiting.set(id, { kind: c.kind, key: c.key });
      else this.#waiting.delete(id);
      return out;
    } catch (err) {
      this.#waiting.delete(id);
      this.stats.invalid++;
      this.onInvalid(c.kind);
      const why = err instanceof ProjectionProblem ? err.message : (err as Error).message;
      this.log.warn({ kind: c.kind, key: c.key, why, ...(err instanceof ProjectionProblem ? {} : { err }) }, 'cloud record not projected');
      return 'invalid';
    }
  }

  #dispatch(c: Change): Outcome {
    const kind = c.kind as Exclude<(typeof PROJECTED_KINDS)[number], 'timetable'>;
    let data: unknown = null;
    if (c.op !== 'delete') {
      const parsed = RECORD_SCHEMAS[kind].safeParse(c.data);
      if (!parsed.success) throw new ProjectionProblem(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      data = parsed.data;
    }
    switch (kind) {
      case 'person':
        return this.#people.person(c.key, data as never);
      case 'guardianship':
        return this.#people.guardianship(c.key, data as never);
      case 'card':
        return this.#people.card(data as never);
      case 'leave':
        return this.#school.leave(c.key, data as never);
      case 'visitor_pass':
        return this.#school.visitorPass(c.key, data as never);
      case 'calendar':
        return this.#school.calendar(c.key, data as never);
    }
  }
}

export { edgePersonId, gradeAndClass, passNumber } from './keys.js';
