import { createHash, randomInt } from 'node:crypto';
import type { Database } from '../db/database.js';
import { HttpError } from '../http/errors.js';

export const OTP_TTL_MS = 5 * 60_000;
export const OTP_RESEND_MS = 30_000;
export const OTP_MAX_ATTEMPTS = 5;

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Six-digit sign-in codes sent by SMS, one live code per phone number, kept only as a
 * hash: valid for five minutes, at most one every 30 s, dead after five wrong tries.
 * The parent app and the staff console use the same mechanism, each with its own table
 * (a teacher who is also a parent can sign in to both without one code replacing the other).
 */
export class OneTimeCodes {
  constructor(
    private readonly db: Database,
    private readonly table: 'otp_codes' | 'staff_otp_codes',
    /** Message id of the 429 answer; gets `{seconds}`. */
    private readonly tooSoonMessage: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Draws and stores a new code for `phone`; throws 429 when the last one is too recent. */
  async issue(phone: string): Promise<string> {
    const prev = (await this.db.query<{ sent_at: number }>(`SELECT sent_at FROM ${this.table} WHERE phone = $1`, [phone])).rows[0];
    const t = this.now();
    if (prev && t - prev.sent_at < OTP_RESEND_MS) {
      throw new HttpError(429, this.tooSoonMessage, { seconds: Math.ceil((OTP_RESEND_MS - (t - prev.sent_at)) / 1000) }, { 'retry-after': String(OTP_RESEND_MS / 1000) });
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.db.query(
      `INSERT INTO ${this.table} (phone, code_hash, sent_at, expires_at, attempts) VALUES ($1, $2, $3, $4, 0)
       ON CONFLICT (phone) DO UPDATE SET code_hash = EXCLUDED.code_hash, sent_at = EXCLUDED.sent_at, expires_at = EXCLUDED.expires_at, attempts = 0`,
      [phone, sha256(`${phone}:${code}`), t, t + OTP_TTL_MS],
    );
    return code;
  }

  /** True once for the right, live code (then it is gone); a wrong code counts an attempt. */
  async consume(phone: string, code: string): Promise<boolean> {
    const t = this.now();
    const row = (await this.db.query<{ code_hash: string; expires_at: number; attempts: number }>(`SELECT code_hash, expires_at, attempts FROM ${this.table} WHERE phone = $1`, [phone])).rows[0];
    if (!row || row.expires_at < t || row.attempts >= OTP_MAX_ATTEMPTS) return false;
    if (row.code_hash !== sha256(`${phone}:${code}`)) {
      await this.db.query(`UPDATE ${this.table} SET attempts = attempts + 1 WHERE phone = $1`, [phone]);
      return false;
    }
    // Only one of two concurrent sign-ins with the same code wins.
    const del = await this.db.query(`DELETE FROM ${this.table} WHERE phone = $1 AND code_hash = $2`, [phone, row.code_hash]);
    return del.rowCount > 0;
  }
}
