import { PRIORITIES, type NewEvent } from '@campus/protocol';
import { ACCESS_EVENTS } from '@campus/protocol/access/index';
import type { ChangeRecord } from '@campus/protocol/sync/changes';
import type { StoredEvent } from '../../store/index.js';
import type { CloudRecordReader } from '../../modules/domain.js';
import { edgePersonId } from './keys.js';


interface Deps {
  records: CloudRecordReader;
  /** The school-local date ("YYYY-MM-DD") of an instant. */
  dateOf(ms: number): string;
  /** The person's roles and class on this edge (the access directory). */
  person(id: string): { roles: readonly string[]; name: string } | undefined;
  appendEvent(e: NewEvent): StoredEvent;
}

/**
 * Health declarations at the gate (疫情期间健康申报): while the school requires a daily
 * declaration (the cloud's `health_policy` record), a student let in through a campus
 * gate without today's `health_declaration` record raises an `access.health` event the
 * guard sees in the live view ("no declaration today: remind them"). It reads only the
 * records the change feed already stored, so it works offline with what came last; the
 * gate's decision is never held up or changed by it.
 */
export class HealthReminder {
  #required: boolean | null = null;
  #declared: Map<string, string> | null = null;

  constructor(private readonly d: Deps) {}

  /** Forget what was read when health records change (read again on the next entry). */
  changed(changes: readonly Pick<ChangeRecord, 'kind'>[]): void {
    if (changes.some((c) => c.kind === 'health_policy')) this.#required = null;
    if (changes.some((c) => c.kind === 'health_declaration')) this.#declared = null;
  }

  /** Looks at each appended event; returns the reminder it raised, if any. */
  onEvent(e: StoredEvent): StoredEvent | null {
    if (e.type !== ACCESS_EVENTS.decision) return null;
    const data = e.data as { granted?: boolean; direction?: string; zoneKind?: string; personId?: string | null; personName?: string | null; className?: string | null; gateName?: string; credentialKind?: string | null };
    if (!data.granted || data.direction !== 'in' || data.zoneKind !== 'campus' || !data.personId || data.credentialKind === 'visitor') return null;
    if (!this.required()) return null;
    const p = this.d.person(data.personId);
    if (!p || !p.roles.includes('student')) return null;
    const today = this.d.dateOf(e.occurredAt);
    if (this.declared().get(data.personId) === today) return null;
    return this.d.appendEvent({
      type: ACCESS_EVENTS.health,
      reason: 'access.health.undeclared',
      severity: 'warning',
      priority: PRIORITIES.gate,
      source: e.source,
      subject: data.personId,
      occurredAt: e.occurredAt,
      data: { personId: data.personId, personName: data.personName ?? p.name, classId: data.className ?? '', gateName: data.gateName ?? '', date: today },
    });
  }

  private required(): boolean {
    this.#required ??= this.d.records.get('health_policy', 'school')?.requireDeclaration === true;
    return this.#required;
  }

  /** Edge person id → the date of the last declaration. */
  private declared(): Map<string, string> {
    if (!this.#declared) {
      const m = new Map<string, string>();
      for (const r of this.d.records.all('health_declaration')) {
        const id = typeof r.data.personId === 'string' ? edgePersonId(r.data.personId) : null;
        if (id && typeof r.data.date === 'string') m.set(id, r.data.date);
      }
      this.#declared = m;
    }
    return this.#declared;
  }
}
