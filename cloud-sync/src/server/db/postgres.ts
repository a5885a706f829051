import pg from 'pg';
import type { Database, QueryResult, Queryable } from './database.js';
import { INT8_OID, parseInt8 } from './database.js';

export interface PostgresOptions {
  connectionString: string;
  max?: number;
  onError?: (err: Error) => void;
}

/**
 * PostgreSQL through a `pg` Pool. A broken connection (server restarted) is dropped by
 * the pool and the next query opens a fresh one, so the service recovers by itself; the
 * pool's 'error' event must be handled or an idle client's failure would crash the process.
 */
export class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;

  constructor(opts: PostgresOptions) {
    this.pool = new pg.Pool({
      connectionString: opts.connectionString,
      max: opts.max ?? 10,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      types: { getTypeParser: ((oid: number, format?: string) => (oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser },
    });
    this.pool.on('error', (err) => opts.onError?.(err));
  }

  async query<R>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    const r = await this.pool.query(sql, params);
    return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    // A server restart while the client is checked out arrives as an 'error' event; the
    // failing query rejects as well, so the event only has to be kept from crashing us.
    const onError = () => (broken = true);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const tx: Queryable = {
        query: async <R>(sql: string, params?: unknown[]) => {
          const r = await client.query(sql, params);
          return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
        },
      };
      const result = await fn(tx);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // connection is gone: let the pool discard it
      }
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
