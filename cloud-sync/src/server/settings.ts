import { randomBytes } from 'node:crypto';
import type { Database } from './db/database.js';
import { generateVapidKeys, type VapidKeys } from './notify/channels/web-push.js';

/**
 * Secrets the cloud makes for itself on first start and keeps in the database, so every
 * process and every restart uses the same: the VAPID key pair (browsers bind push
 * subscriptions to it) and, when none is configured, the admin token.
 */
async function getOrCreate<T>(db: Database, key: string, make: () => T): Promise<{ value: T; created: boolean }> {
  // Several processes starting at once: exactly one insert wins, and only that one says "created".
  const ins = await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key', [key, JSON.stringify(make())]);
  const r = await db.query<{ value: T }>('SELECT value FROM settings WHERE key = $1', [key]);
  return { value: r.rows[0]!.value, created: ins.rows.length > 0 };
}

export async function storedVapidKeys(db: Database, subject: string): Promise<VapidKeys> {
  return (await getOrCreate(db, 'vapid', () => generateVapidKeys(subject))).value;
}

/** The admin token; `created` is true only for the start that made it (first-run set-up). */
export function storedAdminToken(db: Database): Promise<{ value: string; created: boolean }> {
  return getOrCreate(db, 'admin_token', () => randomBytes(24).toString('base64url'));
}
