import type { Database } from './database.js';
import { PgliteDatabase } from './pglite.js';
import { PostgresDatabase } from './postgres.js';

export interface DatabaseTarget {
  /** postgres://… : use PostgreSQL. */
  databaseUrl?: string;
  /** PGlite data directory (used when no databaseUrl); undefined = in memory. */
  dataDir?: string;
  onError?: (err: Error) => void;
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.databaseUrl) return new PostgresDatabase({ connectionString: target.databaseUrl, ...(target.onError ? { onError: target.onError } : {}) });
  return PgliteDatabase.open(target.dataDir);
}
