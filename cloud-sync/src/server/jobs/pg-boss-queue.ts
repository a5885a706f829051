import PgBoss from 'pg-boss';
import type { Queryable } from '../db/database.js';
import { Wakeable } from '../../client/pacing.js';
import { DEFAULT_RETRY, type JobHandler, type JobQueue, type RetryPolicy, type SendOptions } from './queue.js';

/**
 * pg-boss on the cloud's PostgreSQL (schema "pgboss"). Jobs are inserted through the
 * caller's transaction (pg-boss's `db` option), so they commit with the data. Workers in
 * every cloud process share the queue; `poke` wakes this process's worker at once so a
 * gate event does not wait for the next poll.
 */
export class PgBossQueue implements JobQueue {
  readonly kind = 'pg-boss' as const;
  private readonly boss: PgBoss;
  private readonly workers = new Map<string, { name: string; wakes: Wakeable[]; done: Promise<void> }>();
  private running = false;
  private readonly queues = new Set<string>();

  constructor(
    connectionString: string,
    private readonly opts: {
      pollSeconds?: number;
      batchSize?: number;
      concurrency?: number;
      retry?: RetryPolicy;
      /**
       * A job taken by a process that then died (kill -9, power loss) is handed to another
       * process this long after it was taken, plus up to `supervisorSeconds`. Handlers are
       * idempotent, so a slow one that overruns it costs a repeat, never a duplicate notice.
       */
      expireSeconds?: number;
      supervisorSeconds?: number;
      onError?: (err: Error) => void;
    } = {},
  ) {
    this.boss = new PgBoss({ connectionString, max: 4, schema: 'pgboss', supervise: true, migrate: true, maintenanceIntervalSeconds: opts.supervisorSeconds ?? 30 });
    this.boss.on('error', (err: Error) => opts.onError?.(err));
  }

  async start(): Promise<void> {
    await this.boss.start();
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const w of this.workers.values()) for (const x of w.wakes) x.wake();
    await Promise.all([...this.workers.values()].map((w) => w.done));
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }

  private async ensureQueue(name: string): Promise<void> {
    if (this.queues.has(name)) return;
    const retry = this.opts.retry ?? DEFAULT_RETRY;
    if (!(await this.boss.getQueue(name))) {
      await this.boss.createQueue(name, { name, retryLimit: retry.retryLimit, retryDelay: retry.retryDelaySeconds, retryBackoff: true, expireInSeconds: this.opts.expireSeconds ?? 120 }).catch(async (err: Error) => {
        if (!(await this.boss.getQueue(name))) throw err; // another process created it first: fine
      });
    }
    this.queues.add(name);
  }

  async send<T extends object>(tx: Queryable, name: string, data: T, opts: SendOptions = {}): Promise<void> {
    await this.ensureQueue(name);
    await this.boss.send(name, data, {
      db: { executeSql: (text: string, values: unknown[]) => tx.query(text, values) },
      ...(opts.delayMs && opts.delayMs > 0 ? { startAfter: new Date(Date.now() + opts.delayMs) } : {}),
      ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
    });
  }

  /**
   * Our own fetch loop rather than `boss.work()`: pg-boss 10's worker does not await
   * `complete`/`fail`, so a database restart mid-job becomes an unhandled rejection.
   * Here every call is awaited and a failure just waits for the next round.
   */
  async work<T>(name: string, handler: JobHandler<T>): Promise<void> {
    await this.ensureQueue(name);
    const w = { name, wakes: [] as Wakeable[], done: Promise.resolve() };
    this.workers.set(name, w);
    // Several fetch loops, so a slow batch (a push service taking its time) does not hold
    // up the notices behind it; SKIP LOCKED keeps them from taking the same jobs.
    const loop = async (wake: Wakeable) => {
      while (this.running) {
        let jobs: PgBoss.Job<T>[] = [];
        try {
          jobs = await this.boss.fetch<T>(name, { batchSize: this.opts.batchSize ?? 5 });
        } catch (err) {
          this.opts.onError?.(err as Error);
        }
        if (jobs.length === 0) {
          await wake.sleep((this.opts.pollSeconds ?? 0.5) * 1000);
          continue;
        }
        const ids = jobs.map((j) => j.id);
        try {
          await handler(jobs.map((j) => ({ id: j.id, data: j.data })));
          await this.boss.complete(name, ids);
        } catch (err) {
          this.opts.onError?.(err as Error);
          // If this fails too (database gone), the jobs expire and pg-boss retries them.
          await this.boss.fail(name, ids).catch(() => undefined);
        }
      }
    };
    w.wakes = Array.from({ length: this.opts.concurrency ?? 4 }, () => new Wakeable());
    w.done = Promise.all(w.wakes.map(loop)).then(() => undefined);
  }

  poke(name: string): void {
    // Wake every loop: idle ones fetch now, a busy one re-checks as soon as it is done.
    const w = this.workers.get(name);
    if (w) for (const x of w.wakes) x.wake();
  }
}
