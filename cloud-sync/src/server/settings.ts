import { randomBytes } from 'node:crypto';
import type { Database } from './db/database.js';
import { generateVapidKeys, type VapidKeys } from './notify/channels/web-push.js';

/**
 * Secrets the cloud makes for itself on first start and keeps in the database, so every
 * process and every restart uses the same: the VAPID key pair (browsers bind push
 * subscriptions to it) and, when none is configured, the admin token.
 */
async function getOrCreate<T>(db: Database, key: string, make: () => T): Promise<T> {
  await db.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, JSON.stringify(make())]);
  const r = await db.query<{ value: T }>('SELECT value FROM settings WHERE key = $1', [key]);
  return r.rows[0]!.value;
}

export function storedVapidKeys(db: Database, subject: string): Promise<VapidKeys> {
  return getOrCreate(db, 'vapid', () => generateVapidKeys(subject));
}

export function storedAdminToken(db: Database): Promise<string> {
  return getOrCreate(db, 'admin_token', () => randomBytes(24).toString('base64url'));
}
