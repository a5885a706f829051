import { randomBytes } from 'node:crypto';
import { PICKUP_CODE_STEP_MS, pickupCode, pickupCodeKey, pickupCodeStep } from '@campus/protocol/bus/pickup';
import type { Queryable } from '../db/database.js';

/**
 * The cloud side of the one-time pickup code (接送码, protocol/src/bus/pickup.ts): one random
 * secret per school, kept in the settings table (never exported, never logged, never sent
 * to a box), from which every pickup_person record's `codeKey` is derived on write. The
 * parent app asks for the current code; the bus box checks it with the record's codeKey.
 */
const secretKey = (schoolId: string) => `pickup_code_secret:${schoolId}`;

/** The school's pickup-code secret (32 random bytes, made on first use; concurrent first uses agree). */
export async function pickupSecret(q: Queryable, schoolId: string): Promise<Buffer> {
  const read = async () => (await q.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [secretKey(schoolId)])).rows[0]?.value;
  let v = await read();
  if (v === undefined) {
    await q.query('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [secretKey(schoolId), JSON.stringify(randomBytes(32).toString('base64url'))]);
    v = (await read())!;
  }
  return Buffer.from(v, 'base64url');
}

/**
 * A pickup_person record's data with its codeKey set from the school's secret, the record
 * key and its passVersion (whatever codeKey the writer sent is replaced: only the cloud
 * derives it, and a new passVersion gives a new key, so old codes stop working).
 */
export function withCodeKey(secret: Buffer, key: string, data: Record<string, unknown>): Record<string, unknown> {
  const passVersion = typeof data.passVersion === 'number' ? data.passVersion : 0;
  return { ...data, codeKey: pickupCodeKey(secret, key, passVersion) };
}

/** A record's data as staff see it: without the code key (only the box and the cloud hold it). */
export function withoutCodeKey<T extends { data: Record<string, unknown> }>(kind: string, r: T): T {
  if (kind !== 'pickup_person' || !('codeKey' in r.data)) return r;
  const { codeKey: _drop, ...data } = r.data;
  return { ...r, data };
}

export interface GuardianPickupCode {
  /** The pickup_person record key. */
  key: string;
  name: string;
  relation: string;
  code: string;
  /** Start of the code's 5-minute step (unix ms). */
  from: number;
  /** When the app should show the next code (the end of this step). */
  next: number;
  /** The box accepts the code until then (this step and the next). */
  until: number;
}

export interface GuardianPickupCodes {
  /** Whether the child has a bus assignment: without one there is no bus door to show a code at. */
  assigned: boolean;
  codes: GuardianPickupCode[];
  now: number;
}

/**
 * The current pickup codes of a child for the signed-in guardian: the child's pickup_person
 * records naming the guardian (by phone, or by person when the record names the guardian's
 * person), valid now and carrying a codeKey. Call only after the guardian check.
 */
export async function guardianPickupCodes(q: Queryable, phone: string, schoolId: string, studentKey: string, now: number): Promise<GuardianPickupCodes> {
  const assigned = (await q.query(`SELECT 1 FROM records WHERE school_id = $1 AND kind = 'bus_assignment' AND NOT deleted AND data->>'personId' = $2 LIMIT 1`, [schoolId, studentKey])).rows.length > 0;
  if (!assigned) return { assigned, codes: [], now };
  const r = await q.query<{ key: string; data: Record<string, unknown> }>(
    `SELECT pp.key, pp.data FROM records pp
     WHERE pp.school_id = $1 AND pp.kind = 'pickup_person' AND NOT pp.deleted AND pp.data->>'studentId' = $2
       AND (pp.data->>'phone' = $3 OR pp.data->>'personId' IN (
         SELECT p.key FROM records p WHERE p.school_id = $1 AND p.kind = 'person' AND NOT p.deleted AND p.data->>'phone' = $3))
     ORDER BY pp.key`,
    [schoolId, studentKey, phone],
  );
  const step = pickupCodeStep(now);
  const codes: GuardianPickupCode[] = [];
  for (const { key, data } of r.rows) {
    if (typeof data.codeKey !== 'string') continue;
    if (typeof data.validFrom === 'number' && data.validFrom > now) continue;
    if (typeof data.validUntil === 'number' && data.validUntil < now) continue;
    codes.push({
      key,
      name: String(data.name),
      relation: String(data.relation),
      code: pickupCode(data.codeKey, studentKey, step),
      from: step * PICKUP_CODE_STEP_MS,
      next: (step + 1) * PICKUP_CODE_STEP_MS,
      until: (step + 2) * PICKUP_CODE_STEP_MS,
    });
  }
  return { assigned, codes, now };
}
