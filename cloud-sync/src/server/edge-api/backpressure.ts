import { HttpError } from '../http/errors.js';

export interface IngestGateOptions {
  /** Ingests running at once in this process (each holds a database connection). */
  maxConcurrent: number;
  /** How long a batch may wait for a free slot before the edge is told to come back (429). */
  maxWaitMs: number;
  /** Batches waiting at most; one more is refused at once (memory stays bounded). */
  maxQueued: number;
}

export const DEFAULT_INGEST_GATE: IngestGateOptions = { maxConcurrent: 8, maxWaitMs: 2_000, maxQueued: 400 };

interface Waiter {
  admit: () => void;
  timer: NodeJS.Timeout;
}

/**
 * Per-process ingest backpressure. A batch runs when fewer than `maxConcurrent` run; else
 * it waits in line (first come, first served) for up to `maxWaitMs` — a burst of edges
 * syncing at once is absorbed in well under a second instead of each being sent away for
 * a whole Retry-After. Only when the line is full, or a batch has waited its time, is the
 * edge answered 429 with a Retry-After estimated from the line ahead and the recent cost
 * of an ingest (whole seconds, at least 1, at most 30). The edge's sync client honours it
 * (cloud-sync/src/client/uploader.ts); nothing is lost, the batch is simply resent.
 */
export class IngestGate {
  private running = 0;
  private readonly line: Waiter[] = [];
  /** Moving average of one ingest's duration (ms). */
  private costMs = 50;

  constructor(private readonly opts: IngestGateOptions = DEFAULT_INGEST_GATE) {
    if (opts.maxConcurrent < 1 || opts.maxWaitMs < 0 || opts.maxQueued < 0) throw new Error('bad ingest gate options');
  }

  get inFlight(): number {
    return this.running;
  }

  get waiting(): number {
    return this.line.length;
  }

  /**
   * Runs `fn` when a slot is free. Rejects with a 429 (nothing run) when the line is full
   * or the wait ran out, and without running when `signal` aborts first (the edge hung up).
   */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.admit(signal);
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.costMs = this.costMs * 0.9 + (performance.now() - t0) * 0.1;
      this.release();
    }
  }

  /** Seconds an edge refused now should wait: the line ahead at the recent pace. */
  retryAfterSeconds(): number {
    const ms = ((this.line.length + 1) * this.costMs) / this.opts.maxConcurrent;
    return Math.min(30, Math.max(1, Math.ceil(ms / 1000)));
  }

  private refuse(): HttpError {
    return new HttpError(429, 'sync.error.rate_limited', undefined, { 'retry-after': String(this.retryAfterSeconds()) });
  }

  private admit(signal?: AbortSignal): Promise<void> {
    if (this.running < this.opts.maxConcurrent && this.line.length === 0) {
      this.running++;
      return Promise.resolve();
    }
    if (this.line.length >= this.opts.maxQueued || this.opts.maxWaitMs === 0) return Promise.reject(this.refuse());
    return new Promise<void>((resolve, reject) => {
      const leave = () => {
        const i = this.line.indexOf(w);
        if (i >= 0) this.line.splice(i, 1);
        clearTimeout(w.timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        leave();
        reject(new HttpError(499, 'sync.error.rate_limited'));
      };
      const w: Waiter = {
        admit: () => {
          leave();
          this.running++;
          resolve();
        },
        timer: setTimeout(() => {
          leave();
          reject(this.refuse());
        }, this.opts.maxWaitMs),
      };
      this.line.push(w);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private release(): void {
    this.running--;
    const next = this.line[0];
    if (next && this.running < this.opts.maxConcurrent) next.admit();
  }
}
