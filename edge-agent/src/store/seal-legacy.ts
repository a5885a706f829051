import type { Db } from './open.js';
import type { DataVault } from '../security/vault.js';

/**
 * Seals the values of one text column that an older edge wrote in clear (they do not
 * start with the sealed prefix). Table and column names come from our own code, never
 * from input. Returns how many rows were sealed.
 */
export function sealLegacyColumn(db: Db, vault: DataVault, t: { table: string; id: string; column: string }): number {
  const rows = db.prepare(`SELECT ${t.id} AS id, ${t.column} AS value FROM ${t.table} WHERE ${t.column} IS NOT NULL AND ${t.column} NOT LIKE 'ev1:%'`).all() as Array<{ id: unknown; value: string }>;
  const set = db.prepare(`UPDATE ${t.table} SET ${t.column} = ? WHERE ${t.id} = ?`);
  db.transaction(() => rows.forEach((r) => set.run(vault.seal(r.value), r.id)))();
  return rows.length;
}
