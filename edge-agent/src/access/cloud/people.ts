import type { RecordData } from '@campus/protocol/sync/records';
import { parseRelation } from '@campus/protocol/roster/columns';
import type { AccessService } from '../service.js';
import { edgePersonId, gradeAndClass } from './keys.js';
import { ProjectionProblem, type Outcome } from './outcome.js';

/**
 * person, guardianship and card records → the access directory. The cloud does not
 * carry boarding or dormitory: those stay as the edge has them. A deleted person is
 * deactivated, never removed (events and attendance refer to them).
 */
export class PeopleProjection {
  /** Cloud key → edge person id, to catch two keys folding to one id. */
  readonly #owners = new Map<string, string>();
  /** Guardianship key → link, so a delete (which carries no data) finds its link. */
  readonly #links = new Map<string, { studentId: string; guardianId: string }>();

  constructor(private readonly s: AccessService) {}

  personId(key: string): string {
    const id = edgePersonId(key);
    if (!id) throw new ProjectionProblem('person key is not a card id (1-16 of 0-9 A-Z - _)');
    const owner = this.#owners.get(id);
    if (owner !== undefined && owner !== key) throw new ProjectionProblem(`person key folds to ${id}, already used by ${owner}`);
    this.#owners.set(id, key);
    return id;
  }

  /** An id another record refers to; null when that person is not (yet) on this edge. */
  known(ref: string): string | null {
    const id = edgePersonId(ref);
    return id && this.s.people.get(id) ? id : null;
  }

  person(key: string, d: RecordData<'person'> | null): Outcome {
    const id = this.personId(key);
    const people = this.s.people;
    const cur = people.get(id);
    if (!d) {
      if (cur?.active) people.update(id, { active: false });
      return cur ? 'applied' : 'unchanged';
    }
    let classId: number | null = null;
    if (d.classId) {
      const gc = gradeAndClass(d.classId);
      if (gc) classId = people.ensureClass(gc.grade, gc.cls).id;
    }
    const next = { name: d.name, roles: [...new Set(d.roles)], classId, phone: d.phone ?? null, active: d.active };
    if (!cur) {
      people.create({ id, ...next, boarder: false, dormitoryZone: null, cardVersion: 0 });
      return 'created';
    }
    const same = cur.name === next.name && cur.classId === next.classId && cur.phone === next.phone && cur.active === next.active && cur.roles.join(',') === next.roles.join(',');
    if (same) return 'unchanged';
    people.update(id, next);
    return 'applied';
  }

  guardianship(key: string, d: RecordData<'guardianship'> | null): Outcome {
    if (!d) {
      const link = this.#links.get(key) ?? this.#fromKey(key);
      this.#links.delete(key);
      if (link) this.s.people.removeGuardian(link.studentId, link.guardianId);
      return 'applied';
    }
    const studentId = this.known(d.studentId);
    const guardianId = this.known(d.guardianId);
    if (!studentId || !guardianId) return 'waiting';
    const link = { studentId, guardianId, relation: parseRelation(d.relation) ?? 'other', mayPickUp: d.mayPickUp, receivesNotices: d.receivesNotices };
    const prev = this.#links.get(key);
    if (prev && (prev.studentId !== studentId || prev.guardianId !== guardianId)) this.s.people.removeGuardian(prev.studentId, prev.guardianId);
    this.#links.set(key, { studentId, guardianId });
    const had = this.s.people.guardiansOf(studentId).find((l) => l.guardianId === guardianId);
    if (had && had.relation === link.relation && had.mayPickUp === link.mayPickUp && had.receivesNotices === link.receivesNotices) return 'unchanged';
    this.s.people.setGuardian(link);
    return 'applied';
  }

  /**
   * After a full replay: a guardian the cloud owns has exactly the cloud's links
   * (drops links whose delete this edge missed while it was down).
   */
  pruneLinks(): number {
    let removed = 0;
    const wanted = new Set([...this.#links.values()].map((l) => `${l.studentId}\u0000${l.guardianId}`));
    for (const guardianId of this.#owners.keys()) {
      for (const l of this.s.people.wardsOf(guardianId)) {
        if (!wanted.has(`${l.studentId}\u0000${l.guardianId}`)) removed += this.s.people.removeGuardian(l.studentId, l.guardianId) ? 1 : 0;
      }
    }
    return removed;
  }

  /**
   * Revocation is by card version: versions below the record's are refused, and the
   * record's own version too once it says revoked. Floors only go up, so replaying an
   * old record never revives a card.
   */
  card(d: RecordData<'card'> | null): Outcome {
    if (!d) return 'unchanged';
    const id = this.known(d.personId);
    if (!id) return 'waiting';
    const people = this.s.people;
    let p = people.get(id)!;
    let out: Outcome = 'unchanged';
    if (d.version > p.cardVersion) {
      p = people.registerCard(id, d.version) ?? p;
      out = 'applied';
    }
    const floor = d.revoked ? d.version + 1 : Math.max(1, d.version);
    if (floor > p.minCardVersion) {
      people.raiseCardFloor(id, floor, d.revoked ? '云端挂失 / revoked in the cloud' : '云端补卡 / replaced in the cloud');
      out = 'applied';
    }
    return out;
  }

  #fromKey(key: string): { studentId: string; guardianId: string } | null {
    const [a, b, ...rest] = key.split(':');
    if (!a || !b || rest.length) return null;
    const studentId = edgePersonId(a);
    const guardianId = edgePersonId(b);
    return studentId && guardianId ? { studentId, guardianId } : null;
  }
}
