import { DEFAULT_BACKOFF, reconnectDelay, type BackoffPolicy } from './backoff.js';
import { toLinkError, type LinkErrorInfo, type LinkState, type LinkStatus } from './linkStatus.js';
import type { DriverLogger } from './logger.js';

/** What a connect function hands back: the live link and how to tear it down. */
export interface Connection<L> {
  link: L;
  destroy(): Promise<void>;
}

/**
 * Handed to each connect attempt. `lost` ends this connection and schedules a retry;
 * `current` turns false once the loop has moved on, so late callbacks from an old
 * port or socket cannot disturb the new one.
 */
export interface LinkHooks {
  lost(error: Error | null): void;
  readonly current: boolean;
}

export interface ReconnectLoopOptions<L> {
  id: string;
  kind: string;
  backoff?: BackoffPolicy;
  connect(hooks: LinkHooks): Promise<Connection<L>>;
  onState(status: LinkStatus): void;
  onOpen?(link: L): void;
  logger: DriverLogger;
}

/**
 * Keeps one link open for as long as it is wanted: connect, notice the loss, wait a
 * capped exponential delay, connect again. Owns no I/O itself, so the serial path,
 * the TCP serial server, the HID device and the Modbus client all share one tested
 * state machine. Nothing here throws into a caller's event handler.
 */
export class ReconnectLoop<L> {
  readonly #o: ReconnectLoopOptions<L>;
  readonly #backoff: BackoffPolicy;
  #wanted = false;
  #generation = 0;
  #conn: Connection<L> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #opens = 0;
  #status: LinkStatus;

  constructor(options: ReconnectLoopOptions<L>) {
    this.#o = options;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#status = {
      id: options.id,
      kind: options.kind,
      state: 'closed',
      since: Date.now(),
      error: null,
      failedAttempts: 0,
      reconnects: 0,
      nextAttemptAt: null,
    };
  }

  get link(): L | null {
    return this.#conn?.link ?? null;
  }

  get status(): LinkStatus {
    return { ...this.#status, error: this.#status.error ? { ...this.#status.error } : null };
  }

  get wanted(): boolean {
    return this.#wanted;
  }

  /** Starts connecting; idempotent. */
  start(): void {
    if (this.#wanted) return;
    this.#wanted = true;
    this.#attempt();
  }

  /** Stops for good (until the next start): cancels retries and closes the link. */
  async stop(): Promise<void> {
    this.#wanted = false;
    this.#generation++;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const conn = this.#conn;
    this.#conn = null;
    if (conn) await safeDestroy(conn, this.#o.logger, this.#o.id);
    this.#set('closed', null, 0);
  }

  /** The owner noticed the link is unusable (e.g. a device stopped answering). */
  fail(error: Error): void {
    this.#lost(this.#generation, error);
  }

  #attempt(): void {
    this.#timer = null;
    if (!this.#wanted) return;
    const gen = ++this.#generation;
    let lostBeforeOpen: { error: Error | null } | null = null;
    const isCurrent = (): boolean => this.#generation === gen;
    const hooks: LinkHooks = {
      lost: (error) => {
        if (!isCurrent()) return;
        if (this.#conn) this.#lost(gen, error);
        else lostBeforeOpen = { error };
      },
      get current() {
        return isCurrent();
      },
    };
    this.#set('connecting', null, this.#status.failedAttempts);
    Promise.resolve()
      .then(() => this.#o.connect(hooks))
      .then(
        (conn) => {
          if (gen !== this.#generation || !this.#wanted) {
            void safeDestroy(conn, this.#o.logger, this.#o.id);
            return;
          }
          this.#conn = conn;
          if (this.#opens++ > 0) this.#status.reconnects++;
          this.#set('open', null, 0);
          if (lostBeforeOpen) {
            this.#lost(gen, lostBeforeOpen.error);
            return;
          }
          try {
            this.#o.onOpen?.(conn.link);
          } catch (error) {
            this.#o.logger.error({ err: error, link: this.#o.id }, 'link onOpen hook failed');
          }
        },
        (error: unknown) => {
          if (gen !== this.#generation || !this.#wanted) return;
          this.#set('error', toLinkError(error), this.#status.failedAttempts + 1);
          this.#schedule();
        },
      );
  }

  #lost(gen: number, error: Error | null): void {
    if (gen !== this.#generation || !this.#conn) return;
    const conn = this.#conn;
    this.#conn = null;
    this.#generation++;
    void safeDestroy(conn, this.#o.logger, this.#o.id);
    if (!this.#wanted) return;
    this.#set('error', error ? toLinkError(error) : { code: 'ECLOSED', message: 'link closed by the device or peer' }, 0);
    this.#schedule();
  }

  #schedule(): void {
    if (!this.#wanted || this.#timer) return;
    // After a loss failedAttempts is 0, so the first retry comes quickly.
    const delay = reconnectDelay(Math.max(0, this.#status.failedAttempts - 1), this.#backoff);
    this.#status.nextAttemptAt = Date.now() + delay;
    this.#timer = setTimeout(() => this.#attempt(), delay);
    this.#emitState();
  }

  #set(state: LinkState, error: LinkErrorInfo | null, failedAttempts: number): void {
    this.#status.state = state;
    this.#status.since = Date.now();
    if (state !== 'connecting') this.#status.error = error;
    this.#status.failedAttempts = failedAttempts;
    this.#status.nextAttemptAt = null;
    // 'error' is announced once its retry is scheduled, so the report says when.
    if (state !== 'error' || !this.#wanted) this.#emitState();
  }

  #emitState(): void {
    try {
      this.#o.onState(this.status);
    } catch (error) {
      this.#o.logger.error({ err: error, link: this.#o.id }, 'link state listener failed');
    }
  }
}

async function safeDestroy<L>(conn: Connection<L>, logger: DriverLogger, id: string): Promise<void> {
  try {
    await conn.destroy();
  } catch (error) {
    logger.debug({ err: error, link: id }, 'closing a dead link failed (ignored)');
  }
}
