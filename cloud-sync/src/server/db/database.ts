/**
 * The one seam between the cloud and its database. Two implementations run the same SQL
 * and the same migrations: PostgreSQL through `pg` (production, several cloud processes)
 * and PGlite (embedded, the demo and small installs). Only standard PostgreSQL is used:
 * `unnest` for batch inserts, `ON CONFLICT` for idempotency, row locks for ordering.
 */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction; rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Subscribes to PostgreSQL notifications (`NOTIFY channel, payload`, or `pg_notify` in a
   * transaction, delivered at its commit) from every process on the database. `onGap`
   * runs when notifications may have been missed (the listening connection was lost and
   * re-established): whoever waits on them must re-check. Resolves with an unsubscribe.
   */
  listen(channel: string, onNotify: (payload: string) => void, onGap?: () => void): Promise<() => Promise<void>>;
}

/** int8 (bigint, bigserial, count(*)) as a JS number: our values stay far below 2^53. */
export const INT8_OID = 20;
export const parseInt8 = (v: string): number => Number(v);
