import type { GuardianRelation, PersonRole } from '@campus/protocol/access/index';
import type { Db } from '../store/index.js';
import type { DataVault } from '../security/vault.js';
import { sealLegacyColumn } from '../store/seal-legacy.js';
import type { ClassEntry, GradeEntry, PersonEntry } from './model.js';

interface PersonRow {
  id: string;
  name: string;
  roles: string;
  class_id: number | null;
  boarder: number;
  dormitory_zone: string | null;
  phone: string | null;
  active: number;
  card_version: number;
  min_card_version: number;
  has_photo: number;
}

export interface PersonInput {
  id: string;
  name: string;
  roles: PersonRole[];
  classId: number | null;
  boarder: boolean;
  dormitoryZone: string | null;
  phone: string | null;
  active: boolean;
  cardVersion: number;
}

export interface GuardianLink {
  studentId: string;
  guardianId: string;
  relation: GuardianRelation;
  mayPickUp: boolean;
  receivesNotices: boolean;
}

export interface CardRecord {
  version: number;
  issuedAt: number | null;
  revokedAt: number | null;
  revokedWhy: string | null;
}

/**
 * People, grades and classes: SQLite is the record, the maps here are what the gate
 * reads. Every write goes to SQLite first and then to the maps, in the same call, so a
 * revoked card is refused from the next scan on.
 */
export class People {
  readonly #persons = new Map<string, PersonEntry>();
  readonly #grades = new Map<number, GradeEntry>();
  readonly #classes = new Map<number, ClassEntry>();
  readonly #roleSets = new Map<string, readonly PersonRole[]>();

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    /** Phone numbers are sealed in SQLite (minors' and guardians' contact data). */
    private readonly vault: DataVault,
  ) {}

  /** Seals phone numbers written before encryption at rest existed; returns how many. */
  sealLegacy(): number {
    return sealLegacyColumn(this.db, this.vault, { table: 'access_persons', id: 'id', column: 'phone' });
  }

  load(): void {
    this.#persons.clear();
    this.#grades.clear();
    this.#classes.clear();
    for (const g of this.db.prepare('SELECT id, name, sort FROM access_grades').all() as GradeEntry[]) this.#grades.set(g.id, g);
    for (const c of this.db.prepare('SELECT id, grade_id AS gradeId, name FROM access_classes').all() as ClassEntry[]) this.#classes.set(c.id, c);
    for (const r of this.db.prepare('SELECT * FROM access_persons').iterate() as Iterable<PersonRow>) this.#persons.set(r.id, this.#entry(r));
  }

  get size(): number {
    return this.#persons.size;
  }

  get(id: string): PersonEntry | undefined {
    return this.#persons.get(id);
  }

  all(): IterableIterator<PersonEntry> {
    return this.#persons.values();
  }

  /** For verifyCredential: the lowest card version still valid. */
  readonly minCardVersion = (personId: string): number | undefined => this.#persons.get(personId)?.minCardVersion;

  grade(id: number): GradeEntry | undefined {
    return this.#grades.get(id);
  }

  class(id: number | null): ClassEntry | undefined {
    return id === null ? undefined : this.#classes.get(id);
  }

  grades(): GradeEntry[] {
    return [...this.#grades.values()].sort((a, b) => a.sort - b.sort || a.name.localeCompare(b.name, 'zh-CN'));
  }

  classes(): ClassEntry[] {
    return [...this.#classes.values()].sort((a, b) => a.gradeId - b.gradeId || a.name.localeCompare(b.name, 'zh-CN', { numeric: true }));
  }

  /** "初一 3班" for texts. */
  className(classId: number | null): string | null {
    const c = this.class(classId);
    if (!c) return null;
    const g = this.#grades.get(c.gradeId);
    return g ? `${g.name} ${c.name}` : c.name;
  }

  gradeOf(p: PersonEntry): number | null {
    return this.class(p.classId)?.gradeId ?? null;
  }

  gradeByName(name: string): GradeEntry | undefined {
    for (const g of this.#grades.values()) if (g.name === name) return g;
    return undefined;
  }

  classByName(gradeId: number, name: string): ClassEntry | undefined {
    for (const c of this.#classes.values()) if (c.gradeId === gradeId && c.name === name) return c;
    return undefined;
  }

  /** The class with this grade and class name, created if new. */
  ensureClass(gradeName: string, className: string): ClassEntry {
    let grade = this.gradeByName(gradeName);
    if (!grade) {
      const sort = this.#grades.size + 1;
      const id = Number(this.db.prepare('INSERT INTO access_grades (name, sort) VALUES (?, ?)').run(gradeName, sort).lastInsertRowid);
      grade = { id, name: gradeName, sort };
      this.#grades.set(id, grade);
    }
    const gradeId = grade.id;
    let cls = this.classByName(gradeId, className);
    if (!cls) {
      const id = Number(this.db.prepare('INSERT INTO access_classes (grade_id, name) VALUES (?, ?)').run(gradeId, className).lastInsertRowid);
      cls = { id, gradeId, name: className };
      this.#classes.set(id, cls);
    }
    return cls;
  }

  create(p: PersonInput): PersonEntry {
    const t = this.now();
    this.db
      .prepare(
        `INSERT INTO access_persons (id, name, roles, class_id, boarder, dormitory_zone, phone, active, card_version, min_card_version, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
      )
      .run(p.id, p.name, p.roles.join(','), p.classId, p.boarder ? 1 : 0, p.dormitoryZone, this.vault.sealNullable(p.phone), p.active ? 1 : 0, p.cardVersion, t, t);
    if (p.cardVersion > 0) this.#recordCard(p.id, p.cardVersion, t);
    return this.#reloadOne(p.id)!;
  }

  /**
   * Inserts or updates many people in the caller's transaction. Card versions only go
   * up; the revocation floor is never lowered by an import.
   */
  upsertMany(list: readonly PersonInput[]): { created: number; updated: number } {
    const t = this.now();
    const exists = this.db.prepare('SELECT 1 FROM access_persons WHERE id = ?').pluck();
    const upsert = this.db.prepare(
      `INSERT INTO access_persons (id, name, roles, class_id, boarder, dormitory_zone, phone, active, card_version, min_card_version, created_at, updated_at)
       VALUES (@id, @name, @roles, @classId, @boarder, @dormitoryZone, @phone, @active, @cardVersion, 1, @t, @t)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, roles = excluded.roles, class_id = excluded.class_id,
         boarder = excluded.boarder, dormitory_zone = excluded.dormitory_zone, phone = excluded.phone, active = excluded.active,
         card_version = max(card_version, excluded.card_version), updated_at = excluded.updated_at`,
    );
    const card = this.db.prepare('INSERT OR IGNORE INTO access_cards (person_id, version, issued_at) VALUES (?, ?, ?)');
    let created = 0;
    for (const p of list) {
      if (!exists.get(p.id)) created++;
      upsert.run({ ...p, phone: this.vault.sealNullable(p.phone), roles: p.roles.join(','), boarder: p.boarder ? 1 : 0, active: p.active ? 1 : 0, t });
      if (p.cardVersion > 0) card.run(p.id, p.cardVersion, t);
    }
    return { created, updated: list.length - created };
  }

  update(id: string, patch: Partial<Omit<PersonInput, 'id' | 'cardVersion'>>): PersonEntry | undefined {
    const cur = this.#persons.get(id);
    if (!cur) return undefined;
    const next = { ...cur, ...patch };
    this.db
      .prepare('UPDATE access_persons SET name = ?, roles = ?, class_id = ?, boarder = ?, dormitory_zone = ?, phone = ?, active = ?, updated_at = ? WHERE id = ?')
      .run(next.name, next.roles.join(','), next.classId, next.boarder ? 1 : 0, next.dormitoryZone, this.vault.sealNullable(next.phone), next.active ? 1 : 0, this.now(), id);
    return this.#reloadOne(id);
  }

  setPhoto(id: string, has: boolean): void {
    this.db.prepare('UPDATE access_persons SET has_photo = ? WHERE id = ?').run(has ? 1 : 0, id);
    this.#reloadOne(id);
  }

  /**
   * A lost card: every version up to the one in hand is refused from now on; the
   * replacement is issued with the new floor (minCardVersion).
   */
  revokeCard(id: string, why: string): PersonEntry | undefined {
    const cur = this.#persons.get(id);
    if (!cur) return undefined;
    const t = this.now();
    // The card in hand is at least the lowest valid version (a roster may not say which was printed).
    const floor = Math.max(cur.cardVersion, cur.minCardVersion) + 1;
    this.db.transaction(() => {
      this.db.prepare('UPDATE access_persons SET min_card_version = ?, updated_at = ? WHERE id = ?').run(floor, t, id);
      this.db.prepare('UPDATE access_cards SET revoked_at = ?, revoked_why = ? WHERE person_id = ? AND version < ? AND revoked_at IS NULL').run(t, why, id, floor);
    })();
    return this.#reloadOne(id);
  }

  /**
   * The card office (the cloud) states the lowest valid version outright: versions
   * below `floor` are refused from now on. Never lowers the floor; no-op when already there.
   */
  raiseCardFloor(id: string, floor: number, why: string): PersonEntry | undefined {
    const cur = this.#persons.get(id);
    if (!cur || cur.minCardVersion >= floor) return cur;
    const t = this.now();
    this.db.transaction(() => {
      this.db.prepare('UPDATE access_persons SET min_card_version = max(min_card_version, ?), updated_at = ? WHERE id = ?').run(floor, t, id);
      this.db.prepare('UPDATE access_cards SET revoked_at = ?, revoked_why = ? WHERE person_id = ? AND version < ? AND revoked_at IS NULL').run(t, why, id, floor);
    })();
    return this.#reloadOne(id);
  }

  /** A card issued elsewhere (CLI, cloud) is now in the person's hand. */
  registerCard(id: string, version: number): PersonEntry | undefined {
    if (!this.#persons.has(id)) return undefined;
    const t = this.now();
    this.db.transaction(() => {
      this.db.prepare('UPDATE access_persons SET card_version = max(card_version, ?), updated_at = ? WHERE id = ?').run(version, t, id);
      this.#recordCard(id, version, t);
    })();
    return this.#reloadOne(id);
  }

  cards(id: string): CardRecord[] {
    return this.db
      .prepare('SELECT version, issued_at AS issuedAt, revoked_at AS revokedAt, revoked_why AS revokedWhy FROM access_cards WHERE person_id = ? ORDER BY version DESC')
      .all(id) as CardRecord[];
  }

  guardiansOf(studentId: string): GuardianLink[] {
    return this.#links('student_id', studentId);
  }

  wardsOf(guardianId: string): GuardianLink[] {
    return this.#links('guardian_id', guardianId);
  }

  setGuardian(link: GuardianLink): void {
    this.db
      .prepare(
        `INSERT INTO access_guardians (student_id, guardian_id, relation, may_pick_up, receives_notices) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(student_id, guardian_id) DO UPDATE SET relation = excluded.relation, may_pick_up = excluded.may_pick_up, receives_notices = excluded.receives_notices`,
      )
      .run(link.studentId, link.guardianId, link.relation, link.mayPickUp ? 1 : 0, link.receivesNotices ? 1 : 0);
  }

  removeGuardian(studentId: string, guardianId: string): boolean {
    return this.db.prepare('DELETE FROM access_guardians WHERE student_id = ? AND guardian_id = ?').run(studentId, guardianId).changes > 0;
  }

  /** Replaces all links of these guardians (roster import). */
  replaceGuardianLinks(guardianIds: readonly string[], links: readonly GuardianLink[]): void {
    const del = this.db.prepare('DELETE FROM access_guardians WHERE guardian_id = ?');
    for (const g of guardianIds) del.run(g);
    for (const l of links) this.setGuardian(l);
  }

  #links(column: 'student_id' | 'guardian_id', id: string): GuardianLink[] {
    const rows = this.db
      .prepare(`SELECT student_id, guardian_id, relation, may_pick_up, receives_notices FROM access_guardians WHERE ${column} = ?`)
      .all(id) as Array<{ student_id: string; guardian_id: string; relation: GuardianRelation; may_pick_up: number; receives_notices: number }>;
    return rows.map((r) => ({ studentId: r.student_id, guardianId: r.guardian_id, relation: r.relation, mayPickUp: r.may_pick_up === 1, receivesNotices: r.receives_notices === 1 }));
  }

  #recordCard(id: string, version: number, t: number): void {
    this.db.prepare('INSERT OR IGNORE INTO access_cards (person_id, version, issued_at) VALUES (?, ?, ?)').run(id, version, t);
  }

  #reloadOne(id: string): PersonEntry | undefined {
    const r = this.db.prepare('SELECT * FROM access_persons WHERE id = ?').get(id) as PersonRow | undefined;
    if (!r) {
      this.#persons.delete(id);
      return undefined;
    }
    const e = this.#entry(r);
    this.#persons.set(id, e);
    return e;
  }

  #entry(r: PersonRow): PersonEntry {
    let roles = this.#roleSets.get(r.roles);
    if (!roles) {
      roles = Object.freeze(r.roles.split(',') as PersonRole[]);
      this.#roleSets.set(r.roles, roles);
    }
    return {
      id: r.id,
      name: r.name,
      roles,
      classId: r.class_id,
      boarder: r.boarder === 1,
      dormitoryZone: r.dormitory_zone,
      phone: this.vault.unsealNullable(r.phone),
      active: r.active === 1,
      cardVersion: r.card_version,
      minCardVersion: r.min_card_version,
      hasPhoto: r.has_photo === 1,
    };
  }
}
