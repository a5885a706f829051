import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { translate } from '@campus/protocol';
import { PhoneSchema } from '@campus/protocol/phone';
import { OneTimeCodes, OTP_TTL_MS, sha256 as hash } from '../auth/one-time-codes.js';
import type { Database, Queryable } from '../db/database.js';
import { HttpError } from '../http/errors.js';
import '../notify/messages.js';
import './messages.js';

export const OtpRequestSchema = z.object({ phone: PhoneSchema });
export const SessionRequestSchema = z.object({ phone: PhoneSchema, code: z.string().regex(/^\d{6}$/) });

const SESSION_TTL_MS = 30 * 24 * 3600_000;

/** How a one-time code reaches the guardian: the SMS channel, or the log in demo mode. */
export type CodeSender = (phone: string, text: string, code: string) => Promise<void>;

/**
 * Parent sign-in by phone number and one-time code. Codes and session tokens are stored
 * only as hashes. A code is sent only to numbers that belong to a guardian, but the
 * answer is the same either way, so the API does not reveal who is registered.
 */
export class GuardianAuth {
  private readonly codes: OneTimeCodes;

  constructor(
    private readonly db: Database,
    private readonly sendCode: CodeSender,
    private readonly now: () => number = Date.now,
  ) {
    this.codes = new OneTimeCodes(db, 'otp_codes', 'parent.error.too_soon', now);
  }

  async requestCode(phone: string): Promise<void> {
    const known = await this.db.query(`SELECT 1 FROM records WHERE kind = 'person' AND NOT deleted AND data->>'phone' = $1 LIMIT 1`, [phone]);
    if (!known.rows.length) return;
    const code = await this.codes.issue(phone);
    await this.sendCode(phone, translate('zh-CN', 'notice.otp', { code, minutes: OTP_TTL_MS / 60_000 }), code);
  }

  async signIn(phone: string, code: string): Promise<{ token: string; expiresAt: number }> {
    if (!(await this.codes.consume(phone, code))) throw new HttpError(401, 'parent.signin.failed');
    return this.openSession(phone);
  }

  /** A session for a phone number whose owner has already proved it (a code checked elsewhere, or a signed-in staff account linked to the person). */
  async openSession(phone: string, q: Queryable = this.db): Promise<{ token: string; expiresAt: number }> {
    const t = this.now();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = t + SESSION_TTL_MS;
    await q.query('INSERT INTO parent_sessions (token_hash, phone, created_at, expires_at) VALUES ($1, $2, $3, $4)', [hash(token), phone, t, expiresAt]);
    await q.query(`INSERT INTO guardian_accounts (phone, prefs, created_at) VALUES ($1, '{}', $2) ON CONFLICT DO NOTHING`, [phone, t]);
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
