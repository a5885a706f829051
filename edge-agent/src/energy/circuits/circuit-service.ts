import { PRIORITIES, topics, type NewEvent } from '@campus/protocol';
import type { CircuitState, SwitchActor, SwitchOutcome } from '@campus/protocol/energy/circuits';
import { ENERGY_EVENTS, ENERGY_REASONS } from '@campus/protocol/energy/edge-events';
import type { Db } from '../../store/index.js';
import type { AlarmEngine } from '../alarms/alarm-engine.js';
import type { EnergyConfig } from '../config.js';
import type { RelayPort } from '../field/relay-port.js';
import type { TimerClock } from '../time/timers.js';
import type { Circuit, Topology } from '../topology.js';
import { OverrideRepo, type Override } from './overrides.js';
import { SwitchLog } from './switch-log.js';

export interface SwitchRequest {
  on: boolean;
  actor: SwitchActor;
  why: string;
  /** Minutes to hold schedules off (manual switches); undefined = no hold. */
  holdMinutes?: number;
}

export interface SwitchResult {
  circuit: string;
  on: boolean;
  outcome: SwitchOutcome;
  attempts: number;
  /** What the board reported last (null if it never answered). */
  actual: boolean | null;
  detail: string | null;
}

interface Live {
  desired: boolean | null;
  actual: boolean | null;
  confirmed: boolean;
  reachable: boolean;
  lastChange: CircuitState['lastChange'];
  busy: Promise<unknown>;
  switching: number;
}

export interface CircuitServiceDeps {
  db: Db;
  topology: Topology;
  relay: (boardId: string) => RelayPort | undefined;
  timers: TimerClock;
  alarms: AlarmEngine;
  control: EnergyConfig['control'];
  appendEvent: (e: NewEvent) => void;
  audit: (e: { actor: string; action: string; target: string; detail: Record<string, unknown> }) => void;
  publish: (topic: string, payload: string) => void;
  log: { warn(obj: object, msg: string): void };
  onChange?: (state: CircuitState) => void;
}

const onOff = (v: boolean | null) => (v === null ? '?' : v ? 'ON' : 'OFF');

/**
 * Switches circuits through their relay boards: command, read back, retry when
 * the read-back contradicts, alarm when it still does. Keeps manual holds
 * (overrides) with an expiry, audits every decision, publishes each circuit's
 * state retained on MQTT, and notices changes made at the board itself.
 */
export class CircuitService {
  readonly log: SwitchLog;
  readonly overrides: OverrideRepo;
  private readonly live = new Map<string, Live>();
  private readonly expiryTimers = new Map<string, () => void>();
  private stopped = false;

  constructor(private readonly deps: CircuitServiceDeps) {
    this.log = new SwitchLog(deps.db);
    this.overrides = new OverrideRepo(deps.db);
  }

  start(): void {
    const rows = this.deps.db.prepare('SELECT * FROM energy_circuit_state').all() as Array<{
      circuit: string;
      desired: number | null;
      actual: number | null;
      confirmed: number;
      last_at: number | null;
      last_by_kind: SwitchActor['kind'] | null;
      last_by: string | null;
      last_why: string | null;
    }>;
    const saved = new Map(rows.map((r) => [r.circuit, r]));
    for (const c of this.deps.topology.circuits.values()) {
      const r = saved.get(c.id);
      this.live.set(c.id, {
        desired: r?.desired === null || r?.desired === undefined ? null : r.desired === 1,
        actual: r?.actual === null || r?.actual === undefined ? null : r.actual === 1,
        confirmed: r?.confirmed === 1,
        reachable: false,
        lastChange: r?.last_at && r.last_by_kind && r.last_by ? { at: r.last_at, by: { kind: r.last_by_kind, id: r.last_by }, why: r.last_why ?? '' } : null,
        busy: Promise.resolve(),
        switching: 0,
      });
    }
    for (const o of this.overrides.all()) {
      if (this.deps.topology.circuits.has(o.circuit)) this.armExpiry(o);
      else this.overrides.remove(o.circuit);
    }
    for (const c of this.deps.topology.circuits.values()) this.publish(c);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const cancel of this.expiryTimers.values()) cancel();
    this.expiryTimers.clear();
    await Promise.allSettled([...this.live.values()].map((l) => l.busy));
  }

  state(id: string): CircuitState | undefined {
    const c = this.deps.topology.circuits.get(id);
    return c && this.stateOf(c);
  }

  states(): CircuitState[] {
    return [...this.deps.topology.circuits.values()].map((c) => this.stateOf(c));
  }

  /** Switches one circuit; requests for the same circuit run one after another. */
  switch(circuitId: string, req: SwitchRequest): Promise<SwitchResult> {
    const c = this.deps.topology.circuits.get(circuitId);
    const l = this.live.get(circuitId);
    if (!c || !l) return Promise.reject(new Error(`unknown circuit ${circuitId}`));
    l.switching++;
    const run = l.busy.then(() => this.doSwitch(c, l, req)).finally(() => l.switching--);
    l.busy = run.catch(() => undefined);
    return run;
  }

  /** Many circuits: boards in parallel, circuits of one board in order. */
  async switchMany(circuits: readonly string[], req: SwitchRequest): Promise<SwitchResult[]> {
    const byBoard = new Map<string, string[]>();
    for (const id of circuits) {
      const c = this.deps.topology.circuits.get(id);
      if (!c) continue;
      byBoard.set(c.board, [...(byBoard.get(c.board) ?? []), id]);
    }
    const results = await Promise.all(
      [...byBoard.values()].map(async (ids) => {
        const out: SwitchResult[] = [];
        for (const id of ids) out.push(await this.switch(id, req));
        return out;
      }),
    );
    return results.flat();
  }

  /** Records a decision not to switch (schedule vs. hold or booking). */
  recordSkip(circuitId: string, req: SwitchRequest, detail: 'override' | 'booked'): void {
    const c = this.deps.topology.circuits.get(circuitId);
    if (!c) return;
    this.log.record({ at: this.deps.timers.now(), circuit: c.id, on: req.on, actor: req.actor, why: req.why, outcome: 'skipped', attempts: 0, detail });
    this.deps.audit({ actor: actorName(req.actor), action: 'energy.circuit.skip', target: c.id, detail: { on: req.on, why: req.why, skipped: detail } });
  }

  override(circuitId: string): Override | undefined {
    const o = this.overrides.get(circuitId);
    return o && o.until > this.deps.timers.now() ? o : undefined;
  }

  /** Ends a hold early. */
  cancelOverride(circuitId: string, by: string): boolean {
    const o = this.overrides.get(circuitId);
    if (!o) return false;
    this.expiryTimers.get(circuitId)?.();
    this.expiryTimers.delete(circuitId);
    this.overrides.remove(circuitId);
    this.deps.audit({ actor: by, action: 'energy.override.cancel', target: circuitId, detail: { until: o.until } });
    const c = this.deps.topology.circuits.get(circuitId);
    if (c) this.publish(c);
    return true;
  }

  /** Reads every board once (behind meter polls) and adopts changes made on site. */
  async readBack(): Promise<void> {
    const boards = new Set([...this.deps.topology.circuits.values()].map((c) => c.board));
    await Promise.all([...boards].map((b) => this.readBoard(b)));
  }

  private async readBoard(boardId: string): Promise<void> {
    const port = this.deps.relay(boardId);
    const circuits = [...this.deps.topology.circuits.values()].filter((c) => c.board === boardId);
    if (!port) return;
    let states: boolean[];
    try {
      states = await port.pollStates();
    } catch {
      for (const c of circuits) this.setReachable(c, false);
      return;
    }
    for (const c of circuits) {
      const l = this.live.get(c.id)!;
      const actual = states[c.channel - 1] ?? null;
      const wasReachable = l.reachable;
      l.reachable = true;
      if (l.switching > 0 || actual === null) continue;
      if (l.actual !== null && actual !== l.actual) {
        // Someone switched it at the distribution board, or the relay dropped out: adopt it.
        l.actual = actual;
        l.desired = actual;
        l.confirmed = true;
        l.lastChange = { at: this.deps.timers.now(), by: { kind: 'external', id: boardId }, why: 'changed on site' };
        this.save(c, l);
        this.deps.appendEvent({
          type: ENERGY_EVENTS.circuitChanged,
          reason: ENERGY_REASONS.changedExternally,
          severity: 'notice',
          source: 'energy.circuits',
          subject: c.id,
          data: { circuit: c.id, circuitName: c.name, board: boardId, actual: onOff(actual), building: c.building, room: c.room },
        });
        this.publish(c);
      } else if (l.actual === null || !wasReachable) {
        l.actual = actual;
        l.confirmed = l.desired === null || l.desired === actual;
        this.save(c, l);
        this.publish(c);
      }
    }
  }

  private setReachable(c: Circuit, reachable: boolean): void {
    const l = this.live.get(c.id)!;
    if (l.reachable === reachable) return;
    l.reachable = reachable;
    this.publish(c);
  }

  private async doSwitch(c: Circuit, l: Live, req: SwitchRequest): Promise<SwitchResult> {
    const port = this.deps.relay(c.board);
    const max = 1 + this.deps.control.retries;
    let attempts = 0;
    let actual: boolean | null = null;
    let error: string | null = null;
    l.desired = req.on;
    while (attempts < max && !this.stopped) {
      if (attempts > 0 && this.deps.control.retryDelayMs > 0) await new Promise<void>((r) => this.deps.timers.at(this.deps.timers.now() + this.deps.control.retryDelayMs, r));
      attempts++;
      try {
        if (!port) throw Object.assign(new Error('relay board not running'), { reason: 'energy.relay_missing' });
        await port.set(c.channel, req.on);
        const states = await port.readStates();
        actual = states[c.channel - 1] ?? null;
        l.reachable = true;
        error = null;
        if (actual === req.on) break;
      } catch (e) {
        error = (e as { reason?: string }).reason ?? (e instanceof Error ? e.message : String(e));
        l.reachable = false;
        this.deps.log.warn({ circuit: c.id, attempt: attempts, err: error }, 'circuit switch attempt failed');
      }
    }
    const outcome: SwitchOutcome = actual === req.on ? 'confirmed' : error !== null && actual === null ? 'failed' : 'mismatch';
    const now = this.deps.timers.now();
    if (actual !== null) l.actual = actual;
    l.confirmed = outcome === 'confirmed';
    l.lastChange = { at: now, by: req.actor, why: req.why };
    this.save(c, l);

    if (req.holdMinutes && req.holdMinutes > 0) {
      const o: Override = { circuit: c.id, on: req.on, until: now + req.holdMinutes * 60_000, by: actorName(req.actor), createdAt: now };
      this.overrides.set(o);
      this.armExpiry(o);
    } else if (req.actor.kind === 'user' || req.actor.kind === 'mqtt') {
      // A manual switch without a hold ends any earlier hold.
      if (this.overrides.remove(c.id)) this.expiryTimers.get(c.id)?.();
    }

    const detail = outcome === 'confirmed' ? null : (error ?? `read back ${onOff(actual)}`);
    this.log.record({ at: now, circuit: c.id, on: req.on, actor: req.actor, why: req.why, outcome, attempts, detail });
    this.deps.audit({ actor: actorName(req.actor), action: 'energy.circuit.switch', target: c.id, detail: { on: req.on, why: req.why, outcome, attempts, hold: req.holdMinutes ?? 0, error: detail } });
    const reason = outcome === 'confirmed' ? (req.on ? ENERGY_REASONS.switchedOn : ENERGY_REASONS.switchedOff) : outcome === 'failed' ? ENERGY_REASONS.failed : ENERGY_REASONS.mismatch;
    this.deps.appendEvent({
      type: ENERGY_EVENTS.circuitSwitched,
      reason,
      severity: outcome === 'confirmed' ? 'info' : 'warning',
      priority: PRIORITIES.normal,
      source: 'energy.circuits',
      subject: c.id,
      data: {
        circuit: c.id,
        circuitName: c.name,
        building: c.building,
        room: c.room,
        desired: onOff(req.on),
        actual: onOff(actual),
        actor: actorName(req.actor),
        actorKind: req.actor.kind,
        why: req.why,
        attempts,
        error: detail,
        holdMinutes: req.holdMinutes ?? 0,
      },
    });
    this.deps.alarms.report({
      key: `circuit_mismatch:${c.id}`,
      rule: 'circuit_mismatch',
      subject: c.id,
      subjectName: c.name,
      building: c.building,
      active: outcome !== 'confirmed',
      value: null,
      limit: null,
      unit: '',
      detail: detail ?? '',
      raiseAfterMs: 0,
      clearAfterMs: 0,
    });
    this.publish(c);
    return { circuit: c.id, on: req.on, outcome, attempts, actual, detail };
  }

  private armExpiry(o: Override): void {
    this.expiryTimers.get(o.circuit)?.();
    this.expiryTimers.set(
      o.circuit,
      this.deps.timers.at(o.until, () => this.expire(o.circuit)),
    );
  }

  /** A hold ran out: go back to what the schedules last decided (within a day), if anything. */
  private async expire(circuitId: string): Promise<void> {
    this.expiryTimers.delete(circuitId);
    const o = this.overrides.get(circuitId);
    const c = this.deps.topology.circuits.get(circuitId);
    if (!o || !c || o.until > this.deps.timers.now()) return;
    this.overrides.remove(circuitId);
    this.deps.appendEvent({
      type: ENERGY_EVENTS.overrideExpired,
      reason: ENERGY_REASONS.overrideExpired,
      source: 'energy.circuits',
      subject: c.id,
      data: { circuit: c.id, circuitName: c.name, by: o.by },
    });
    this.publish(c);
    const decision = this.log.lastScheduleDecision(c.id, this.deps.timers.now() - 24 * 3600_000);
    const l = this.live.get(c.id)!;
    if (decision && decision.on !== l.actual) {
      await this.switch(c.id, { on: decision.on, actor: { kind: 'override_expiry', id: decision.actor.id }, why: `hold by ${o.by} expired; back to schedule ${decision.actor.id}` });
    }
  }

  private save(c: Circuit, l: Live): void {
    this.deps.db
      .prepare(
        `INSERT INTO energy_circuit_state (circuit, desired, actual, confirmed, last_at, last_by_kind, last_by, last_why) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(circuit) DO UPDATE SET desired = excluded.desired, actual = excluded.actual, confirmed = excluded.confirmed,
           last_at = excluded.last_at, last_by_kind = excluded.last_by_kind, last_by = excluded.last_by, last_why = excluded.last_why`,
      )
      .run(c.id, bit(l.desired), bit(l.actual), l.confirmed ? 1 : 0, l.lastChange?.at ?? null, l.lastChange?.by.kind ?? null, l.lastChange?.by.id ?? null, l.lastChange?.why ?? null);
  }

  private stateOf(c: Circuit): CircuitState {
    const l = this.live.get(c.id)!;
    const o = this.override(c.id);
    return {
      id: c.id,
      name: c.name,
      kind: c.kind,
      building: c.building,
      room: c.room,
      on: l.actual,
      desired: l.desired,
      confirmed: l.confirmed,
      reachable: l.reachable,
      lastChange: l.lastChange,
      override: o ? { until: o.until, on: o.on, by: o.by } : null,
    };
  }

  private publish(c: Circuit): void {
    const s = this.stateOf(c);
    this.deps.publish(topics.circuitState(c.id), JSON.stringify(s));
    this.deps.onChange?.(s);
  }
}

export function actorName(a: SwitchActor): string {
  return a.kind === 'user' ? a.id : `${a.kind}:${a.id}`;
}

const bit = (v: boolean | null) => (v === null ? null : v ? 1 : 0);
