import type { SwitchActor, SwitchActorKind, SwitchOutcome } from '@campus/protocol/energy/circuits';
import type { Db } from '../../store/index.js';

export interface SwitchLogEntry {
  id: number;
  at: number;
  circuit: string;
  on: boolean;
  actor: SwitchActor;
  why: string;
  outcome: SwitchOutcome;
  attempts: number;
  /** Skipped: "override" or "booked"; failed: the Modbus reason code. */
  detail: string | null;
}

interface Row {
  id: number;
  at: number;
  circuit: string;
  on_state: number;
  actor_kind: SwitchActorKind;
  actor: string;
  why: string;
  outcome: SwitchOutcome;
  attempts: number;
  detail: string | null;
}

const fromRow = (r: Row): SwitchLogEntry => ({
  id: r.id,
  at: r.at,
  circuit: r.circuit,
  on: r.on_state === 1,
  actor: { kind: r.actor_kind, id: r.actor },
  why: r.why,
  outcome: r.outcome,
  attempts: r.attempts,
  detail: r.detail,
});

/** Every switch decision: who (user, operator, schedule), why, and what came of it — skips included. */
export class SwitchLog {
  constructor(private readonly db: Db) {}

  record(e: Omit<SwitchLogEntry, 'id'>): SwitchLogEntry {
    const info = this.db
      .prepare('INSERT INTO energy_switch_log (at, circuit, on_state, actor_kind, actor, why, outcome, attempts, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.at, e.circuit, e.on ? 1 : 0, e.actor.kind, e.actor.id, e.why, e.outcome, e.attempts, e.detail);
    return { ...e, id: Number(info.lastInsertRowid) };
  }

  list(q: { circuit?: string; limit?: number; before?: number } = {}): SwitchLogEntry[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.circuit) {
      where.push('circuit = ?');
      params.push(q.circuit);
    }
    if (q.before) {
      where.push('id < ?');
      params.push(q.before);
    }
    params.push(Math.min(Math.max(q.limit ?? 100, 1), 1000));
    const sql = `SELECT * FROM energy_switch_log ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`;
    return (this.db.prepare(sql).all(...params) as Row[]).map(fromRow);
  }

  /** The newest schedule decision about a circuit since `since` (what "back to schedule" means). */
  lastScheduleDecision(circuit: string, since: number): SwitchLogEntry | undefined {
    const r = this.db
      .prepare(
        `SELECT * FROM energy_switch_log WHERE circuit = ? AND actor_kind = 'schedule' AND at >= ?
           AND NOT (outcome = 'skipped' AND detail = 'booked') ORDER BY id DESC LIMIT 1`,
      )
      .get(circuit, since) as Row | undefined;
    return r && fromRow(r);
  }
}
