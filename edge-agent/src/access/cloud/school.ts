import type { RecordData } from '@campus/protocol/sync/records';
import type { AccessService } from '../service.js';
import { weekdayOf } from '../../school/time.js';
import { cloudTag, passNumber } from './keys.js';
import { ProjectionProblem, type Outcome } from './outcome.js';
import type { PeopleProjection } from './people.js';

const CLOUD_WHY = '云端已撤销 / withdrawn in the cloud';

/**
 * leave, visitor_pass and calendar records → the access domain. Rows made from a cloud
 * record carry `cloud:<kind>:<key>` as their creator, so the key finds its row again
 * after a restart; a changed record replaces its row, a deleted one cancels it.
 */
export class SchoolProjection {
  /** Calendar key → date, so a delete (which carries no data) finds its day. */
  readonly #days = new Map<string, string>();

  constructor(
    private readonly s: AccessService,
    private readonly people: PeopleProjection,
  ) {}

  leave(key: string, d: RecordData<'leave'> | null): Outcome {
    const tag = cloudTag('leave', key);
    const cur = this.s.db
      .prepare("SELECT id, person_id AS personId, starts_at AS startsAt, ends_at AS endsAt, reason, approved_by AS approvedBy FROM access_leaves WHERE created_by = ? AND status = 'approved'")
      .get(tag) as { id: number; personId: string; startsAt: number; endsAt: number; reason: string; approvedBy: string } | undefined;
    if (!d) {
      if (cur) this.s.leaves.cancel(cur.id, CLOUD_WHY);
      return cur ? 'applied' : 'unchanged';
    }
    if (d.until <= d.from) throw new ProjectionProblem('leave ends before it starts');
    const personId = this.people.known(d.personId);
    if (!personId) return 'waiting';
    const next = { personId, startsAt: d.from, endsAt: d.until, reason: d.reason ?? '', approvedBy: d.approvedBy ?? 'cloud' };
    if (cur && cur.personId === next.personId && cur.startsAt === next.startsAt && cur.endsAt === next.endsAt && cur.reason === next.reason && cur.approvedBy === next.approvedBy) {
      return 'unchanged';
    }
    this.s.db.transaction(() => {
      if (cur) this.s.leaves.cancel(cur.id, '云端已更新 / replaced by a newer cloud version');
      this.s.leaves.create({ ...next, source: 'cloud', createdBy: tag });
    })();
    return cur ? 'applied' : 'created';
  }

  /**
   * The QR the visitor holds carries the pass number, window and gate numbers, and is
   * what the gate checks; the record adds the visitor's name, the host and a
   * cancellation. Returns whether the in-memory passes must be reloaded.
   */
  visitorPass(key: string, d: RecordData<'visitor_pass'> | null): Outcome {
    const passId = passNumber(key);
    if (passId === null) throw new ProjectionProblem('visitor pass key is not a pass number (1..2097151)');
    const tag = cloudTag('visitor_pass', key);
    const cur = this.s.passes.record(passId);
    if (cur && cur.createdBy !== tag) throw new ProjectionProblem(`pass number ${passId} is already used by a pass issued on this edge`);
    if (!d) {
      if (cur?.status === 'active') this.s.passes.cancel(passId, CLOUD_WHY);
      return cur ? 'applied' : 'unchanged';
    }
    if (d.validUntil <= d.validFrom) throw new ProjectionProblem('visitor pass ends before it starts');
    const gates = this.#gates(d.gates ?? []);
    const host = d.host ? this.people.known(d.host) : null;
    const next = { visitorName: d.name, phone: d.phone ?? null, hostPersonId: host, validFrom: d.validFrom, validUntil: d.validUntil, gates };
    if (!cur) {
      this.s.passes.create({ id: passId, kind: 'visitor', ...next, purpose: null, holderPersonId: null, studentIds: [], oneUse: false, zones: [], credential: null, createdBy: tag });
      return 'created';
    }
    const same =
      cur.status === 'active' && cur.visitorName === next.visitorName && cur.phone === next.phone && cur.hostPersonId === next.hostPersonId &&
      cur.validFrom === next.validFrom && cur.validUntil === next.validUntil && cur.gates.join(',') === gates.join(',');
    if (same) return 'unchanged';
    // Passes has no update (a local pass is re-issued, not edited); the cloud's is the
    // same pass with new details, so its row is rewritten and the pass map reloaded.
    this.s.db
      .prepare("UPDATE access_passes SET status = 'active', visitor_name = ?, phone = ?, host_person_id = ?, valid_from = ?, valid_until = ?, gates = ? WHERE id = ? AND created_by = ?")
      .run(next.visitorName, this.s.vault.sealNullable(next.phone), next.hostPersonId, next.validFrom, next.validUntil, JSON.stringify(gates), passId, tag);
    this.s.passes.load();
    return 'applied';
  }

  /**
   * holiday → a holiday; makeup_day → a 调休 make-up workday; school_day → a make-up
   * workday when it falls on a weekend, else no special day. `entryBy` is not used: the
   * edge's late threshold comes from the grade timetables.
   */
  calendar(key: string, d: RecordData<'calendar'> | null): Outcome {
    const cal = this.s.calendar;
    const date = d?.date ?? this.#days.get(key) ?? (/^\d{4}-\d{2}-\d{2}$/.test(key) ? key : null);
    if (!date) return 'unchanged';
    const prevDate = this.#days.get(key);
    if (!d) {
      this.#days.delete(key);
      return cal.removeSpecialDay(date) ? 'applied' : 'unchanged';
    }
    if (prevDate && prevDate !== date) cal.removeSpecialDay(prevDate);
    this.#days.set(key, date);
    const kind = d.kind === 'holiday' ? 'holiday' : d.kind === 'makeup_day' || weekdayOf(date) >= 6 ? 'makeup_workday' : null;
    const cur = cal.specialDays().find((x) => x.date === date);
    if (kind === null) return cur && cal.removeSpecialDay(date) ? 'applied' : 'unchanged';
    const name = (d.note ?? (kind === 'holiday' ? '假日' : '调休上课')).slice(0, 32);
    if (cur && cur.kind === kind && cur.name === name && cur.followsWeekday === null) return 'unchanged';
    cal.setSpecialDay({ date, kind, name, followsWeekday: null });
    return cur ? 'applied' : 'created';
  }

  #gates(names: readonly string[]): string[] {
    const out: string[] = [];
    for (const n of names) {
      const g = this.s.gates.get(n) ?? [...this.s.gates.values()].find((x) => String(x.no) === n);
      if (g && !out.includes(g.id)) out.push(g.id);
    }
    return out;
  }
}
