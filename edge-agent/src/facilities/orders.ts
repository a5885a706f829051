import type { NewEvent } from '@campus/protocol';
import type { StoredEvent } from '../store/index.js';
import { PRIORITIES as EVENT_PRIORITIES } from '@campus/protocol';
import { bilingual } from '@campus/protocol/i18n';
import {
  FACILITIES_EVENTS,
  FACILITIES_REASONS,
  ORDER_ACTION_NAMES,
  ORDER_STATE_NAMES,
  PRIORITY_NAMES,
  orderReason,
} from '@campus/protocol/facilities/events';
import {
  OPEN_ORDER_STATES,
  type KpiGroup,
  type KpiRow,
  type OrderAction,
  type OrderPriority,
  type OrderState,
  type OrderStep,
  type WorkOrder,
} from '@campus/protocol/facilities/api';
import type { Cancel, ScopedTime } from '../core/time.js';
import type { Logger } from '../core/log.js';
import { ApiError } from '../http/errors.js';
import type { SchoolFacts } from '../modules/domain.js';
import { formatTimeOfDay, type SchoolTime } from '../school/time.js';
import type { Db } from '../store/open.js';
import type { User, UserRepo } from '../store/users.js';
import type { FacilitiesConfig, RotaEntry } from './config.js';

interface OrderRow {
  id: number;
  version: number;
  state: OrderState;
  priority: OrderPriority;
  category: string;
  building: string;
  place: string;
  description: string;
  photos: string;
  source: WorkOrder['source'];
  source_ref: string | null;
  fault_key: string | null;
  asset_code: string | null;
  requester: string;
  assignee: string | null;
  created_at: number;
  updated_at: number;
  respond_due: number;
  fix_due: number;
  accepted_at: number | null;
  done_at: number | null;
  confirmed_at: number | null;
  respond_breached: number;
  fix_breached: number;
  rating: number | null;
  reopen_count: number;
  parts: string;
}

function toOrder(r: OrderRow): WorkOrder {
  return {
    id: r.id,
    version: r.version,
    state: r.state,
    priority: r.priority,
    category: r.category,
    building: r.building,
    place: r.place,
    description: r.description,
    photos: JSON.parse(r.photos) as string[],
    source: r.source,
    sourceRef: r.source_ref,
    asset: r.asset_code,
    requester: r.requester,
    assignee: r.assignee,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    respondDue: r.respond_due,
    fixDue: r.fix_due,
    acceptedAt: r.accepted_at,
    doneAt: r.done_at,
    confirmedAt: r.confirmed_at,
    respondBreached: r.respond_breached === 1,
    fixBreached: r.fix_breached === 1,
    rating: r.rating,
    reopenCount: r.reopen_count,
    parts: JSON.parse(r.parts) as WorkOrder['parts'],
  };
}

/** Who may do what, from which states, to which state. */
const TRANSITIONS: Record<OrderAction, { from: readonly OrderState[]; to: OrderState; who: 'supervisor' | 'assignee' | 'requester' }> = {
  dispatch: { from: ['submitted', 'dispatched', 'reopened', 'accepted'], to: 'dispatched', who: 'supervisor' },
  accept: { from: ['dispatched'], to: 'accepted', who: 'assignee' },
  start: { from: ['accepted'], to: 'in_progress', who: 'assignee' },
  done: { from: ['accepted', 'in_progress'], to: 'done', who: 'assignee' },
  confirm: { from: ['done'], to: 'confirmed', who: 'requester' },
  reopen: { from: ['done'], to: 'reopened', who: 'requester' },
};

export const SYSTEM_ACTOR = 'system';
const isSupervisor = (u: User) => u.roles.includes('facility') || u.roles.includes('admin');

/** A moment as people at the school read it: "2026-09-07 09:10" in the school's zone (for error texts). */
export function schoolStamp(time: SchoolTime, ms: number): string {
  const { date, minute } = time.local(ms);
  return `${date} ${formatTimeOfDay(minute)}`;
}

export interface NewOrder {
  category: string;
  building: string;
  place: string;
  description: string;
  priority: OrderPriority;
  photos: string[];
  source: WorkOrder['source'];
  sourceRef?: string | null;
  faultKey?: string | null;
  asset?: string | null;
}

export interface OrderDeps {
  db: Db;
  users: UserRepo;
  config: FacilitiesConfig;
  time: ScopedTime;
  school: SchoolFacts;
  log: Logger;
  appendEvent(e: NewEvent): StoredEvent;
  /** Takes the parts that name a store item out of the store (inside the step's transaction; throws when short). */
  takeParts?(parts: WorkOrder['parts'], orderId: number, actor: string): void;
}

/**
 * Work orders (报修与维保): submitted → dispatched → accepted → in_progress → done →
 * confirmed | reopened. Every change is one transaction that bumps the order's version
 * and appends a step (who, when, from, to); a change naming an older version than the
 * stored one is refused with what changed since, so of two people finishing one order
 * at once exactly one wins. SLA timers run on the injected time service.
 */
export class WorkOrders {
  readonly #timers = new Map<number, Cancel[]>();

  constructor(private readonly d: OrderDeps) {}

  /** Re-arms the SLA timers of every open order (after a restart). */
  start(): void {
    const rows = this.d.db.prepare(`SELECT * FROM fac_orders WHERE state IN (${OPEN_ORDER_STATES.map(() => '?').join(',')})`).all(...OPEN_ORDER_STATES) as OrderRow[];
    for (const r of rows) this.#arm(toOrder(r));
  }

  stop(): void {
    for (const cancels of this.#timers.values()) for (const c of cancels) c();
    this.#timers.clear();
  }

  get(id: number): WorkOrder | undefined {
    const r = this.d.db.prepare('SELECT * FROM fac_orders WHERE id = ?').get(id) as OrderRow | undefined;
    return r && toOrder(r);
  }

  /** Every step of an order, or those that changed it after version `afterVersion`. */
  steps(id: number, afterVersion?: number): OrderStep[] {
    const since = afterVersion === undefined ? '' : ' AND version > ?';
    const rows = this.d.db
      .prepare(`SELECT seq, version, at, actor, action, from_state AS "from", to_state AS "to", note, data FROM fac_order_steps WHERE order_id = ?${since} ORDER BY seq`)
      .all(...(afterVersion === undefined ? [id] : [id, afterVersion])) as Array<Omit<OrderStep, 'data'> & { data: string }>;
    return rows.map((s) => ({ ...s, data: JSON.parse(s.data) as Record<string, unknown> }));
  }

  /** An order the user may see (supervisor: all; others: requested by or assigned to them). */
  visible(id: number, user: User): WorkOrder {
    const o = this.get(id);
    if (!o) throw new ApiError(404, 'facilities.unknown_order', { id });
    if (!isSupervisor(user) && o.requester !== user.username && o.assignee !== user.username) throw new ApiError(403, 'facilities.order_not_yours', { id });
    return o;
  }

  list(user: User, q: { state?: OrderState | 'open' | undefined; mine?: 'requested' | 'assigned' | undefined; limit: number }): WorkOrder[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (!isSupervisor(user) || q.mine) {
      if (q.mine === 'requested') where.push('requester = ?');
      else if (q.mine === 'assigned') where.push('assignee = ?');
      else {
        where.push('(requester = ? OR assignee = ?)');
        args.push(user.username);
      }
      args.push(user.username);
    }
    if (q.state === 'open') {
      where.push(`state IN (${OPEN_ORDER_STATES.map(() => '?').join(',')})`);
      args.push(...OPEN_ORDER_STATES);
    } else if (q.state) {
      where.push('state = ?');
      args.push(q.state);
    }
    const sql = `SELECT * FROM fac_orders ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`;
    return (this.d.db.prepare(sql).all(...args, q.limit) as OrderRow[]).map(toOrder);
  }

  /** An open order for a fault (alarm rule + subject), if any. */
  openForFault(faultKey: string): WorkOrder | undefined {
    const r = this.d.db
      .prepare(`SELECT * FROM fac_orders WHERE fault_key = ? AND state IN (${OPEN_ORDER_STATES.map(() => '?').join(',')}, 'done') ORDER BY id DESC LIMIT 1`)
      .get(faultKey, ...OPEN_ORDER_STATES) as OrderRow | undefined;
    return r && toOrder(r);
  }

  /** Orders about an asset, newest first. */
  ofAsset(code: string): WorkOrder[] {
    return (this.d.db.prepare('SELECT * FROM fac_orders WHERE asset_code = ? ORDER BY id DESC').all(code) as OrderRow[]).map(toOrder);
  }

  bySourceRef(ref: string): WorkOrder | undefined {
    const r = this.d.db.prepare('SELECT * FROM fac_orders WHERE source_ref = ?').get(ref) as OrderRow | undefined;
    return r && toOrder(r);
  }

  /** Submits an order and dispatches it to the worker on duty (if the rota names one). */
  create(input: NewOrder, requester: string): WorkOrder {
    const now = this.d.time.now();
    const sla = this.d.config.sla[input.priority];
    const id = this.d.db.transaction(() => {
      const info = this.d.db
        .prepare(
          `INSERT INTO fac_orders (version, state, priority, category, building, place, description, photos, source, source_ref, fault_key, asset_code, requester, created_at, updated_at, respond_due, fix_due)
           VALUES (1, 'submitted', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          input.priority,
          input.category,
          input.building,
          input.place,
          input.description,
          JSON.stringify(input.photos),
          input.source,
          input.sourceRef ?? null,
          input.faultKey ?? null,
          input.asset ?? null,
          requester,
          now,
          now,
          now + sla.respondMinutes * 60_000,
          now + sla.fixMinutes * 60_000,
        );
      const orderId = Number(info.lastInsertRowid);
      this.#step(orderId, 1, now, requester, 'submit', null, 'submitted', null, { source: input.source });
      return orderId;
    })();
    let order = this.get(id)!;
    this.#event(order, requester, null);
    const assignee = this.onDuty(order.category, order.building);
    if (assignee) order = this.#apply(order, 'dispatch', SYSTEM_ACTOR, { assignee, auto: true }, null);
    this.#arm(order);
    return order;
  }

  /** The rota in force: the one saved at the desk, else the config file's. */
  rota(): { entries: RotaEntry[]; source: 'config' | 'desk'; updatedAt: number | null; updatedBy: string | null } {
    const r = this.d.db.prepare('SELECT entries, updated_at, updated_by FROM fac_rota WHERE id = 1').get() as { entries: string; updated_at: number; updated_by: string } | undefined;
    if (!r) return { entries: this.d.config.rota, source: 'config', updatedAt: null, updatedBy: null };
    return { entries: JSON.parse(r.entries) as RotaEntry[], source: 'desk', updatedAt: r.updated_at, updatedBy: r.updated_by };
  }

  /** Saves the rota at the desk; every assignee must be an enabled user (contractors with the contractor role). */
  putRota(entries: RotaEntry[], actor: string): ReturnType<WorkOrders['rota']> {
    for (const e of entries) {
      const user = this.d.users.credentials(e.assignee)?.user;
      if (!user || user.disabled) throw new ApiError(400, 'facilities.unknown_user', { username: e.assignee });
    }
    this.d.db
      .prepare('INSERT INTO fac_rota (id, entries, updated_at, updated_by) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET entries = excluded.entries, updated_at = excluded.updated_at, updated_by = excluded.updated_by')
      .run(JSON.stringify(entries), this.d.time.now(), actor);
    return this.rota();
  }

  /** The worker or contractor on duty now for a category and building (most specific entry first, then least loaded). */
  onDuty(category: string, building: string): string | null {
    const now = this.d.time.now();
    const local = this.d.school.time.local(now);
    const cal = this.d.school.calendar;
    const candidates: Array<{ e: RotaEntry; score: number; i: number }> = [];
    this.rota().entries.forEach((e, i) => {
      if (e.category !== '*' && e.category !== category) return;
      if (e.building !== '*' && e.building !== building) return;
      if (!cal.matches(e.days, local.date)) return;
      const from = minuteOf(e.from);
      const until = minuteOf(e.until);
      if (local.minute < from || local.minute >= until) return;
      const user = this.d.users.credentials(e.assignee)?.user;
      if (!user || user.disabled) {
        this.d.log.warn({ assignee: e.assignee }, 'rota names a user that does not exist or is disabled');
        return;
      }
      candidates.push({ e, i, score: (e.category === category ? 2 : 0) + (e.building === building ? 1 : 0) });
    });
    if (!candidates.length) return null;
    const best = Math.max(...candidates.map((c) => c.score));
    const load = (u: string) =>
      (this.d.db.prepare(`SELECT count(*) AS n FROM fac_orders WHERE assignee = ? AND state IN (${OPEN_ORDER_STATES.map(() => '?').join(',')})`).get(u, ...OPEN_ORDER_STATES) as { n: number }).n;
    const top = candidates.filter((c) => c.score === best).map((c) => ({ ...c, load: load(c.e.assignee) }));
    top.sort((a, b) => a.load - b.load || a.i - b.i);
    return top[0]!.e.assignee;
  }

  /** A user's step on an order; `version` is the one the user saw. */
  act(id: number, action: OrderAction, user: User, body: { version: number; note?: string | undefined; assignee?: string; rating?: number; parts?: WorkOrder['parts']; photo?: string | undefined }): WorkOrder {
    const o = this.visible(id, user);
    const t = TRANSITIONS[action];
    if (o.version !== body.version) throw this.#changed(o, body.version);
    if (t.who === 'requester') {
      const systemMade = o.requester === SYSTEM_ACTOR && isSupervisor(user);
      if (o.requester !== user.username && !systemMade) throw new ApiError(403, 'facilities.requester_only', { requester: o.requester });
    } else if (t.who === 'assignee') {
      if (o.assignee !== user.username && !isSupervisor(user)) throw new ApiError(403, 'facilities.assignee_only', { assignee: o.assignee ?? '—' });
    } else if (!isSupervisor(user)) {
      throw new ApiError(403, 'auth.forbidden');
    }
    if (!t.from.includes(o.state)) {
      throw new ApiError(409, 'facilities.bad_transition', {
        stateZh: ORDER_STATE_NAMES[o.state]['zh-CN'],
        stateEn: ORDER_STATE_NAMES[o.state].en,
        actionZh: ORDER_ACTION_NAMES[action]['zh-CN'],
        actionEn: ORDER_ACTION_NAMES[action].en,
      });
    }
    if (action === 'dispatch') {
      const target = this.d.users.credentials(body.assignee!)?.user;
      if (!target || target.disabled) throw new ApiError(400, 'facilities.unknown_user', { username: body.assignee! });
    }
    const extra: Record<string, unknown> = {};
    if (body.assignee) extra.assignee = body.assignee;
    if (body.rating !== undefined) extra.rating = body.rating;
    if (body.parts?.length) extra.parts = body.parts;
    if (body.photo) extra.photo = body.photo;
    const next = this.#apply(o, action, user.username, extra, body.note ?? null);
    this.#arm(next);
    if (action === 'reopen') {
      // Back to whoever did it (they know the job), else to the rota.
      const assignee = next.assignee ?? this.onDuty(next.category, next.building);
      if (assignee) return this.#apply(next, 'dispatch', SYSTEM_ACTOR, { assignee, auto: true }, null);
    }
    return next;
  }

  /** A note on an order that changes nothing (e.g. its alarm raised again); the version stays. */
  note(id: number, actor: string, action: string, data: Record<string, unknown>): void {
    const o = this.get(id);
    if (!o) return;
    this.#step(id, o.version, this.d.time.now(), actor, action, o.state, o.state, null, data);
  }

  #changed(o: WorkOrder, seen: number): ApiError {
    const last = this.steps(o.id).filter((s) => s.from !== s.to || s.seq === 1).at(-1)!;
    return new ApiError(
      409,
      'facilities.order_changed',
      { by: last.actor, at: schoolStamp(this.d.school.time, last.at), stateZh: ORDER_STATE_NAMES[o.state]['zh-CN'], stateEn: ORDER_STATE_NAMES[o.state].en },
      { order: o, changes: this.steps(o.id, seen) },
    );
  }

  #apply(o: WorkOrder, action: OrderAction, actor: string, extra: Record<string, unknown>, note: string | null): WorkOrder {
    const t = TRANSITIONS[action];
    const now = this.d.time.now();
    const sets: string[] = ['state = ?', 'version = version + 1', 'updated_at = ?'];
    const args: unknown[] = [t.to, now];
    const set = (col: string, value?: unknown) => {
      sets.push(col);
      if (value !== undefined) args.push(value);
    };
    if (action === 'dispatch') set('assignee = ?', extra.assignee);
    if (action === 'accept') set('accepted_at = ?', now);
    if (action === 'done') {
      set('done_at = ?', now);
      if (extra.parts) set('parts = ?', JSON.stringify([...o.parts, ...(extra.parts as WorkOrder['parts'])]));
      if (extra.photo) set('photos = ?', JSON.stringify([...o.photos, extra.photo]));
    }
    if (action === 'confirm') {
      set('confirmed_at = ?', now);
      set('rating = ?', extra.rating);
    }
    if (action === 'reopen') set('reopen_count = reopen_count + 1');
    this.d.db.transaction(() => {
      if (action === 'done' && extra.parts) this.d.takeParts?.(extra.parts as WorkOrder['parts'], o.id, actor);
      const r = this.d.db.prepare(`UPDATE fac_orders SET ${sets.join(', ')} WHERE id = ? AND version = ?`).run(...args, o.id, o.version);
      if (r.changes !== 1) throw this.#changed(this.get(o.id)!, o.version);
      this.#step(o.id, o.version + 1, now, actor, action, o.state, t.to, note, extra);
    })();
    const next = this.get(o.id)!;
    this.#event(next, actor, note);
    return next;
  }

  #step(orderId: number, version: number, at: number, actor: string, action: string, from: OrderState | null, to: OrderState, note: string | null, data: Record<string, unknown>): void {
    this.d.db
      .prepare(
        'INSERT INTO fac_order_steps (order_id, seq, version, at, actor, action, from_state, to_state, note, data) SELECT ?, coalesce(max(seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ? FROM fac_order_steps WHERE order_id = ?',
      )
      .run(orderId, version, at, actor, action, from, to, note, JSON.stringify(data), orderId);
  }

  #event(o: WorkOrder, by: string, note: string | null): void {
    this.d.appendEvent({
      type: FACILITIES_EVENTS.orderChanged,
      reason: orderReason(o.state),
      severity: o.priority === 'urgent' && o.state === 'submitted' ? 'warning' : 'info',
      priority: EVENT_PRIORITIES.normal,
      source: 'facilities.orders',
      subject: `WO-${o.id}`,
      data: {
        orderId: `WO-${o.id}`,
        id: o.id,
        version: o.version,
        state: o.state,
        priority: o.priority,
        category: o.category,
        building: o.building,
        place: o.place,
        description: o.description,
        requester: o.requester,
        assignee: o.assignee,
        by,
        note: note ?? '',
        rating: o.rating,
        source: o.source,
        // Pushed live to these people's panels (and the hook for the cloud's staff notices).
        notify: [...new Set([o.assignee, o.requester])].filter((u): u is string => !!u && u !== SYSTEM_ACTOR),
      },
    });
  }

  /** SLA timers of an order: respond (accept) and fix (done); each breach escalates once. */
  #arm(o: WorkOrder): void {
    for (const c of this.#timers.get(o.id) ?? []) c();
    this.#timers.delete(o.id);
    if (!OPEN_ORDER_STATES.includes(o.state)) return;
    const cancels: Cancel[] = [];
    if (o.acceptedAt === null && !o.respondBreached) cancels.push(this.d.time.at(o.respondDue, () => this.#breach(o.id, 'respond')));
    if (!o.fixBreached) cancels.push(this.d.time.at(o.fixDue, () => this.#breach(o.id, 'fix')));
    if (cancels.length) this.#timers.set(o.id, cancels);
  }

  #breach(id: number, kind: 'respond' | 'fix'): void {
    const o = this.get(id);
    if (!o || !OPEN_ORDER_STATES.includes(o.state)) return;
    if (kind === 'respond' && (o.acceptedAt !== null || o.respondBreached)) return;
    if (kind === 'fix' && o.fixBreached) return;
    const sla = this.d.config.sla[o.priority];
    const minutes = kind === 'respond' ? sla.respondMinutes : sla.fixMinutes;
    this.d.db.prepare(`UPDATE fac_orders SET ${kind}_breached = 1 WHERE id = ?`).run(id);
    const supervisors = this.d.config.supervisors;
    this.note(id, SYSTEM_ACTOR, 'escalate', { sla: kind, minutes, supervisors });
    this.d.appendEvent({
      type: FACILITIES_EVENTS.orderEscalated,
      reason: kind === 'respond' ? FACILITIES_REASONS.respondBreached : FACILITIES_REASONS.fixBreached,
      severity: 'warning',
      priority: EVENT_PRIORITIES.normal,
      source: 'facilities.orders',
      subject: `WO-${o.id}`,
      data: {
        orderId: `WO-${o.id}`,
        id: o.id,
        sla: kind,
        minutes,
        priority: o.priority,
        priorityZh: PRIORITY_NAMES[o.priority]['zh-CN'],
        priorityEn: PRIORITY_NAMES[o.priority].en,
        assignee: o.assignee,
        state: o.state,
        supervisors,
        notify: [...new Set([...supervisors, ...(o.assignee ? [o.assignee] : [])])],
        text: bilingual(`reason.${kind === 'respond' ? FACILITIES_REASONS.respondBreached : FACILITIES_REASONS.fixBreached}`, {
          orderId: `WO-${o.id}`,
          minutes,
          priorityZh: PRIORITY_NAMES[o.priority]['zh-CN'],
          priorityEn: PRIORITY_NAMES[o.priority].en,
        }),
      },
    });
  }

  /**
   * KPIs of the orders submitted in [from, to), grouped by worker, team (the rota's), category or building:
   * response time (submitted → accepted), repair time (submitted → done), SLA met/missed
   * (of finished orders; an open order past a due time counts as missed), reopen rate
   * (of finished orders), backlog (open now) and ratings.
   */
  kpi(by: KpiGroup, from = 0, to = Number.MAX_SAFE_INTEGER): KpiRow[] {
    const rows = this.d.db.prepare('SELECT * FROM fac_orders WHERE created_at >= ? AND created_at < ?').all(from, to) as OrderRow[];
    const groups = new Map<string, { rows: OrderRow[] }>();
    // A worker's team: the first rota line naming them with a team; outside contractors without one are "contractor".
    const teams = new Map<string, string>();
    for (const e of this.rota().entries) if (!teams.has(e.assignee) && (e.team || e.kind === 'contractor')) teams.set(e.assignee, e.team ?? 'contractor');
    for (const r of rows) {
      const key = by === 'worker' ? (r.assignee ?? '-') : by === 'team' ? (r.assignee ? (teams.get(r.assignee) ?? '-') : '-') : by === 'category' ? r.category : r.building;
      (groups.get(key) ?? groups.set(key, { rows: [] }).get(key)!).rows.push(r);
    }
    const avg = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null);
    return [...groups.entries()]
      .map(([key, { rows: rs }]) => {
        const finished = rs.filter((r) => r.done_at !== null);
        const rated = rs.filter((r) => r.rating !== null).map((r) => r.rating!);
        const missed = rs.filter((r) => r.respond_breached === 1 || r.fix_breached === 1).length;
        return {
          key,
          orders: rs.length,
          backlog: rs.filter((r) => OPEN_ORDER_STATES.includes(r.state)).length,
          avgResponseMin: avg(rs.filter((r) => r.accepted_at !== null).map((r) => (r.accepted_at! - r.created_at) / 60_000)),
          avgRepairMin: avg(finished.map((r) => (r.done_at! - r.created_at) / 60_000)),
          slaMet: finished.filter((r) => r.respond_breached === 0 && r.fix_breached === 0).length,
          slaMissed: missed,
          reopenRate: finished.length ? Math.round((finished.filter((r) => r.reopen_count > 0).length / finished.length) * 1000) / 1000 : null,
          avgRating: avg(rated),
          ratings: rated.length,
        };
      })
      .sort((a, b) => a.key.localeCompare(b.key));
  }
}

function minuteOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
}
