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
  private listener: PgListener | null = null;

  constructor(opts: PostgresOptions) {
    this.pool = new pg.Pool({
      connectionString: opts.connectionString,
      max: opts.max ?? 10,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      types: { getTypeParser: ((oid: number, format?: string) => (oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format as 'text'))) as typeof pg.types.getTypeParser },
    });
    this.pool.on('error', (err) => opts.onError?.(err));
    this.connectionString = opts.connectionString;
    this.onError = opts.onError;
  }

  private readonly connectionString: string;
  private readonly onError: ((err: Error) => void) | undefined;

  async listen(channel: string, onNotify: (payload: string) => void, onGap?: () => void): Promise<() => Promise<void>> {
    this.listener ??= new PgListener(this.connectionString, this.onError);
    return this.listener.add(channel, onNotify, onGap);
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
    await this.listener?.close();
    await this.pool.end();
  }
}

interface Subscription {
  channel: string;
  onNotify: (payload: string) => void;
  onGap: (() => void) | undefined;
}

/**
 * One dedicated connection (outside the pool: a LISTEN lives on its connection) for all
 * of this process's subscriptions. When it breaks (server restart, network), it reconnects
 * with backoff, LISTENs again and tells every subscriber about the gap: notifications sent
 * while it was away are lost, so they re-check the tables.
 */
class PgListener {
  private readonly subs = new Set<Subscription>();
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;
  private retryMs = 200;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly connectionString: string,
    private readonly onError: ((err: Error) => void) | undefined,
  ) {}

  async add(channel: string, onNotify: (payload: string) => void, onGap?: () => void): Promise<() => Promise<void>> {
    const sub: Subscription = { channel, onNotify, onGap };
    const fresh = ![...this.subs].some((s) => s.channel === channel);
    this.subs.add(sub);
    // Not reachable now: the reconnect loop LISTENs later and reports the gap.
    await this.connect().catch(() => undefined);
    if (fresh && this.client) await this.client.query(`LISTEN ${ident(channel)}`);
    return async () => {
      this.subs.delete(sub);
      if (this.client && ![...this.subs].some((s) => s.channel === channel)) await this.client.query(`UNLISTEN ${ident(channel)}`).catch(() => undefined);
    };
  }

  private connect(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: 10_000 });
      client.on('notification', (m) => {
        for (const s of this.subs) if (s.channel === m.channel) s.onNotify(m.payload ?? '');
      });
      client.on('error', (err) => this.lost(client, err));
      client.on('end', () => this.lost(client, new Error('listen connection ended')));
      try {
        await client.connect();
        for (const ch of new Set([...this.subs].map((s) => s.channel))) await client.query(`LISTEN ${ident(ch)}`);
        this.client = client;
        this.retryMs = 200;
      } catch (err) {
        await client.end().catch(() => undefined);
        this.schedule();
        throw err;
      } finally {
        this.connecting = null;
      }
    })();
    return this.connecting;
  }

  private lost(client: pg.Client, err: Error): void {
    if (this.client !== client) return;
    this.client = null;
    if (this.closed) return;
    this.onError?.(err);
    void client.end().catch(() => undefined);
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect().then(
        () => {
          for (const s of this.subs) s.onGap?.();
        },
        () => undefined,
      );
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connecting?.catch(() => undefined);
    const c = this.client;
    this.client = null;
    await c?.end().catch(() => undefined);
  }
}

/** Channel names are ours (constants), but quote them as identifiers all the same. */
function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`bad channel name ${name}`);
  return `"${name}"`;
}
