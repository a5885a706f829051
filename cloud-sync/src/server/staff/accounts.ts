import { z } from 'zod';
import { PhoneSchema } from '@campus/protocol/phone';
import { RecordKeySchema } from '@campus/protocol/sync/records';
import type { Queryable } from '../db/database.js';
import { HttpError } from '../http/errors.js';
import { newId } from '../ids.js';
import { MIN_PASSWORD_LENGTH, hashPassword } from './passwords.js';
import { ClassIdSchema, STAFF_ROLES, isDistrictRole, isSchoolRole, type StaffRole } from './roles.js';
import './messages.js';

export const UsernameSchema = z.string().regex(/^[A-Za-z0-9_.@-]{3,64}$/, '3-64 letters, digits or _.@-');
export const PasswordSchema = z.string().min(MIN_PASSWORD_LENGTH).max(256);

export const AccountInputSchema = z.strictObject({
  username: UsernameSchema,
  displayName: z.string().trim().min(1).max(64),
  /** The school's person record this account belongs to (a teacher who may also be a guardian). */
  personKey: RecordKeySchema.optional(),
  /** For sign-in by SMS code; taken from the person record when absent. */
  phone: PhoneSchema.optional(),
  password: PasswordSchema.optional(),
  roles: z.array(z.enum(STAFF_ROLES)).min(1).max(10),
  /** Classes of the head_teacher role. */
  classes: z.array(ClassIdSchema).max(50).default([]),
});
export type AccountInput = z.input<typeof AccountInputSchema>;

export const AccountPatchSchema = z.strictObject({
  /** The version the editor saw; a newer one in the database refuses the change (409). */
  version: z.number().int().positive(),
  displayName: z.string().trim().min(1).max(64).optional(),
  personKey: RecordKeySchema.nullable().optional(),
  phone: PhoneSchema.nullable().optional(),
  roles: z.array(z.enum(STAFF_ROLES)).min(1).max(10).optional(),
  classes: z.array(ClassIdSchema).max(50).optional(),
  disabled: z.boolean().optional(),
});
export type AccountPatch = z.infer<typeof AccountPatchSchema>;

/** Where an account lives: one school, or one district (教育局). */
export type AccountHome = { schoolId: string } | { districtId: string };

export interface StaffAccount {
  id: string;
  username: string;
  displayName: string;
  schoolId: string | null;
  districtId: string | null;
  personKey: string | null;
  phone: string | null;
  roles: StaffRole[];
  classes: string[];
  disabled: boolean;
  hasPassword: boolean;
  lockedUntil: number | null;
  version: number;
  createdAt: number;
  updatedAt: number;
}

interface AccountRow {
  id: string;
  username: string;
  display_name: string;
  school_id: string | null;
  district_id: string | null;
  person_key: string | null;
  phone: string | null;
  password_hash: string | null;
  disabled: boolean;
  failed_signins: number;
  locked_until: number | null;
  version: number;
  created_at: number;
  updated_at: number;
}

const COLUMNS = 'id, username, display_name, school_id, district_id, person_key, phone, password_hash, disabled, failed_signins, locked_until, version, created_at, updated_at';

const homeWhere = (home: AccountHome, param: number) => ('schoolId' in home ? `school_id = $${param}` : `district_id = $${param}`);
const homeId = (home: AccountHome) => ('schoolId' in home ? home.schoolId : home.districtId);
const notFound = () => new HttpError(404, 'staff.error.not_found');

/**
 * Staff accounts and their roles. Every method takes the account's home (school or
 * district) and filters by it, so an id from another school is simply not found. All
 * methods take the caller's transaction: the write and its audit row commit together.
 */
export class StaffAccounts {
  constructor(private readonly now: () => number = Date.now) {}

  async create(q: Queryable, home: AccountHome, raw: AccountInput): Promise<StaffAccount> {
    const input = AccountInputSchema.parse(raw);
    checkRoles(home, input.roles, input.classes);
    if ('schoolId' in home) await classesExist(q, home.schoolId, input.classes);
    let phone = input.phone ?? null;
    if (input.personKey) {
      if (!('schoolId' in home)) throw new HttpError(400, 'staff.error.person_unknown', { personKey: input.personKey });
      const person = await personOf(q, home.schoolId, input.personKey);
      phone ??= person.phone;
    }
    if (!input.password && !phone) throw new HttpError(400, 'staff.error.no_sign_in');
    const id = newId('acct');
    const t = this.now();
    const passwordHash = input.password ? await hashPassword(input.password) : null;
    await unique(
      q.query(
        `INSERT INTO staff_accounts (id, school_id, district_id, username, display_name, person_key, phone, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
        [id, 'schoolId' in home ? home.schoolId : null, 'districtId' in home ? home.districtId : null, input.username, input.displayName, input.personKey ?? null, phone, passwordHash, t],
      ),
      { username: input.username, phone: phone ?? '', personKey: input.personKey ?? '' },
    );
    await writeRoles(q, id, input.roles, input.classes);
    return (await this.get(q, home, id))!;
  }

  async list(q: Queryable, home: AccountHome): Promise<StaffAccount[]> {
    const r = await q.query<AccountRow>(`SELECT ${COLUMNS} FROM staff_accounts WHERE ${homeWhere(home, 1)} ORDER BY created_at, id`, [homeId(home)]);
    return this.withRoles(q, r.rows);
  }

  async get(q: Queryable, home: AccountHome, id: string): Promise<StaffAccount | null> {
    const r = await q.query<AccountRow>(`SELECT ${COLUMNS} FROM staff_accounts WHERE id = $1 AND ${homeWhere(home, 2)}`, [id, homeId(home)]);
    return (await this.withRoles(q, r.rows))[0] ?? null;
  }

  async require(q: Queryable, home: AccountHome, id: string): Promise<StaffAccount> {
    const a = await this.get(q, home, id);
    if (!a) throw notFound();
    return a;
  }

  /** Applies a patch made against `patch.version`; a stale version is a 409 carrying the current account. */
  async update(q: Queryable, home: AccountHome, id: string, patch: AccountPatch): Promise<{ before: StaffAccount; after: StaffAccount }> {
    const locked = await q.query<AccountRow>(`SELECT ${COLUMNS} FROM staff_accounts WHERE id = $1 AND ${homeWhere(home, 2)} FOR UPDATE`, [id, homeId(home)]);
    const before = (await this.withRoles(q, locked.rows))[0];
    if (!before) throw notFound();
    if (before.version !== patch.version) {
      throw new HttpError(409, 'staff.error.conflict', { yours: patch.version, current: before.version }, undefined, { current: before });
    }
    const roles = patch.roles ?? before.roles;
    const classes = patch.classes ?? (patch.roles && !patch.roles.includes('head_teacher') ? [] : before.classes);
    checkRoles(home, roles, classes);
    if (patch.classes && 'schoolId' in home) await classesExist(q, home.schoolId, classes.filter((c) => !before.classes.includes(c)));
    let personKey = patch.personKey === undefined ? before.personKey : patch.personKey;
    let phone = patch.phone === undefined ? before.phone : patch.phone;
    if (personKey && personKey !== before.personKey) {
      if (!('schoolId' in home)) throw new HttpError(400, 'staff.error.person_unknown', { personKey });
      const person = await personOf(q, home.schoolId, personKey);
      if (patch.phone === undefined && !phone) phone = person.phone;
    }
    personKey ??= null;
    if (!before.hasPassword && !phone) throw new HttpError(400, 'staff.error.no_sign_in');
    const disabled = patch.disabled ?? before.disabled;
    await unique(
      q.query(
        `UPDATE staff_accounts SET display_name = $2, person_key = $3, phone = $4, disabled = $5, version = version + 1, updated_at = $6 WHERE id = $1`,
        [id, patch.displayName ?? before.displayName, personKey, phone, disabled, this.now()],
      ),
      { username: before.username, phone: phone ?? '', personKey: personKey ?? '' },
    );
    if (patch.roles || patch.classes) {
      await q.query('DELETE FROM staff_roles WHERE account_id = $1', [id]);
      await writeRoles(q, id, roles, classes);
    }
    // A disabled account, or one whose roles changed, signs in again with what it now is.
    if (disabled || patch.roles || patch.classes) await q.query('DELETE FROM staff_sessions WHERE account_id = $1', [id]);
    return { before, after: (await this.get(q, home, id))! };
  }

  /** Sets a new password, clears any lockout and ends the account's sessions. */
  async setPassword(q: Queryable, home: AccountHome, id: string, password: string, opts: { keepSession?: string } = {}): Promise<void> {
    const hash = await hashPassword(PasswordSchema.parse(password));
    const r = await q.query(
      `UPDATE staff_accounts SET password_hash = $3, failed_signins = 0, locked_until = NULL, version = version + 1, updated_at = $4 WHERE id = $1 AND ${homeWhere(home, 2)}`,
      [id, homeId(home), hash, this.now()],
    );
    if (r.rowCount === 0) throw notFound();
    await q.query('DELETE FROM staff_sessions WHERE account_id = $1 AND token_hash <> $2', [id, opts.keepSession ?? '']);
  }

  async remove(q: Queryable, home: AccountHome, id: string): Promise<StaffAccount> {
    const a = await this.require(q, home, id);
    await q.query('DELETE FROM staff_accounts WHERE id = $1', [id]);
    return a;
  }

  /** Enabled accounts holding the home's admin role (school_admin or district_admin). */
  async enabledAdmins(q: Queryable, home: AccountHome): Promise<number> {
    const role = 'schoolId' in home ? 'school_admin' : 'district_admin';
    const r = await q.query<{ n: number }>(
      `SELECT count(*) AS n FROM staff_accounts a JOIN staff_roles r ON r.account_id = a.id AND r.role = $2 WHERE a.${homeWhere(home, 1)} AND NOT a.disabled`,
      [homeId(home), role],
    );
    return r.rows[0]!.n;
  }

  private async withRoles(q: Queryable, rows: AccountRow[]): Promise<StaffAccount[]> {
    if (!rows.length) return [];
    const roles = await q.query<{ account_id: string; role: StaffRole; class_id: string }>('SELECT account_id, role, class_id FROM staff_roles WHERE account_id = ANY($1::text[]) ORDER BY role, class_id', [rows.map((x) => x.id)]);
    return rows.map((x) => {
      const mine = roles.rows.filter((r) => r.account_id === x.id);
      return {
        id: x.id,
        username: x.username,
        displayName: x.display_name,
        schoolId: x.school_id,
        districtId: x.district_id,
        personKey: x.person_key,
        phone: x.phone,
        roles: [...new Set(mine.map((r) => r.role))],
        classes: mine.filter((r) => r.role === 'head_teacher').map((r) => r.class_id),
        disabled: x.disabled,
        hasPassword: x.password_hash !== null,
        lockedUntil: x.locked_until !== null && x.locked_until > this.now() ? x.locked_until : null,
        version: x.version,
        createdAt: x.created_at,
        updatedAt: x.updated_at,
      };
    });
  }
}

/** School accounts get school roles, district accounts district roles; head_teacher ⇔ classes. */
function checkRoles(home: AccountHome, roles: StaffRole[], classes: string[]): void {
  const school = 'schoolId' in home;
  for (const role of roles) {
    if (school ? !isSchoolRole(role) : !isDistrictRole(role)) throw new HttpError(400, 'staff.error.role_scope', { role });
  }
  if (roles.includes('head_teacher') !== classes.length > 0) throw new HttpError(400, 'staff.error.classes_needed');
}

async function writeRoles(q: Queryable, accountId: string, roles: StaffRole[], classes: string[]): Promise<void> {
  const pairs: [string, string][] = [];
  for (const role of new Set(roles)) {
    if (role === 'head_teacher') for (const c of new Set(classes)) pairs.push([role, c]);
    else pairs.push([role, '']);
  }
  await q.query('INSERT INTO staff_roles (account_id, role, class_id) SELECT $1, r, c FROM unnest($2::text[], $3::text[]) AS t(r, c)', [accountId, pairs.map((p) => p[0]), pairs.map((p) => p[1])]);
}

/** A head teacher's classes must be classes of the school (some person record carries the class id): a typo would grant nothing, silently. */
async function classesExist(q: Queryable, schoolId: string, classes: string[]): Promise<void> {
  if (!classes.length) return;
  const r = await q.query<{ c: string }>(`SELECT DISTINCT data->>'classId' AS c FROM records WHERE school_id = $1 AND kind = 'person' AND NOT deleted AND data->>'classId' = ANY($2::text[])`, [schoolId, classes]);
  const missing = classes.filter((c) => !r.rows.some((x) => x.c === c));
  if (missing.length) throw new HttpError(400, 'staff.error.class_unknown', { classId: missing.join(', ') });
}

/** The person record an account links to; one account per person. */
async function personOf(q: Queryable, schoolId: string, personKey: string): Promise<{ phone: string | null }> {
  const taken = await q.query('SELECT 1 FROM staff_accounts WHERE school_id = $1 AND person_key = $2', [schoolId, personKey]);
  if (taken.rows.length) throw new HttpError(409, 'staff.error.person_taken', { personKey });
  const r = await q.query<{ phone: string | null }>(`SELECT data->>'phone' AS phone FROM records WHERE school_id = $1 AND kind = 'person' AND key = $2 AND NOT deleted`, [schoolId, personKey]);
  if (!r.rows[0]) throw new HttpError(400, 'staff.error.person_unknown', { personKey });
  return r.rows[0];
}

/** Unique-index violations as a 409 that names the taken value. */
async function unique<T>(p: Promise<T>, values: { username: string; phone: string; personKey: string }): Promise<T> {
  try {
    return await p;
  } catch (err) {
    const e = err as { code?: string; constraint?: string; message?: string };
    if (e.code !== '23505') throw err;
    const which = `${e.constraint ?? ''} ${e.message ?? ''}`;
    if (which.includes('staff_accounts_phone')) throw new HttpError(409, 'staff.error.phone_taken', { phone: values.phone });
    if (which.includes('staff_accounts_person')) throw new HttpError(409, 'staff.error.person_taken', { personKey: values.personKey });
    throw new HttpError(409, 'staff.error.username_taken', { username: values.username });
  }
}
