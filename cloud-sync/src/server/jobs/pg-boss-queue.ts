import PgBoss from 'pg-boss';
import type { Queryable } from '../db/database.js';
import { DEFAULT_RETRY, type JobHandler, type JobQueue, type RetryPolicy } from './queue.js';

/**
 * pg-boss on the cloud's PostgreSQL (schema "pgboss"). Jobs are inserted through the
 * caller's transaction (pg-boss's `db` option), so they commit with the data. Workers in
 * every cloud process share the queue; `poke` wakes this process's worker at once so a
 * gate event does not wait for the next poll.
 */
export class PgBossQueue implements JobQueue {
  readonly kind = 'pg-boss' as const;
  private readonly boss: PgBoss;
  private readonly workerIds = new Map<string, string>();
  private readonly queues = new Set<string>();

  constructor(
    connectionString: string,
    private readonly opts: { pollSeconds?: number; batchSize?: number; retry?: RetryPolicy; onError?: (err: Error) => void } = {},
  ) {
    this.boss = new PgBoss({ connectionString, max: 4, schema: 'pgboss', supervise: true, migrate: true });
    this.boss.on('error', (err: Error) => opts.onError?.(err));
  }

  async start(): Promise<void> {
    await this.boss.start();
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }

  private async ensureQueue(name: string): Promise<void> {
    if (this.queues.has(name)) return;
    const retry = this.opts.retry ?? DEFAULT_RETRY;
    if (!(await this.boss.getQueue(name))) {
      await this.boss.createQueue(name, { name, retryLimit: retry.retryLimit, retryDelay: retry.retryDelaySeconds, retryBackoff: true }).catch(async (err: Error) => {
        if (!(await this.boss.getQueue(name))) throw err; // another process created it first: fine
      });
    }
    this.queues.add(name);
  }

  async send<T extends object>(tx: Queryable, name: string, data: T): Promise<void> {
    await this.ensureQueue(name);
    await this.boss.send(name, data, { db: { executeSql: (text: string, values: unknown[]) => tx.query(text, values) } });
  }

  async work<T>(name: string, handler: JobHandler<T>): Promise<void> {
    await this.ensureQueue(name);
    const id = await this.boss.work<T>(name, { pollingIntervalSeconds: this.opts.pollSeconds ?? 0.5, batchSize: this.opts.batchSize ?? 20 }, async (jobs) => {
      await handler(jobs.map((j) => ({ id: j.id, data: j.data })));
    });
    this.workerIds.set(name, id);
  }

  poke(name: string): void {
    const id = this.workerIds.get(name);
    if (id) this.boss.notifyWorker(id);
  }
}
