import { translate, type EventEnvelope } from '@campus/protocol';
import '@campus/protocol/bus/events';
import type { Database, Queryable } from '../db/database.js';
import type { Job, JobQueue } from '../jobs/queue.js';
import type { SmsChannel } from '../notify/channels/http-channels.js';
import './messages.js';

export const BUS_ALARM_JOB = 'bus-alarm-escalate';
/** The escalation ladder: the trip's attendant, then the transport managers, then the principal (school admins). */
export const ALARM_LEVELS = ['attendant', 'transport_manager', 'school_admin'] as const;
export type AlarmLevelRole = (typeof ALARM_LEVELS)[number];

export interface BusAlarmJob {
  schoolId: string;
  alarmId: string;
  level: number;
}

export interface BusAlarmOptions {
  /** Wait before the next step when nobody acknowledged (default 120 s). */
  stepMs?: number;
  now?: () => number;
  onError?: (err: Error) => void;
}

type EventLike = Pick<EventEnvelope, 'id' | 'type' | 'reason' | 'data' | 'occurredAt'>;

/** Which bus events are alarms that escalate: the missed end-of-trip check and a failed handover. */
export function busAlarmKind(e: Pick<EventEnvelope, 'type' | 'reason'>): 'check_missed' | 'handover_failed' | null {
  if (e.reason === 'bus.check.missed') return 'check_missed';
  if (e.type === 'bus.handover.failed' || e.reason === 'bus.handover.failed') return 'handover_failed';
  return null;
}

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/**
 * Safety alarms of the school bus. Stored with the event that raised it (same
 * transaction) with a first job on their own queue at the highest priority; each step
 * notifies the people of its level by SMS (safety: no quiet hours, no opt-out), records
 * who was told, and queues the next step after `stepMs`. Acknowledging stops the chain:
 * a step that finds the alarm acknowledged does nothing and queues nothing.
 */
export class BusAlarms {
  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly sms: SmsChannel | undefined,
    private readonly o: BusAlarmOptions = {},
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** The ingest hook: fresh alarm events become alarms and a first escalation job. Returns how many. */
  async raise(tx: Queryable, schoolId: string, fresh: EventLike[]): Promise<number> {
    let n = 0;
    for (const e of fresh) {
      const kind = busAlarmKind(e);
      if (!kind) continue;
      const d = (e.data ?? {}) as Record<string, unknown>;
      const params = { minutes: str(d.minutes), routeName: str(d.routeName ?? d.routeId), personName: str(d.personName), stopName: str(d.stopName) };
      const id = kind === 'check_missed' ? 'reason.bus.check.missed' : 'bus.alarm.handover_failed';
      const r = await tx.query(
        `INSERT INTO bus_alarms (school_id, id, kind, trip_id, route_id, text_zh, text_en, occurred_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING RETURNING id`,
        [schoolId, e.id, kind, str(d.tripId) || null, str(d.routeId) || null, translate('zh-CN', id, params), translate('en', id, params), e.occurredAt, this.now()],
      );
      if (!r.rows.length) continue;
      await this.queue.send<BusAlarmJob>(tx, BUS_ALARM_JOB, { schoolId, alarmId: e.id, level: 0 }, { priority: 100 });
      n++;
    }
    return n;
  }

  async handle(jobs: Job<BusAlarmJob>[]): Promise<void> {
    for (const j of jobs) await this.step(j.data);
  }

  private async recipients(q: Queryable, schoolId: string, alarm: { trip_id: string | null; route_id: string | null }, role: AlarmLevelRole): Promise<{ target: string; name: string }[]> {
    if (role === 'attendant') {
      // The attendant of the trip plan (a person key): their staff account's phone, else their person record's.
      const plan = await q.query<{ attendant: string }>(
        `SELECT data->>'attendantId' AS attendant FROM records WHERE school_id = $1 AND kind = 'bus_trip' AND NOT deleted AND data->>'routeId' = $2
         AND data->>'date' = (SELECT data->>'date' FROM events WHERE school_id = $1 AND type = 'bus.trip' AND data->>'tripId' = $3 LIMIT 1)
         AND data->>'direction' = (SELECT data->>'direction' FROM events WHERE school_id = $1 AND type = 'bus.trip' AND data->>'tripId' = $3 LIMIT 1) LIMIT 1`,
        [schoolId, alarm.route_id ?? '', alarm.trip_id ?? ''],
      );
      const who = plan.rows[0]?.attendant;
      if (!who) return [];
      const r = await q.query<{ phone: string | null; name: string | null }>(
        `SELECT coalesce((SELECT phone FROM staff_accounts WHERE school_id = $1 AND person_key = $2 AND NOT disabled LIMIT 1), data->>'phone') AS phone, data->>'name' AS name
         FROM records WHERE school_id = $1 AND kind = 'person' AND key = $2 AND NOT deleted`,
        [schoolId, who],
      );
      const x = r.rows[0];
      return x?.phone ? [{ target: x.phone, name: x.name ?? who }] : [];
    }
    const r = await q.query<{ phone: string; name: string }>(
      `SELECT DISTINCT a.phone, a.display_name AS name FROM staff_accounts a JOIN staff_roles r ON r.account_id = a.id
       WHERE a.school_id = $1 AND r.role = $2 AND NOT a.disabled AND a.phone IS NOT NULL ORDER BY a.phone`,
      [schoolId, role],
    );
    return r.rows.map((x) => ({ target: x.phone, name: x.name }));
  }

  private async step(job: BusAlarmJob): Promise<void> {
    const stepMs = this.o.stepMs ?? 120_000;
    const plan = await this.db.transaction(async (tx) => {
      const a = (
        await tx.query<{ level: number; acknowledged_at: number | null; trip_id: string | null; route_id: string | null; text_zh: string }>(
          'SELECT level, acknowledged_at, trip_id, route_id, text_zh FROM bus_alarms WHERE school_id = $1 AND id = $2 FOR UPDATE',
          [job.schoolId, job.alarmId],
        )
      ).rows[0];
      // Acknowledged: the chain stops. Already at or past this level: a retried job, nothing again.
      if (!a || a.acknowledged_at !== null || a.level >= job.level || job.level >= ALARM_LEVELS.length) return null;
      const role = ALARM_LEVELS[job.level]!;
      const people = await this.recipients(tx, job.schoolId, a, role);
      const at = this.now();
      await tx.query('UPDATE bus_alarms SET level = $3 WHERE school_id = $1 AND id = $2', [job.schoolId, job.alarmId, job.level]);
      const status = this.sms ? 'pending' : 'no_channel';
      const rows = people.length ? people : [{ target: '-', name: null as string | null }];
      await tx.query(
        `INSERT INTO bus_alarm_steps (school_id, alarm_id, level, role, target, name, status, at) SELECT $1, $2, $3, $4, t, n, $5, $6 FROM unnest($7::text[], $8::text[]) AS x(t, n) ON CONFLICT DO NOTHING`,
        [job.schoolId, job.alarmId, job.level, role, people.length ? status : 'nobody', at, rows.map((p) => p.target), rows.map((p) => p.name)],
      );
      if (job.level + 1 < ALARM_LEVELS.length)
        // Nobody to tell at this level: the next one at once.
        await this.queue.send<BusAlarmJob>(tx, BUS_ALARM_JOB, { schoolId: job.schoolId, alarmId: job.alarmId, level: job.level + 1 }, { priority: 100, delayMs: people.length ? stepMs : 0 });
      return { people, role, text: a.text_zh };
    });
    if (!plan) return;
    if (!plan.people.length) {
      this.queue.poke(BUS_ALARM_JOB);
      return;
    }
    if (!this.sms) return;
    const sms = this.sms;
    await Promise.all(
      plan.people.map(async (p) => {
        const text = translate('zh-CN', 'bus.alarm.sms', { text: plan.text, role: translate('zh-CN', `bus.alarm.role.${plan.role}`), level: job.level + 1 });
        const out = await sms.send(p.target, text, 'alarm').catch((err: Error) => ({ status: 'failed' as const, error: err.message }));
        await this.db.query('UPDATE bus_alarm_steps SET status = $5 WHERE school_id = $1 AND alarm_id = $2 AND level = $3 AND target = $4', [job.schoolId, job.alarmId, job.level, p.target, out.status]);
      }),
    );
  }

  /** Stops the chain. Returns the alarm, or null when there is none. */
  async acknowledge(q: Queryable, schoolId: string, alarmId: string, by: string): Promise<Record<string, unknown> | null> {
    await q.query('UPDATE bus_alarms SET acknowledged_at = $4, acknowledged_by = $3 WHERE school_id = $1 AND id = $2 AND acknowledged_at IS NULL', [schoolId, alarmId, by, this.now()]);
    return (await this.list(q, schoolId, alarmId))[0] ?? null;
  }

  async list(q: Queryable, schoolId: string, alarmId?: string): Promise<Record<string, unknown>[]> {
    const r = await q.query<{ id: string; kind: string; trip_id: string | null; route_id: string | null; text_zh: string; text_en: string; occurred_at: number; level: number; acknowledged_at: number | null; acknowledged_by: string | null }>(
      `SELECT id, kind, trip_id, route_id, text_zh, text_en, occurred_at, level, acknowledged_at, acknowledged_by FROM bus_alarms WHERE school_id = $1 ${alarmId ? 'AND id = $2' : ''} ORDER BY created_at DESC LIMIT 200`,
      alarmId ? [schoolId, alarmId] : [schoolId],
    );
    const steps = await q.query<{ alarm_id: string; level: number; role: string; target: string; name: string | null; status: string; at: number }>(
      `SELECT alarm_id, level, role, target, name, status, at FROM bus_alarm_steps WHERE school_id = $1 AND alarm_id = ANY($2::uuid[]) ORDER BY level, target`,
      [schoolId, r.rows.map((x) => x.id)],
    );
    return r.rows.map((x) => ({
      id: x.id,
      kind: x.kind,
      tripId: x.trip_id,
      routeId: x.route_id,
      text: { 'zh-CN': x.text_zh, en: x.text_en },
      occurredAt: Number(x.occurred_at),
      level: x.level,
      levelRole: x.level >= 0 ? ALARM_LEVELS[x.level] : null,
      acknowledgedAt: x.acknowledged_at === null ? null : Number(x.acknowledged_at),
      acknowledgedBy: x.acknowledged_by,
      steps: steps.rows.filter((s) => s.alarm_id === x.id).map((s) => ({ level: s.level, role: s.role, target: s.target, name: s.name, status: s.status, at: Number(s.at) })),
    }));
  }
}
