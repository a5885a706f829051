import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { translate } from '@campus/protocol';
import type { Database } from '../db/database.js';
import { HttpError } from '../http/errors.js';
import '../notify/messages.js';
import './messages.js';

export const PhoneSchema = z.string().regex(/^\+?\d{6,15}$/, 'phone number: digits only');
export const OtpRequestSchema = z.object({ phone: PhoneSchema });
export const SessionRequestSchema = z.object({ phone: PhoneSchema, code: z.string().regex(/^\d{6}$/) });

const OTP_TTL_MS = 5 * 60_000;
const OTP_RESEND_MS = 30_000;
const OTP_MAX_ATTEMPTS = 5;
const SESSION_TTL_MS = 30 * 24 * 3600_000;

/** How a one-time code reaches the guardian: the SMS channel, or the log in demo mode. */
export type CodeSender = (phone: string, text: string, code: string) => Promise<void>;

const hash = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Parent sign-in by phone number and one-time code. Codes and session tokens are stored
 * only as hashes. A code is sent only to numbers that belong to a guardian, but the
 * answer is the same either way, so the API does not reveal who is registered.
 */
export class GuardianAuth {
  constructor(
    private readonly db: Database,
    private readonly sendCode: CodeSender,
    private readonly now: () => number = Date.now,
  ) {}

  async requestCode(phone: string): Promise<void> {
    const known = await this.db.query(`SELECT 1 FROM records WHERE kind = 'person' AND NOT deleted AND data->>'phone' = $1 LIMIT 1`, [phone]);
    if (!known.rows.length) return;
    const prev = (await this.db.query<{ sent_at: number }>('SELECT sent_at FROM otp_codes WHERE phone = $1', [phone])).rows[0];
    const t = this.now();
    if (prev && t - prev.sent_at < OTP_RESEND_MS) {
      throw new HttpError(429, 'parent.error.too_soon', { seconds: Math.ceil((OTP_RESEND_MS - (t - prev.sent_at)) / 1000) }, { 'retry-after': '30' });
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await this.db.query(
      `INSERT INTO otp_codes (phone, code_hash, sent_at, expires_at, attempts) VALUES ($1, $2, $3, $4, 0)
       ON CONFLICT (phone) DO UPDATE SET code_hash = EXCLUDED.code_hash, sent_at = EXCLUDED.sent_at, expires_at = EXCLUDED.expires_at, attempts = 0`,
      [phone, hash(`${phone}:${code}`), t, t + OTP_TTL_MS],
    );
    await this.sendCode(phone, translate('zh-CN', 'notice.otp', { code, minutes: OTP_TTL_MS / 60_000 }), code);
  }

  async signIn(phone: string, code: string): Promise<{ token: string; expiresAt: number }> {
    const t = this.now();
    const row = (await this.db.query<{ code_hash: string; expires_at: number; attempts: number }>('SELECT code_hash, expires_at, attempts FROM otp_codes WHERE phone = $1', [phone])).rows[0];
    const fail = () => new HttpError(401, 'parent.signin.failed');
    if (!row || row.expires_at < t || row.attempts >= OTP_MAX_ATTEMPTS) throw fail();
    if (row.code_hash !== hash(`${phone}:${code}`)) {
      await this.db.query('UPDATE otp_codes SET attempts = attempts + 1 WHERE phone = $1', [phone]);
      throw fail();
    }
    await this.db.query('DELETE FROM otp_codes WHERE phone = $1', [phone]);
    const token = randomBytes(32).toString('base64url');
    const expiresAt = t + SESSION_TTL_MS;
    await this.db.query('INSERT INTO parent_sessions (token_hash, phone, created_at, expires_at) VALUES ($1, $2, $3, $4)', [hash(token), phone, t, expiresAt]);
    await this.db.query(`INSERT INTO guardian_accounts (phone, prefs, created_at) VALUES ($1, '{}', $2) ON CONFLICT DO NOTHING`, [phone, t]);
    return { token, expiresAt };
  }

  async signOut(token: string): Promise<void> {
    await this.db.query('DELETE FROM parent_sessions WHERE token_hash = $1', [hash(token)]);
  }

  async phoneOf(token: string): Promise<string | null> {
    const r = await this.db.query<{ phone: string }>('SELECT phone FROM parent_sessions WHERE token_hash = $1 AND expires_at > $2', [hash(token), this.now()]);
    return r.rows[0]?.phone ?? null;
  }

  /** Express middleware: `Authorization: Bearer <token>` → res.locals.phone, else 401. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const m = /^Bearer ([A-Za-z0-9_-]{20,100})$/.exec(req.headers.authorization ?? '');
      if (!m) return next(new HttpError(401, 'parent.error.session'));
      this.phoneOf(m[1]!).then((phone) => {
        if (!phone) return next(new HttpError(401, 'parent.error.session'));
        res.locals.phone = phone;
        res.locals.token = m[1];
        next();
      }, next);
    };
  }
}
