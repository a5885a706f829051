import { PGlite } from '@electric-sql/pglite';
import type { Database, QueryResult, Queryable } from './database.js';
import { INT8_OID, parseInt8 } from './database.js';

/**
 * PGlite: PostgreSQL compiled to WebAssembly, in-process, one connection. Transactions
 * are serialised by PGlite itself. `dataDir` undefined = in memory.
 */
export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;

  private constructor(readonly db: PGlite) {}

  static async open(dataDir?: string): Promise<PgliteDatabase> {
    const db = await PGlite.create(dataDir, { parsers: { [INT8_OID]: parseInt8 } });
    return new PgliteDatabase(db);
  }

  async query<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    const r = await this.db.query<R>(sql, params);
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (t) =>
      fn({
        query: async <R>(sql: string, params?: unknown[]) => {
          const r = await t.query<R>(sql, params);
          return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
        },
      }),
    );
  }

  /** PGlite is one process: its own LISTEN/NOTIFY, never a gap. */
  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    const stop = await this.db.listen(channel, onNotify);
    return () => stop();
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
