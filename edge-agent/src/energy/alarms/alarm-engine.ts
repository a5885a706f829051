import { PRIORITIES, UuidV7Generator, topics, type NewEvent, type Severity } from '@campus/protocol';
import { bilingual } from '@campus/protocol/i18n';
import type { Alarm, AlarmRule } from '@campus/protocol/energy/alarms';
import { ENERGY_EVENTS, alarmReason } from '@campus/protocol/energy/edge-events';
import type { TimerClock } from '../time/timers.js';
import type { AlarmRepo, StoredAlarm } from './alarm-repo.js';

/** One evaluation of one condition ("is meter m-1's L2 voltage too high right now?"). */
export interface ConditionReport {
  /** Stable identity of the condition: rule, subject and point. */
  key: string;
  rule: AlarmRule;
  subject: string;
  subjectName: string;
  building: string | null;
  active: boolean;
  value: number | null;
  limit: number | null;
  unit: string;
  detail: string | null;
  /** How long the condition must hold before the alarm is raised. */
  raiseAfterMs: number;
  /** How long it must be gone before the alarm clears. */
  clearAfterMs: number;
}

export const ALARM_SEVERITY: Record<AlarmRule, Severity> = {
  residual_current: 'critical',
  cable_temperature: 'critical',
  over_current: 'warning',
  over_voltage: 'warning',
  under_voltage: 'warning',
  device_offline: 'warning',
  circuit_mismatch: 'warning',
  after_hours_power: 'notice',
};

/** Worst value means highest, except for the rules whose limit is a floor. */
const LOWER_IS_WORSE = new Set<AlarmRule>(['under_voltage']);

interface Tracked {
  pendingSince: number | null;
  pendingTimer: (() => void) | null;
  clearingSince: number | null;
  clearingTimer: (() => void) | null;
  alarm: StoredAlarm | null;
  last: ConditionReport | null;
}

export interface AlarmEngineDeps {
  repo: AlarmRepo;
  timers: TimerClock;
  appendEvent: (e: NewEvent) => void;
  /** Retained publish on campus/alarms/{id}; an empty payload deletes it. */
  publish: (topic: string, payload: string) => void;
  /** How long an alarm restored from the database waits for its condition to report again before it clears. */
  restoreGraceMs?: number;
}

/**
 * Alarm lifecycle with debounce: a condition must hold for `raiseAfterMs` to raise
 * an alarm and be gone for `clearAfterMs` to clear it; acknowledging is separate;
 * an alarm that is cleared and acknowledged is closed. Each transition is an
 * event (for the panel and the cloud) and an update of the retained MQTT topic.
 */
export class AlarmEngine {
  private readonly tracked = new Map<string, Tracked>();
  private readonly ids: UuidV7Generator;
  private readonly listeners = new Set<(a: Alarm, transition: 'raised' | 'acknowledged' | 'cleared') => void>();

  constructor(private readonly deps: AlarmEngineDeps) {
    this.ids = new UuidV7Generator(() => deps.timers.now());
  }

  /** Re-publishes open alarms and gives restored active ones a grace period to report again. */
  start(): void {
    for (const a of this.deps.repo.open()) {
      this.publish(a);
      if (a.state !== 'active') continue;
      const t = this.track(a.key);
      t.alarm = a;
      this.startClearing(t, this.deps.restoreGraceMs ?? 120_000);
    }
  }

  stop(): void {
    for (const t of this.tracked.values()) {
      t.pendingTimer?.();
      t.clearingTimer?.();
    }
    this.tracked.clear();
  }

  onTransition(l: (a: Alarm, transition: 'raised' | 'acknowledged' | 'cleared') => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** True while an alarm for this condition is active or about to be raised (for hysteresis). */
  engaged(key: string): boolean {
    const t = this.tracked.get(key);
    return Boolean(t && (t.alarm?.state === 'active' || t.pendingSince !== null));
  }

  report(r: ConditionReport): void {
    const t = this.track(r.key);
    t.last = r;
    const now = this.deps.timers.now();
    if (r.active) {
      this.cancelClearing(t);
      if (t.alarm?.state === 'active') {
        if (r.value !== null && (t.alarm.value === null || (LOWER_IS_WORSE.has(r.rule) ? r.value < t.alarm.value : r.value > t.alarm.value))) t.alarm.value = r.value;
        return;
      }
      if (t.pendingSince !== null) return;
      t.pendingSince = now;
      if (r.raiseAfterMs <= 0) return this.raise(t);
      t.pendingTimer = this.deps.timers.at(now + r.raiseAfterMs, () => {
        t.pendingTimer = null;
        if (t.pendingSince !== null) this.raise(t);
      });
      return;
    }
    this.cancelPending(t);
    if (t.alarm?.state === 'active' && t.clearingSince === null) this.startClearing(t, r.clearAfterMs);
  }

  acknowledge(id: string, by: string): { alarm: StoredAlarm } | { error: 'not_found' | 'already' } {
    const a = this.liveAlarm(id) ?? this.deps.repo.get(id);
    if (!a) return { error: 'not_found' };
    if (a.acknowledged) return { error: 'already' };
    a.acknowledged = true;
    a.acknowledgedAt = this.deps.timers.now();
    a.acknowledgedBy = by;
    this.deps.repo.update(a);
    this.transition(a, 'acknowledged', { by });
    return { alarm: a };
  }

  open(): StoredAlarm[] {
    return this.deps.repo.open().map((a) => this.liveAlarm(a.id) ?? a);
  }

  history(limit: number, beforeRaisedAt?: number): StoredAlarm[] {
    return this.deps.repo.history(limit, beforeRaisedAt).map((a) => this.liveAlarm(a.id) ?? a);
  }

  get(id: string): StoredAlarm | undefined {
    return this.liveAlarm(id) ?? this.deps.repo.get(id);
  }

  private liveAlarm(id: string): StoredAlarm | undefined {
    for (const t of this.tracked.values()) if (t.alarm?.id === id) return t.alarm;
    return undefined;
  }

  private track(key: string): Tracked {
    let t = this.tracked.get(key);
    if (!t) this.tracked.set(key, (t = { pendingSince: null, pendingTimer: null, clearingSince: null, clearingTimer: null, alarm: null, last: null }));
    return t;
  }

  private cancelPending(t: Tracked): void {
    t.pendingTimer?.();
    t.pendingTimer = null;
    t.pendingSince = null;
  }

  private cancelClearing(t: Tracked): void {
    t.clearingTimer?.();
    t.clearingTimer = null;
    t.clearingSince = null;
  }

  private startClearing(t: Tracked, afterMs: number): void {
    const now = this.deps.timers.now();
    t.clearingSince = now;
    if (afterMs <= 0) return this.clear(t);
    t.clearingTimer = this.deps.timers.at(now + afterMs, () => {
      t.clearingTimer = null;
      if (t.clearingSince !== null) this.clear(t);
    });
  }

  private raise(t: Tracked): void {
    const r = t.last!;
    this.cancelPending(t);
    const params = textParams(r.subjectName, r.value, r.limit, r.detail);
    const a: StoredAlarm = {
      id: this.ids.next(),
      key: r.key,
      rule: r.rule,
      severity: ALARM_SEVERITY[r.rule],
      subject: r.subject,
      building: r.building,
      state: 'active',
      acknowledged: false,
      raisedAt: this.deps.timers.now(),
      clearedAt: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      value: r.value,
      limit: r.limit,
      unit: r.unit,
      detail: r.detail,
      text: bilingual(`reason.${alarmReason(r.rule, 'raised')}`, params),
    };
    this.deps.repo.insert(a);
    t.alarm = a;
    this.transition(a, 'raised', {});
  }

  private clear(t: Tracked): void {
    const a = t.alarm;
    this.cancelClearing(t);
    if (!a || a.state !== 'active') return;
    a.state = 'cleared';
    a.clearedAt = this.deps.timers.now();
    this.deps.repo.update(a);
    t.alarm = null;
    this.transition(a, 'cleared', {});
  }

  private transition(a: StoredAlarm, transition: 'raised' | 'acknowledged' | 'cleared', extra: Record<string, string>): void {
    const type = transition === 'raised' ? ENERGY_EVENTS.alarmRaised : transition === 'acknowledged' ? ENERGY_EVENTS.alarmAcknowledged : ENERGY_EVENTS.alarmCleared;
    this.deps.appendEvent({
      type,
      reason: alarmReason(a.rule, transition),
      severity: transition === 'raised' ? a.severity : 'info',
      priority: a.rule === 'after_hours_power' ? PRIORITIES.normal : PRIORITIES.safety,
      source: 'energy.alarms',
      subject: a.subject,
      data: {
        alarmId: a.id,
        rule: a.rule,
        subjectName: this.tracked.get(a.key)?.last?.subjectName ?? a.subject,
        building: a.building,
        value: a.value === null ? null : round(a.value),
        limit: a.limit === null ? null : round(a.limit),
        unit: a.unit,
        detail: a.detail,
        state: a.state,
        acknowledged: a.acknowledged,
        ...extra,
      },
    });
    this.publish(a);
    for (const l of this.listeners) l(a, transition);
  }

  private publish(a: StoredAlarm): void {
    const closed = a.state === 'cleared' && a.acknowledged;
    const { key: _key, ...payload } = a;
    this.deps.publish(topics.alarm(a.id), closed ? '' : JSON.stringify(payload));
  }
}

function textParams(subjectName: string, value: number | null, limit: number | null, detail: string | null) {
  return { subjectName, value: value === null ? '—' : round(value), limit: limit === null ? '—' : round(limit), detail: detail ?? '' };
}

function round(v: number): number {
  return Math.round(v * 10) / 10;
}
