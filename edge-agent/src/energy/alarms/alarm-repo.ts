import type { Alarm, AlarmRule, AlarmState } from '@campus/protocol/energy/alarms';
import type { Severity } from '@campus/protocol';
import type { Db } from '../../store/index.js';

interface Row {
  id: string;
  key: string;
  rule: AlarmRule;
  severity: Severity;
  subject: string;
  building: string | null;
  state: AlarmState;
  acknowledged: number;
  raised_at: number;
  cleared_at: number | null;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  value: number | null;
  limit_value: number | null;
  unit: string;
  detail: string | null;
  text: string;
}

export interface StoredAlarm extends Alarm {
  key: string;
}

const fromRow = (r: Row): StoredAlarm => ({
  id: r.id,
  key: r.key,
  rule: r.rule,
  severity: r.severity,
  subject: r.subject,
  building: r.building,
  state: r.state,
  acknowledged: r.acknowledged === 1,
  raisedAt: r.raised_at,
  clearedAt: r.cleared_at,
  acknowledgedAt: r.acknowledged_at,
  acknowledgedBy: r.acknowledged_by,
  value: r.value,
  limit: r.limit_value,
  unit: r.unit,
  detail: r.detail,
  text: JSON.parse(r.text) as Alarm['text'],
});

export class AlarmRepo {
  constructor(private readonly db: Db) {}

  insert(a: StoredAlarm): void {
    this.db
      .prepare(
        `INSERT INTO energy_alarms (id, key, rule, severity, subject, building, state, acknowledged, raised_at, cleared_at, acknowledged_at, acknowledged_by, value, limit_value, unit, detail, text)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(a.id, a.key, a.rule, a.severity, a.subject, a.building, a.state, a.acknowledged ? 1 : 0, a.raisedAt, a.clearedAt, a.acknowledgedAt, a.acknowledgedBy, a.value, a.limit, a.unit, a.detail, JSON.stringify(a.text));
  }

  update(a: StoredAlarm): void {
    this.db
      .prepare('UPDATE energy_alarms SET state = ?, acknowledged = ?, cleared_at = ?, acknowledged_at = ?, acknowledged_by = ?, value = ?, text = ? WHERE id = ?')
      .run(a.state, a.acknowledged ? 1 : 0, a.clearedAt, a.acknowledgedAt, a.acknowledgedBy, a.value, JSON.stringify(a.text), a.id);
  }

  get(id: string): StoredAlarm | undefined {
    const r = this.db.prepare('SELECT * FROM energy_alarms WHERE id = ?').get(id) as Row | undefined;
    return r && fromRow(r);
  }

  /** Active or not yet acknowledged, newest first. */
  open(): StoredAlarm[] {
    return (this.db.prepare("SELECT * FROM energy_alarms WHERE state = 'active' OR acknowledged = 0 ORDER BY raised_at DESC").all() as Row[]).map(fromRow);
  }

  history(limit: number, before?: number): StoredAlarm[] {
    const rows = before
      ? this.db.prepare('SELECT * FROM energy_alarms WHERE raised_at < ? ORDER BY raised_at DESC LIMIT ?').all(before, limit)
      : this.db.prepare('SELECT * FROM energy_alarms ORDER BY raised_at DESC LIMIT ?').all(limit);
    return (rows as Row[]).map(fromRow);
  }
}
