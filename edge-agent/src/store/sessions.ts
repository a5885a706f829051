import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './open.js';

export interface Session {
  userId: number;
  csrfToken: string;
  expiresAt: number;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Sessions survive restarts; only a hash of the cookie token is stored. */
export class SessionRepo {
  constructor(
    private readonly db: Db,
    private readonly now: () => number,
  ) {}

  create(userId: number, ttlMs: number, address: string | null): { token: string; session: Session } {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const t = this.now();
    this.db
      .prepare('INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, address) VALUES (?, ?, ?, ?, ?, ?)')
      .run(hashToken(token), userId, csrfToken, t, t + ttlMs, address);
    return { token, session: { userId, csrfToken, expiresAt: t + ttlMs } };
  }

  get(token: string): Session | undefined {
    const r = this.db
      .prepare('SELECT user_id, csrf_token, expires_at FROM sessions WHERE token_hash = ?')
      .get(hashToken(token)) as { user_id: number; csrf_token: string; expires_at: number } | undefined;
    if (!r || r.expires_at <= this.now()) return undefined;
    return { userId: r.user_id, csrfToken: r.csrf_token, expiresAt: r.expires_at };
  }

  delete(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(hashToken(token));
  }

  deleteForUser(userId: number): void {
    this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId);
  }

  purgeExpired(): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(this.now()).changes;
  }
}
