import type { NewEvent } from '@campus/protocol';
import { PRIORITIES as EVENT_PRIORITIES } from '@campus/protocol';
import { FACILITIES_EVENTS, FACILITIES_REASONS } from '@campus/protocol/facilities/events';
import type {
  CheckpointInputSchema,
  RoundInputSchema} from '@campus/protocol/facilities/api';
import {
  type Answer,
  type Checkpoint,
  type ChecklistItem,
  type Result,
} from '@campus/protocol/facilities/api';
import type { z } from 'zod';
import type { Cancel, ScopedTime } from '../core/time.js';
import type { Logger } from '../core/log.js';
import { ApiError } from '../http/errors.js';
import type { SchoolFacts } from '../modules/domain.js';
import type { StoredEvent } from '../store/index.js';
import type { Db } from '../store/open.js';
import { addDays, formatTimeOfDay, parseTimeOfDay } from '../school/time.js';
import type { FacilitiesConfig } from './config.js';
import { schoolStamp, type WorkOrders } from './orders.js';
import type { PhotoStore } from './photos.js';
import type { TagSigner } from './tags.js';

export type Round = z.infer<typeof RoundInputSchema> & { id: string; updatedAt: number };

export interface Run {
  id: number;
  roundId: string;
  roundName: string;
  kind: 'scheduled' | 'extra';
  day: string;
  opensAt: number;
  dueAt: number;
  closesAt: number;
  checkpoints: string[];
  closedAt: number | null;
  summary: RunSummary | null;
}

export interface RunSummary {
  total: number;
  done: number;
  missed: string[];
  late: string[];
  outOfOrder: string[];
  red: number;
  yellow: number;
}

interface RunRow {
  id: number;
  round_id: string;
  kind: Run['kind'];
  day: string;
  opens_at: number;
  due_at: number;
  closes_at: number;
  checkpoints: string;
  closed_at: number | null;
  summary: string | null;
}

export interface InspectionRecord {
  id: number;
  runId: number;
  checkpointId: string;
  position: number;
  at: number;
  inspector: string;
  result: Result;
  late: boolean;
  outOfOrder: boolean;
  answers: Array<Answer & { result: Result }>;
}

const RANK: Record<Result, number> = { green: 0, yellow: 1, red: 2 };
const worst = (rs: Result[]): Result => rs.reduce<Result>((a, b) => (RANK[b] > RANK[a] ? b : a), 'green');
/** Looks for a round's next window this many days ahead at most (a long holiday). */
const PLAN_DAYS = 400;

export interface InspectionDeps {
  db: Db;
  config: FacilitiesConfig;
  time: ScopedTime;
  school: SchoolFacts;
  log: Logger;
  tags: TagSigner;
  photos: PhotoStore;
  orders: WorkOrders;
  appendEvent(e: NewEvent): StoredEvent;
}

/** Result of one item's answer (reading thresholds: outside warn → yellow, outside alarm → red). */
export function judge(item: ChecklistItem, a: Answer): Result {
  if (item.kind === 'check') return a.pass ? 'green' : item.failResult;
  const v = a.value!;
  const t = item.thresholds;
  if ((t.alarmLow !== undefined && v < t.alarmLow) || (t.alarmHigh !== undefined && v > t.alarmHigh)) return 'red';
  if ((t.warnLow !== undefined && v < t.warnLow) || (t.warnHigh !== undefined && v > t.warnHigh)) return 'yellow';
  return 'green';
}

/**
 * Inspection rounds (巡检): checkpoints with signed QR tags, rounds of ordered
 * checkpoints with a daily window on the school calendar. A window opens a run; each
 * scan answers a checkpoint's checklist (red/yellow/green per item and checkpoint, live
 * as an event); at the window's end plus grace the run closes and missed, late and
 * out-of-order checkpoints raise alerts. A red item opens a work order. All timers are
 * the injected time service's.
 */
export class Inspections {
  readonly #plans = new Map<string, Cancel>();
  readonly #closers = new Map<number, Cancel>();
  #offCalendar: (() => void) | null = null;

  constructor(private readonly d: InspectionDeps) {}

  start(): void {
    const now = this.d.time.now();
    // Runs left open by a stop or a crash: close the overdue ones, re-arm the rest.
    for (const r of this.#openRuns()) {
      if (r.closesAt <= now) this.#close(r.id);
      else this.#armClose(r);
    }
    for (const round of this.rounds()) this.#plan(round);
    this.#offCalendar = this.d.school.calendar.onChange(() => {
      for (const round of this.rounds()) this.#plan(round);
    });
  }

  stop(): void {
    this.#offCalendar?.();
    for (const c of [...this.#plans.values(), ...this.#closers.values()]) c();
    this.#plans.clear();
    this.#closers.clear();
  }

  // ---- checkpoints and rounds ----

  checkpoints(): Checkpoint[] {
    return (this.d.db.prepare('SELECT id, data, updated_at FROM fac_checkpoints ORDER BY id').all() as Array<{ id: string; data: string; updated_at: number }>).map(
      (r) => ({ ...(JSON.parse(r.data) as z.infer<typeof CheckpointInputSchema>), id: r.id, updatedAt: r.updated_at }),
    );
  }

  checkpoint(id: string): Checkpoint | undefined {
    const r = this.d.db.prepare('SELECT data, updated_at FROM fac_checkpoints WHERE id = ?').get(id) as { data: string; updated_at: number } | undefined;
    return r && { ...(JSON.parse(r.data) as z.infer<typeof CheckpointInputSchema>), id, updatedAt: r.updated_at };
  }

  putCheckpoint(id: string, input: z.infer<typeof CheckpointInputSchema>): { checkpoint: Checkpoint; tag: string; created: boolean } {
    const created = !this.checkpoint(id);
    const now = this.d.time.now();
    this.d.db
      .prepare('INSERT INTO fac_checkpoints (id, data, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at')
      .run(id, JSON.stringify(input), now);
    return { checkpoint: this.checkpoint(id)!, tag: this.d.tags.sign('cp', id), created };
  }

  rounds(): Round[] {
    return (this.d.db.prepare('SELECT id, data, updated_at FROM fac_rounds ORDER BY id').all() as Array<{ id: string; data: string; updated_at: number }>).map((r) => ({
      ...(JSON.parse(r.data) as z.infer<typeof RoundInputSchema>),
      id: r.id,
      updatedAt: r.updated_at,
    }));
  }

  round(id: string): Round | undefined {
    return this.rounds().find((r) => r.id === id);
  }

  putRound(id: string, input: z.infer<typeof RoundInputSchema>): { round: Round; created: boolean } {
    for (const cp of input.checkpoints) if (!this.checkpoint(cp)) throw new ApiError(400, 'facilities.round_unknown_checkpoint', { id: cp });
    const created = !this.round(id);
    this.d.db
      .prepare('INSERT INTO fac_rounds (id, data, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at')
      .run(id, JSON.stringify(input), this.d.time.now());
    const round = this.round(id)!;
    this.#plan(round);
    return { round, created };
  }

  // ---- runs ----

  #toRun(r: RunRow): Run {
    return {
      id: r.id,
      roundId: r.round_id,
      roundName: this.round(r.round_id)?.name ?? r.round_id,
      kind: r.kind,
      day: r.day,
      opensAt: r.opens_at,
      dueAt: r.due_at,
      closesAt: r.closes_at,
      checkpoints: JSON.parse(r.checkpoints) as string[],
      closedAt: r.closed_at,
      summary: r.summary ? (JSON.parse(r.summary) as RunSummary) : null,
    };
  }

  run(id: number): Run | undefined {
    const r = this.d.db.prepare('SELECT * FROM fac_runs WHERE id = ?').get(id) as RunRow | undefined;
    return r && this.#toRun(r);
  }

  #openRuns(): Run[] {
    return (this.d.db.prepare('SELECT * FROM fac_runs WHERE closed_at IS NULL ORDER BY id').all() as RunRow[]).map((r) => this.#toRun(r));
  }

  /** Runs open now (window started, not closed). */
  openRuns(): Run[] {
    const now = this.d.time.now();
    return this.#openRuns().filter((r) => r.opensAt <= now && now < r.closesAt);
  }

  runs(limit: number): Run[] {
    return (this.d.db.prepare('SELECT * FROM fac_runs ORDER BY opens_at DESC, id DESC LIMIT ?').all(limit) as RunRow[]).map((r) => this.#toRun(r));
  }

  inspections(runId: number): InspectionRecord[] {
    const rows = this.d.db.prepare('SELECT * FROM fac_inspections WHERE run_id = ? ORDER BY id').all(runId) as Array<{
      id: number;
      run_id: number;
      checkpoint_id: string;
      position: number;
      at: number;
      inspector: string;
      result: Result;
      late: number;
      out_of_order: number;
      answers: string;
    }>;
    return rows.map((r) => ({
      id: r.id,
      runId: r.run_id,
      checkpointId: r.checkpoint_id,
      position: r.position,
      at: r.at,
      inspector: r.inspector,
      result: r.result,
      late: r.late === 1,
      outOfOrder: r.out_of_order === 1,
      answers: JSON.parse(r.answers) as InspectionRecord['answers'],
    }));
  }

  /** Plans a round's current or next scheduled window. */
  #plan(round: Round): void {
    this.#plans.get(round.id)?.();
    this.#plans.delete(round.id);
    if (round.days === 'none') return;
    const now = this.d.time.now();
    const st = this.d.school.time;
    const from = parseTimeOfDay(round.window.from);
    const until = parseTimeOfDay(round.window.until);
    let date = st.local(now).date;
    for (let i = 0; i < PLAN_DAYS; i++, date = addDays(date, 1)) {
      if (!this.d.school.calendar.matches(round.days, date)) continue;
      const opensAt = st.instant(date, from);
      const dueAt = st.instant(date, until);
      const closesAt = dueAt + this.d.config.lateGraceMinutes * 60_000;
      if (closesAt <= now) continue;
      const existing = this.d.db.prepare("SELECT * FROM fac_runs WHERE round_id = ? AND kind = 'scheduled' AND opens_at = ?").get(round.id, opensAt) as RunRow | undefined;
      if (existing?.closed_at != null) continue;
      const open = () => {
        this.#plans.delete(round.id);
        this.#openRun(round, 'scheduled', date, opensAt, dueAt, closesAt);
      };
      if (opensAt <= now) open();
      else this.#plans.set(round.id, this.d.time.at(opensAt, open));
      return;
    }
  }

  /** An extra round from now (a weather warning), `minutes` long. */
  startExtra(roundId: string, minutes: number, reason: string | undefined, by: string): Run {
    const round = this.round(roundId);
    if (!round) throw new ApiError(404, 'facilities.unknown_round', { id: roundId });
    const now = this.d.time.now();
    const dueAt = now + minutes * 60_000;
    return this.#openRun(round, 'extra', this.d.school.time.local(now).date, now, dueAt, dueAt + this.d.config.lateGraceMinutes * 60_000, { reason: reason ?? '', by });
  }

  #openRun(round: Round, kind: Run['kind'], day: string, opensAt: number, dueAt: number, closesAt: number, extra: Record<string, unknown> = {}): Run {
    const existing = this.d.db.prepare('SELECT * FROM fac_runs WHERE round_id = ? AND kind = ? AND opens_at = ?').get(round.id, kind, opensAt) as RunRow | undefined;
    let run: Run;
    if (existing) run = this.#toRun(existing);
    else {
      const info = this.d.db
        .prepare('INSERT INTO fac_runs (round_id, kind, day, opens_at, due_at, closes_at, checkpoints) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(round.id, kind, day, opensAt, dueAt, closesAt, JSON.stringify(round.checkpoints));
      run = this.run(Number(info.lastInsertRowid))!;
      const st = this.d.school.time;
      this.d.appendEvent({
        type: FACILITIES_EVENTS.roundOpened,
        reason: FACILITIES_REASONS.roundOpened,
        severity: 'info',
        priority: EVENT_PRIORITIES.normal,
        source: 'facilities.inspections',
        subject: round.id,
        data: {
          runId: run.id,
          roundId: round.id,
          roundName: round.name,
          kind,
          from: formatTimeOfDay(st.local(opensAt).minute),
          until: formatTimeOfDay(st.local(dueAt).minute),
          checkpoints: round.checkpoints,
          ...extra,
        },
      });
    }
    this.#armClose(run);
    return run;
  }

  #armClose(run: Run): void {
    this.#closers.get(run.id)?.();
    this.#closers.set(
      run.id,
      this.d.time.at(run.closesAt, () => {
        this.#closers.delete(run.id);
        this.#close(run.id);
        const round = run.kind === 'scheduled' ? this.round(run.roundId) : undefined;
        if (round) this.#plan(round);
      }),
    );
  }

  /** Closes a run: alerts for missed, late and out-of-order checkpoints, then a summary. */
  #close(runId: number): void {
    const run = this.run(runId);
    if (!run || run.closedAt !== null) return;
    const done = this.inspections(runId);
    const scanned = new Set(done.map((i) => i.checkpointId));
    const name = (id: string) => this.checkpoint(id)?.name ?? id;
    const summary: RunSummary = {
      total: run.checkpoints.length,
      done: done.length,
      missed: run.checkpoints.filter((c) => !scanned.has(c)),
      late: done.filter((i) => i.late).map((i) => i.checkpointId),
      outOfOrder: done.filter((i) => i.outOfOrder).map((i) => i.checkpointId),
      red: done.filter((i) => i.result === 'red').length,
      yellow: done.filter((i) => i.result === 'yellow').length,
    };
    this.d.db.prepare('UPDATE fac_runs SET closed_at = ?, summary = ? WHERE id = ? AND closed_at IS NULL').run(this.d.time.now(), JSON.stringify(summary), runId);
    const alert = (reason: string, checkpointId: string, extra: Record<string, unknown> = {}) =>
      this.d.appendEvent({
        type: FACILITIES_EVENTS.roundAlert,
        reason,
        severity: 'warning',
        priority: EVENT_PRIORITIES.normal,
        source: 'facilities.inspections',
        subject: checkpointId,
        data: { runId, roundId: run.roundId, roundName: run.roundName, checkpointId, checkpointName: name(checkpointId), ...extra },
      });
    for (const c of summary.missed) alert(FACILITIES_REASONS.missed, c);
    for (const c of summary.late) alert(FACILITIES_REASONS.late, c);
    for (const i of done.filter((x) => x.outOfOrder)) {
      const expected = run.checkpoints[i.position] ?? i.checkpointId;
      alert(FACILITIES_REASONS.outOfOrder, i.checkpointId, { expectedId: expected, expectedName: name(expected) });
    }
    this.d.appendEvent({
      type: FACILITIES_EVENTS.roundClosed,
      reason: FACILITIES_REASONS.roundClosed,
      severity: summary.missed.length || summary.red ? 'warning' : 'info',
      priority: EVENT_PRIORITIES.normal,
      source: 'facilities.inspections',
      subject: run.roundId,
      data: {
        runId,
        roundId: run.roundId,
        roundName: run.roundName,
        total: summary.total,
        done: summary.done,
        missed: summary.missed.length,
        late: summary.late.length,
        outOfOrder: summary.outOfOrder.length,
        summary,
      },
    });
  }

  // ---- scans ----

  /** What the phone shows after scanning a tag: the checkpoint, its checklist and the open runs it belongs to. */
  resolve(tag: string): { checkpoint: Checkpoint; runs: Array<Run & { next: string | null; scanned: string[] }> } {
    const cp = this.#checkpointOfTag(tag);
    const runs = this.openRuns()
      .filter((r) => r.checkpoints.includes(cp.id))
      .map((r) => {
        const scanned = this.inspections(r.id).map((i) => i.checkpointId);
        return { ...r, scanned, next: r.checkpoints.find((c) => !scanned.includes(c)) ?? null };
      });
    return { checkpoint: cp, runs };
  }

  #checkpointOfTag(tag: string): Checkpoint {
    const id = this.d.tags.verify(tag, 'cp');
    const cp = this.checkpoint(id);
    if (!cp) throw new ApiError(404, 'facilities.unknown_checkpoint', { id });
    return cp;
  }

  /** Records a checkpoint's answers; refuses (before storing anything) what does not fit. */
  inspect(input: { tag: string; runId?: number | undefined; answers: Answer[] }, inspector: string) {
    const cp = this.#checkpointOfTag(input.tag);
    const now = this.d.time.now();
    let run: Run;
    if (input.runId !== undefined) {
      const r = this.run(input.runId);
      if (!r || r.closedAt !== null || now < r.opensAt || now >= r.closesAt) throw new ApiError(409, 'facilities.run_not_open');
      if (!r.checkpoints.includes(cp.id)) throw new ApiError(400, 'facilities.checkpoint_not_in_round', { checkpointName: cp.name });
      run = r;
    } else {
      const open = this.openRuns().filter((r) => r.checkpoints.includes(cp.id));
      if (!open.length) throw new ApiError(409, 'facilities.no_open_round', { checkpointName: cp.name });
      if (open.length > 1) throw new ApiError(400, 'facilities.run_ambiguous', { checkpointName: cp.name }, { runs: open.map((r) => ({ id: r.id, roundName: r.roundName })) });
      run = open[0]!;
    }
    const done = this.inspections(run.id);
    const first = done.find((i) => i.checkpointId === cp.id);
    if (first) throw new ApiError(409, 'facilities.already_scanned', { checkpointName: cp.name, at: schoolStamp(this.d.school.time, first.at), by: first.inspector }, { inspection: first });
    const position = run.checkpoints.indexOf(cp.id);
    const expected = run.checkpoints.find((c) => !done.some((i) => i.checkpointId === c))!;
    const outOfOrder = expected !== cp.id;
    const round = this.round(run.roundId);
    if (outOfOrder && round?.order === 'strict') {
      throw new ApiError(409, 'facilities.out_of_order', { expectedName: this.checkpoint(expected)?.name ?? expected, checkpointName: cp.name }, { expectedId: expected });
    }

    // The answers: one per item, the right kind, photos where they are required and present.
    const byItem = new Map(input.answers.map((a) => [a.item, a]));
    const problems: string[] = [];
    if (byItem.size !== input.answers.length) problems.push('an item is answered twice');
    for (const a of input.answers) if (!cp.checklist.some((i) => i.id === a.item)) problems.push(`${a.item}: not on this checklist`);
    const answers: InspectionRecord['answers'] = [];
    for (const item of cp.checklist) {
      const a = byItem.get(item.id);
      if (!a) {
        problems.push(`${item.id}: no answer`);
        continue;
      }
      if (item.kind === 'check' && typeof a.pass !== 'boolean') problems.push(`${item.id}: pass (true/false) expected`);
      if (item.kind === 'reading' && typeof a.value !== 'number') problems.push(`${item.id}: a number (value) expected`);
      if (problems.length) continue;
      answers.push({ ...a, result: judge(item, a) });
    }
    if (problems.length) throw new ApiError(400, 'facilities.answers_mismatch', { detail: problems.join('; ') });
    for (const a of answers) {
      const item = cp.checklist.find((i) => i.id === a.item)!;
      if (!a.photo && (item.photo === 'required' || (item.photo === 'on_fail' && a.result !== 'green'))) throw new ApiError(400, 'facilities.photo_required', { item: item.label });
      if (a.photo && !this.d.photos.exists(a.photo)) throw new ApiError(400, 'facilities.unknown_photo', { id: a.photo });
    }
    const result = worst(answers.map((a) => a.result));
    const late = now > run.dueAt;

    let inspectionId = 0;
    try {
      inspectionId = Number(
        this.d.db
          .prepare('INSERT INTO fac_inspections (run_id, checkpoint_id, position, at, inspector, result, late, out_of_order, answers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(run.id, cp.id, position, now, inspector, result, late ? 1 : 0, outOfOrder ? 1 : 0, JSON.stringify(answers)).lastInsertRowid,
      );
    } catch (err) {
      // Two phones scanning the same checkpoint at once: the second is told who was first.
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        const f = this.inspections(run.id).find((i) => i.checkpointId === cp.id)!;
        throw new ApiError(409, 'facilities.already_scanned', { checkpointName: cp.name, at: schoolStamp(this.d.school.time, f.at), by: f.inspector }, { inspection: f });
      }
      throw err;
    }

    // A red item opens a work order with its photo and the checkpoint's place.
    const orders: number[] = [];
    for (const a of answers.filter((x) => x.result === 'red')) {
      const item = cp.checklist.find((i) => i.id === a.item)!;
      const ref = `inspection:${inspectionId}:${item.id}`;
      const o =
        this.d.orders.bySourceRef(ref) ??
        this.d.orders.create(
          {
            category: item.orderCategory ?? cp.category,
            building: cp.building,
            place: cp.place,
            description: `${cp.name}：${item.label}${a.value !== undefined ? ` = ${a.value}${item.kind === 'reading' ? item.unit : ''}` : ''}${a.note ? `（${a.note}）` : ''}`,
            priority: item.orderPriority,
            photos: a.photo ? [a.photo] : [],
            source: 'inspection',
            sourceRef: ref,
          },
          inspector,
        );
      orders.push(o.id);
    }

    const notGreen = answers.filter((a) => a.result !== 'green').map((a) => cp.checklist.find((i) => i.id === a.item)!.label);
    this.d.appendEvent({
      type: FACILITIES_EVENTS.checkpointInspected,
      reason: result === 'red' ? FACILITIES_REASONS.checkpointRed : result === 'yellow' ? FACILITIES_REASONS.checkpointYellow : FACILITIES_REASONS.checkpointGreen,
      severity: result === 'red' ? 'warning' : result === 'yellow' ? 'notice' : 'info',
      priority: EVENT_PRIORITIES.normal,
      source: 'facilities.inspections',
      subject: cp.id,
      data: {
        runId: run.id,
        roundId: run.roundId,
        roundName: run.roundName,
        checkpointId: cp.id,
        checkpointName: cp.name,
        building: cp.building,
        place: cp.place,
        inspector,
        result,
        items: notGreen.join('、'),
        itemResults: answers.map((a) => ({ item: a.item, result: a.result, value: a.value ?? null, pass: a.pass ?? null, photo: a.photo ?? null })),
        late,
        outOfOrder,
        orders: orders.map((id) => `WO-${id}`),
      },
    });
    return {
      inspection: this.inspections(run.id).find((i) => i.id === inspectionId)!,
      run: { id: run.id, roundId: run.roundId, roundName: run.roundName },
      result,
      late,
      outOfOrder,
      expected: outOfOrder ? expected : null,
      orders,
    };
  }
}
