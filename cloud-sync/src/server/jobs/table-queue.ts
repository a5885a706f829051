import type { Database, Queryable } from '../db/database.js';
import { DEFAULT_RETRY, type JobHandler, type JobQueue, type RetryPolicy, type SendOptions } from './queue.js';

interface Worker {
  name: string;
  handler: JobHandler<unknown>;
  timer: NodeJS.Timeout | null;
  busy: boolean;
  again: boolean;
}

/**
 * The job queue for PGlite: rows in `job_queue`, claimed with FOR UPDATE SKIP LOCKED
 * (valid on PostgreSQL too), retried with exponential backoff up to `retryLimit`, then
 * left in state 'failed' for inspection.
 */
export class TableQueue implements JobQueue {
  readonly kind = 'table' as const;
  private readonly workers = new Map<string, Worker>();
  private running = false;

  constructor(
    private readonly db: Database,
    private readonly opts: { pollMs?: number; batchSize?: number; retry?: RetryPolicy; onError?: (err: Error) => void } = {},
  ) {}

  async start(): Promise<void> {
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const w of this.workers.values()) if (w.timer) clearTimeout(w.timer);
    // Let a batch in progress finish so its outcome is recorded.
    while ([...this.workers.values()].some((w) => w.busy)) await new Promise((r) => setTimeout(r, 20));
  }

  async send<T extends object>(tx: Queryable, name: string, data: T, opts: SendOptions = {}): Promise<void> {
    const now = Date.now();
    await tx.query('INSERT INTO job_queue (name, data, run_after, created_at) VALUES ($1, $2, $3, $4)', [name, JSON.stringify(data), now + (opts.startAfterMs ?? 0), now]);
  }

  async work<T>(name: string, handler: JobHandler<T>): Promise<void> {
    const w: Worker = { name, handler: handler as JobHandler<unknown>, timer: null, busy: false, again: false };
    this.workers.set(name, w);
    this.schedule(w, 0);
  }

  poke(name: string): void {
    const w = this.workers.get(name);
    if (!w) return;
    if (w.busy) w.again = true;
    else this.schedule(w, 0);
  }

  private schedule(w: Worker, ms: number): void {
    if (!this.running) return;
    if (w.timer) clearTimeout(w.timer);
    w.timer = setTimeout(() => void this.tick(w), ms);
  }

  private async tick(w: Worker): Promise<void> {
    w.timer = null;
    if (!this.running || w.busy) return;
    w.busy = true;
    w.again = false;
    let claimed = 0;
    try {
      claimed = await this.runBatch(w);
    } catch (err) {
      this.opts.onError?.(err as Error);
    } finally {
      w.busy = false;
    }
    this.schedule(w, claimed > 0 || w.again ? 0 : (this.opts.pollMs ?? 500));
  }

  private async runBatch(w: Worker): Promise<number> {
    const now = Date.now();
    const claimed = await this.db.transaction(async (tx) => {
      const r = await tx.query<{ id: number; data: unknown; attempts: number }>(
        `SELECT id, data, attempts FROM job_queue WHERE name = $1 AND state = 'created' AND run_after <= $2
         ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [w.name, now, this.opts.batchSize ?? 20],
      );
      if (r.rows.length) await tx.query(`UPDATE job_queue SET state = 'active', attempts = attempts + 1 WHERE id = ANY($1::bigint[])`, [r.rows.map((x) => x.id)]);
      return r.rows;
    });
    if (claimed.length === 0) return 0;
    try {
      await w.handler(claimed.map((j) => ({ id: String(j.id), data: j.data })));
      await this.db.query(`DELETE FROM job_queue WHERE id = ANY($1::bigint[])`, [claimed.map((x) => x.id)]);
    } catch (err) {
      const retry = this.opts.retry ?? DEFAULT_RETRY;
      for (const j of claimed) {
        const attempts = j.attempts + 1;
        const state = attempts > retry.retryLimit ? 'failed' : 'created';
        const delay = retry.retryDelaySeconds * 1000 * 2 ** (attempts - 1);
        await this.db.query('UPDATE job_queue SET state = $2, run_after = $3, last_error = $4 WHERE id = $1', [j.id, state, Date.now() + delay, String((err as Error).message).slice(0, 500)]);
      }
      this.opts.onError?.(err as Error);
    }
    return claimed.length;
  }
}
