import type { GuardianRelation, PersonRole } from '../access/model.js';
import { CREDENTIAL_LIMITS, PERSON_ID_RE } from '../credentials/index.js';
import { PHONE_PATTERN, canonicalPhone } from '../phone.js';
import type { RosterMessageId } from './messages.js';
import { HEADER_LOOKUP, ROSTER_FIELDS, normalizeHeader, parseRelation, parseRoles, parseStatus, parseYesNo, type RosterField } from './columns.js';
import { problem, type RosterProblem } from './problems.js';
import type { RosterTable } from './read.js';

export interface RosterPerson {
  row: number;
  id: string;
  name: string;
  roles: PersonRole[];
  grade: string | null;
  className: string | null;
  boarder: boolean;
  dormitoryZone: string | null;
  phone: string | null;
  active: boolean;
  cardVersion: number;
  guardianOf: { children: string[]; relation: GuardianRelation; mayPickUp: boolean; receivesNotices: boolean } | null;
}

export interface RosterValidation {
  ok: boolean;
  people: RosterPerson[];
  errors: RosterProblem[];
  warnings: RosterProblem[];
  total: number;
}

export interface RosterContext {
  /** Roles of a person already on the roster (for children listed by guardians). */
  existingRoles(id: string): readonly PersonRole[] | undefined;
  /** Dormitory zones by id and by name. */
  dormitories: ReadonlyMap<string, string>;
}

/**
 * Checks every row and collects every problem with its row and column; people come back
 * only when the whole file is valid (an import is all or nothing).
 */
export function validateRoster(table: RosterTable, ctx: RosterContext): RosterValidation {
  const errors = [...table.errors];
  const warnings = [...table.warnings];
  const failed = (total = 0): RosterValidation => ({ ok: false, people: [], errors, warnings, total });
  if (errors.length > 0) return failed();
  const [header, ...data] = table.records;
  if (!header || data.length === 0) {
    errors.push(problem('access.roster.empty', null, null));
    return failed();
  }
  const columnOf = new Map<RosterField, number>();
  header.fields.forEach((raw, index) => {
    const field = HEADER_LOOKUP.get(normalizeHeader(raw));
    if (!field) {
      if (raw.trim() !== '') warnings.push(problem('access.roster.ignored_column', header.row, raw.trim()));
      return;
    }
    const first = columnOf.get(field);
    if (first !== undefined) errors.push(problem('access.roster.duplicate_column', header.row, raw.trim(), { first: first + 1, second: index + 1 }));
    else columnOf.set(field, index);
  });
  for (const [field, spec] of Object.entries(ROSTER_FIELDS) as Array<[RosterField, (typeof ROSTER_FIELDS)[RosterField]]>) {
    if (spec.required && !columnOf.has(field)) errors.push(problem('access.roster.missing_column', header.row, spec.aliases[0]!, { aliases: spec.aliases.join(' / ') }));
  }
  if (errors.length > 0) return failed(data.length);

  const title = (f: RosterField) => header.fields[columnOf.get(f)!]!.trim();
  const firstRowOf = new Map<string, number>();
  const people: RosterPerson[] = [];
  for (const { row, fields } of data) {
    // Excel drops trailing empty cells on export; only more fields than the header is wrong.
    if (fields.length > header.fields.length && fields.slice(header.fields.length).some((f) => f.trim() !== '')) {
      errors.push(problem('access.roster.column_count', row, null, { count: fields.length, expected: header.fields.length }));
      continue;
    }
    const get = (f: RosterField): string => {
      const i = columnOf.get(f);
      return i === undefined ? '' : (fields[i] ?? '').trim();
    };
    let ok = true;
    const reject = (code: RosterMessageId, f: RosterField | null, params: Record<string, string | number> = {}) => {
      errors.push(problem(code, row, f ? title(f) : null, params));
      ok = false;
    };
    for (const [f, spec] of Object.entries(ROSTER_FIELDS) as Array<[RosterField, (typeof ROSTER_FIELDS)[RosterField]]>) {
      if (spec.max && [...get(f)].length > spec.max) reject('access.roster.too_long', f, { max: spec.max });
    }

    const id = get('personId');
    if (id === '') reject('access.roster.missing_person_id', 'personId');
    else if (!PERSON_ID_RE.test(id)) reject('access.roster.bad_person_id', 'personId', { value: id });
    else {
      const first = firstRowOf.get(id);
      if (first !== undefined) reject('access.roster.duplicate_person_id', 'personId', { value: id, firstRow: first });
      else firstRowOf.set(id, row);
    }
    const name = get('name');
    if (name === '') reject('access.roster.missing_name', 'name');

    let roles: PersonRole[] = ['student'];
    const rolesText = get('roles');
    if (rolesText !== '') {
      const parsed = parseRoles(rolesText);
      if ('unknown' in parsed) reject('access.roster.bad_role', 'roles', { value: parsed.unknown });
      else roles = parsed.roles;
    }
    const yesNo = (f: RosterField, fallback: boolean): boolean => {
      const t = get(f);
      if (t === '') return fallback;
      const v = parseYesNo(t);
      if (v === null) reject('access.roster.bad_yes_no', f, { value: t });
      return v ?? fallback;
    };
    const boarder = yesNo('boarder', false);
    let active = true;
    if (get('status') !== '') {
      const s = parseStatus(get('status'));
      if (s === null) reject('access.roster.bad_status', 'status', { value: get('status') });
      else active = s;
    }
    let cardVersion = 0;
    const versionText = get('cardVersion');
    if (versionText !== '') {
      const n = /^\d{1,6}$/.test(versionText) ? Number(versionText) : NaN;
      if (!(n >= 1 && n <= CREDENTIAL_LIMITS.maxCardVersion)) reject('access.roster.bad_version', 'cardVersion', { value: versionText, max: CREDENTIAL_LIMITS.maxCardVersion });
      else cardVersion = n;
    }
    const grade = get('grade') || null;
    const className = get('className') || null;
    if (className && !grade) reject('access.roster.class_without_grade', 'grade');
    if (roles.includes('student') && (!grade || !className)) reject('access.roster.student_needs_class', columnOf.has('className') ? 'className' : null);
    let dormitoryZone: string | null = null;
    const dormText = get('dormitory');
    if (dormText !== '') {
      dormitoryZone = ctx.dormitories.get(dormText) ?? null;
      if (!dormitoryZone) reject('access.roster.unknown_dormitory', 'dormitory', { value: dormText, known: [...new Set(ctx.dormitories.keys())].join('、') || '—' });
      else if (!boarder) reject('access.roster.dormitory_needs_boarder', 'dormitory');
    }

    // "138 1234 5678", "+86-138…" and full-width digits are one number; anything else is named.
    let phone: string | null = null;
    const phoneText = get('phone');
    if (phoneText !== '') {
      phone = canonicalPhone(phoneText);
      if (!PHONE_PATTERN.test(phone)) reject('access.roster.bad_phone', 'phone', { value: phoneText });
    }

    const childrenText = get('children');
    const relationText = get('relation');
    let guardianOf: RosterPerson['guardianOf'] = null;
    if (childrenText !== '') {
      if (!roles.includes('guardian')) reject('access.roster.children_need_guardian', 'children');
      let relation: GuardianRelation = 'guardian';
      if (relationText !== '') {
        const r = parseRelation(relationText);
        if (!r) reject('access.roster.bad_relation', 'relation', { value: relationText });
        else relation = r;
      }
      guardianOf = {
        children: [...new Set(childrenText.split(/[、,，;；\s]+/).filter(Boolean))],
        relation,
        mayPickUp: yesNo('mayPickUp', true),
        receivesNotices: yesNo('receivesNotices', true),
      };
    } else if (relationText !== '') {
      reject('access.roster.relation_needs_children', 'relation');
    }
    if (ok) people.push({ row, id, name, roles, grade, className, boarder, dormitoryZone, phone, active, cardVersion, guardianOf });
  }

  // Children must be students, in this file or already on the roster.
  const inFile = new Map(people.map((p) => [p.id, p]));
  for (const p of people) {
    for (const child of p.guardianOf?.children ?? []) {
      const roles = inFile.get(child)?.roles ?? ctx.existingRoles(child);
      const column = columnOf.has('children') ? title('children') : null;
      if (!roles) errors.push(problem('access.roster.unknown_student', p.row, column, { value: child }));
      else if (!roles.includes('student')) errors.push(problem('access.roster.child_not_student', p.row, column, { value: child }));
    }
  }
  if (errors.length > 0) return failed(data.length);
  return { ok: true, people, errors, warnings, total: data.length };
}
