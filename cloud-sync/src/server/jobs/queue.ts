import type { Queryable } from '../db/database.js';

export interface Job<T> {
  id: string;
  data: T;
}

export type JobHandler<T> = (jobs: Job<T>[]) => Promise<void>;

/**
 * Background work shared by every cloud process. `send` takes the caller's transaction,
 * so a job exists exactly when the data that caused it was committed (no lost notice
 * when the process dies between the two). A handler that throws is retried later with
 * backoff, so handlers must be idempotent.
 *
 * Two implementations with this interface:
 * - PgBossQueue: pg-boss on PostgreSQL (SKIP LOCKED, several processes, retries).
 * - TableQueue: the `job_queue` table, used with PGlite, where pg-boss cannot run
 *   (it needs a server with LISTEN and several connections). PGlite is one process, so
 *   a polling loop in that process is all that is needed.
 */
export interface JobQueue {
  readonly kind: 'pg-boss' | 'table';
  start(): Promise<void>;
  stop(): Promise<void>;
  send<T extends object>(tx: Queryable, name: string, data: T, opts?: SendOptions): Promise<void>;
  work<T>(name: string, handler: JobHandler<T>): Promise<void>;
  /** Hint that a job was just committed: poll now instead of at the next interval. */
  poke(name: string): void;
}

export interface SendOptions {
  /** Run no earlier than this many ms from now (an escalation step's wait, a webhook's retry schedule). */
  delayMs?: number;
  /** Higher runs first within its queue (pg-boss); the table queue runs in order. */
  priority?: number;
}

export interface RetryPolicy {
  retryLimit: number;
  retryDelaySeconds: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retryLimit: 8, retryDelaySeconds: 2 };
