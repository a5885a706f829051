import { randomBytes } from 'node:crypto';
import { translate } from '@campus/protocol';
import { OneTimeCodes, OTP_TTL_MS, sha256 } from '../auth/one-time-codes.js';
import type { Database, Queryable } from '../db/database.js';
import { HttpError } from '../http/errors.js';
import type { StaffAudit } from './audit.js';
import { DUMMY_HASH, verifyPassword } from './passwords.js';
import type { StaffRole } from './roles.js';
import '../notify/messages.js';
import './messages.js';

/** Who is asking: bound once per request from the session cookie, then checked by `authorize`. */
export interface Principal {
  accountId: string;
  username: string;
  displayName: string;
  personKey: string | null;
  /** Home: exactly one of the two is set. */
  schoolId: string | null;
  districtId: string | null;
  roles: StaffRole[];
  /** Classes of the head_teacher role. */
  classes: string[];
  /** Schools this account may reach: its own, or its district's. */
  schools: string[];
  csrfToken: string;
  tokenHash: string;
}

export interface StaffAuthOptions {
  /** Failed sign-ins (password or code) before the account is locked. */
  maxFailures: number;
  lockoutMs: number;
  /**
   * Failed sign-ins from one address (any username, known or not) before that address is
   * refused for `lockoutMs`: password spraying over many accounts. Counted per process;
   * high by default because a whole school may sit behind one NAT address.
   */
  addressMaxFailures: number;
  sessionTtlMs: number;
  now: () => number;
}

export const DEFAULT_STAFF_AUTH: Omit<StaffAuthOptions, 'now'> = { maxFailures: 5, lockoutMs: 15 * 60_000, addressMaxFailures: 50, sessionTtlMs: 12 * 3600_000 };

export interface IssuedSession {
  token: string;
  csrfToken: string;
  expiresAt: number;
  accountId: string;
}

interface SignInRow {
  id: string;
  username: string;
  school_id: string | null;
  district_id: string | null;
  password_hash: string | null;
  disabled: boolean;
  locked_until: number | null;
}

/** How a sign-in code reaches a staff member: the SMS channel, or the log in demo mode. */
export type StaffCodeSender = (phone: string, text: string, code: string) => Promise<void>;

/**
 * Staff sign-in: password (scrypt) or phone + one-time code (the parent app's mechanism,
 * own table). Failures are counted on the account in the database, so every cloud
 * process sees the same count; past `maxFailures` the account is locked for `lockoutMs`
 * even for the right password. Sessions are random tokens stored as hashes, each with
 * its CSRF token. Sign-ins, failures and lockouts are audited for the account's school.
 */
export class StaffAuth {
  private readonly codes: OneTimeCodes;
  private readonly byAddress = new Map<string, { count: number; first: number; lockedUntil: number }>();

  constructor(
    private readonly db: Database,
    private readonly audit: StaffAudit,
    private readonly sendCode: StaffCodeSender,
    private readonly opts: StaffAuthOptions,
  ) {
    this.codes = new OneTimeCodes(db, 'staff_otp_codes', 'staff.error.too_soon', opts.now);
  }

  async signInWithPassword(username: string, password: string, address: string | null): Promise<IssuedSession> {
    this.refuseIfAddressLocked(address);
    const row = (await this.db.query<SignInRow>('SELECT id, username, school_id, district_id, password_hash, disabled, locked_until FROM staff_accounts WHERE lower(username) = lower($1)', [username])).rows[0];
    if (row) await this.refuseIfLocked(row, address, 'password');
    const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok || row.disabled) {
      this.addressFailed(address);
      if (row) await this.failed(row, address, 'password');
      throw new HttpError(401, 'staff.error.signin_failed');
    }
    return this.open(row, address, 'password');
  }

  /** Sends a code when the number belongs to an enabled, unlocked account; answers the same either way. */
  async requestCode(phone: string): Promise<void> {
    const row = (await this.db.query<SignInRow>('SELECT id, username, school_id, district_id, password_hash, disabled, locked_until FROM staff_accounts WHERE phone = $1', [phone])).rows[0];
    if (!row || row.disabled || (row.locked_until !== null && row.locked_until > this.opts.now())) return;
    const code = await this.codes.issue(phone);
    await this.sendCode(phone, translate('zh-CN', 'notice.otp', { code, minutes: OTP_TTL_MS / 60_000 }), code);
  }

  async signInWithCode(phone: string, code: string, address: string | null): Promise<IssuedSession> {
    this.refuseIfAddressLocked(address);
    const row = (await this.db.query<SignInRow>('SELECT id, username, school_id, district_id, password_hash, disabled, locked_until FROM staff_accounts WHERE phone = $1', [phone])).rows[0];
    if (row) await this.refuseIfLocked(row, address, 'code');
    const ok = await this.codes.consume(phone, code);
    if (!row || !ok || row.disabled) {
      this.addressFailed(address);
      if (row) await this.failed(row, address, 'code');
      throw new HttpError(401, 'staff.error.code_failed');
    }
    return this.open(row, address, 'code');
  }

  /**
   * The home-school app's single sign-in: the phone's code was checked by the app (one code
   * for every identity of the number). Opens a session for the enabled staff account with
   * this phone, or returns null when there is none; a locked account is refused (429).
   */
  async signInVerifiedPhone(phone: string, address: string | null): Promise<IssuedSession | null> {
    const row = (await this.db.query<SignInRow>('SELECT id, username, school_id, district_id, password_hash, disabled, locked_until FROM staff_accounts WHERE phone = $1', [phone])).rows[0];
    if (!row || row.disabled) return null;
    await this.refuseIfLocked(row, address, 'app-code');
    return this.open(row, address, 'app-code');
  }

  /** A wrong app code for a staff phone counts as a failed staff sign-in (lockout). */
  async verifiedPhoneFailed(phone: string, address: string | null): Promise<void> {
    this.refuseIfAddressLocked(address);
    this.addressFailed(address);
    const row = (await this.db.query<SignInRow>('SELECT id, username, school_id, district_id, password_hash, disabled, locked_until FROM staff_accounts WHERE phone = $1', [phone])).rows[0];
    if (row) {
      await this.refuseIfLocked(row, address, 'app-code');
      await this.failed(row, address, 'app-code');
    }
  }

  async signOut(q: Queryable, tokenHash: string): Promise<void> {
    await q.query('DELETE FROM staff_sessions WHERE token_hash = $1', [tokenHash]);
  }

  /** The principal of a session token, or null (unknown, expired, or the account is disabled). */
  async principal(token: string): Promise<Principal | null> {
    const tokenHash = sha256(token);
    const r = await this.db.query<{
      id: string;
      username: string;
      display_name: string;
      person_key: string | null;
      school_id: string | null;
      district_id: string | null;
      csrf_token: string;
      roles: [StaffRole, string][];
      schools: string[];
    }>(
      `SELECT a.id, a.username, a.display_name, a.person_key, a.school_id, a.district_id, s.csrf_token,
              COALESCE((SELECT json_agg(json_build_array(r.role, r.class_id) ORDER BY r.role, r.class_id) FROM staff_roles r WHERE r.account_id = a.id), '[]'::json) AS roles,
              CASE WHEN a.school_id IS NOT NULL THEN json_build_array(a.school_id)
                   ELSE COALESCE((SELECT json_agg(ds.school_id ORDER BY ds.school_id) FROM district_schools ds WHERE ds.district_id = a.district_id), '[]'::json) END AS schools
       FROM staff_sessions s JOIN staff_accounts a ON a.id = s.account_id
       WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT a.disabled`,
      [tokenHash, this.opts.now()],
    );
    const x = r.rows[0];
    if (!x) return null;
    return {
      accountId: x.id,
      username: x.username,
      displayName: x.display_name,
      personKey: x.person_key,
      schoolId: x.school_id,
      districtId: x.district_id,
      roles: [...new Set(x.roles.map((p) => p[0]))],
      classes: x.roles.filter((p) => p[0] === 'head_teacher').map((p) => p[1]),
      schools: x.schools,
      csrfToken: x.csrf_token,
      tokenHash,
    };
  }

  private refuseIfAddressLocked(address: string | null): void {
    const f = address ? this.byAddress.get(address) : undefined;
    const t = this.opts.now();
    if (f && f.lockedUntil > t) {
      const seconds = Math.ceil((f.lockedUntil - t) / 1000);
      throw new HttpError(429, 'staff.error.address_locked', { seconds }, { 'retry-after': String(seconds) });
    }
  }

  private addressFailed(address: string | null): void {
    if (!address) return;
    const t = this.opts.now();
    let f = this.byAddress.get(address);
    if (!f || t - f.first > this.opts.lockoutMs) f = { count: 0, first: t, lockedUntil: 0 };
    f.count++;
    if (f.count >= this.opts.addressMaxFailures) f.lockedUntil = t + this.opts.lockoutMs;
    this.byAddress.set(address, f);
    if (this.byAddress.size > 10_000) for (const [k, v] of this.byAddress) if (v.lockedUntil < t && t - v.first > this.opts.lockoutMs) this.byAddress.delete(k);
  }

  private async refuseIfLocked(row: SignInRow, address: string | null, method: string): Promise<void> {
    const t = this.opts.now();
    if (row.locked_until === null || row.locked_until <= t) return;
    const seconds = Math.ceil((row.locked_until - t) / 1000);
    await this.audit.append(this.db, { ...who(row), action: 'staff.signin.locked', target: row.id, detail: { method, retryAfterSec: seconds }, address });
    throw new HttpError(429, 'staff.error.locked', { seconds }, { 'retry-after': String(seconds) });
  }

  private async failed(row: SignInRow, address: string | null, method: string): Promise<void> {
    const t = this.opts.now();
    // A lock that has run out starts a fresh count.
    const r = await this.db.query<{ failed_signins: number; locked_until: number | null }>(
      `UPDATE staff_accounts SET
         failed_signins = CASE WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN 1 ELSE failed_signins + 1 END,
         locked_until = CASE
           WHEN (CASE WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN 1 ELSE failed_signins + 1 END) >= $3 THEN $2 + $4
           WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN NULL
           ELSE locked_until END
       WHERE id = $1 RETURNING failed_signins, locked_until`,
      [row.id, t, this.opts.maxFailures, this.opts.lockoutMs],
    );
    const after = r.rows[0];
    const lockedNow = after?.locked_until !== null && after?.locked_until !== undefined && after.locked_until > t;
    await this.audit.append(this.db, { ...who(row), action: lockedNow ? 'staff.signin.lockout' : 'staff.signin.failed', target: row.id, detail: { method, failures: after?.failed_signins ?? null }, address });
  }

  private async open(row: SignInRow, address: string | null, method: string): Promise<IssuedSession> {
    const t = this.opts.now();
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = t + this.opts.sessionTtlMs;
    await this.db.transaction(async (tx) => {
      await tx.query('UPDATE staff_accounts SET failed_signins = 0, locked_until = NULL WHERE id = $1', [row.id]);
      await tx.query('DELETE FROM staff_sessions WHERE account_id = $1 AND expires_at <= $2', [row.id, t]);
      await tx.query('INSERT INTO staff_sessions (token_hash, account_id, csrf_token, created_at, expires_at, address) VALUES ($1, $2, $3, $4, $5, $6)', [sha256(token), row.id, csrfToken, t, expiresAt, address]);
      await this.audit.append(tx, { ...who(row), action: 'staff.signin', target: row.id, detail: { method }, address });
    });
    return { token, csrfToken, expiresAt, accountId: row.id };
  }
}

function who(row: SignInRow) {
  return { schoolId: row.school_id, districtId: row.district_id, actorId: row.id, actorName: row.username };
}
