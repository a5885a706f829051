import { ChangePageSchema, CHANGES_PATH, type ChangePage, type EdgeSelfReport } from '@campus/protocol/sync/changes';
import type { ChangeApplier } from './change-applier.js';
import { Backoff, type BackoffOptions } from './pacing.js';
import { NetworkError, type SignedTransport } from './transport.js';
import { silentLogger, type SyncLogger } from './logger.js';
import type { ChangeFeedState as ProtocolChangeFeedState } from '@campus/protocol/sync/status';

export interface ChangeFeedOptions {
  transport: SignedTransport;
  applier: ChangeApplier;
  /** Long-poll wait in seconds (the cloud answers at once when something is new). */
  waitSeconds?: number;
  pageSize?: number;
  backoff?: BackoffOptions;
  logger?: SyncLogger;
  now?: () => number;
  /** The edge's health, sent with each request for the console's edge page. */
  report?: () => Promise<EdgeSelfReport | null>;
}

/** The change feed's progress (protocol's ChangeFeedStateSchema, part of SyncStatus). */
export type ChangeFeedState = ProtocolChangeFeedState;

/**
 * Follows the cloud's change feed with long-polls: the cloud holds the request until a
 * change arrives (a revocation reaches an online edge within about a second), so the
 * edge polls rarely when nothing happens. The cursor moves only after the edge applied
 * a page, so a crash mid-page re-fetches that page.
 */
export class ChangeFeedFollower {
  readonly state: ChangeFeedState = { cursor: 0, applied: 0, lastAppliedAt: null, lastError: null, upToDate: false };
  private running = false;
  private abort = new AbortController();
  private loopDone: Promise<void> = Promise.resolve();
  private readonly log: SyncLogger;
  private readonly now: () => number;

  constructor(private readonly opts: ChangeFeedOptions) {
    this.log = opts.logger ?? silentLogger;
    this.now = opts.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.state.cursor = await this.opts.applier.feedCursor();
    this.running = true;
    this.abort = new AbortController();
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    await this.loopDone.catch(() => undefined);
  }

  /** Fetches and applies pages until the feed says nothing more (used by tests and at boot). */
  async catchUp(): Promise<void> {
    for (;;) {
      const page = await this.fetchPage(0);
      await this.apply(page);
      if (!page.more) return;
    }
  }

  private async loop(): Promise<void> {
    const backoff = new Backoff(this.opts.backoff ?? { initialMs: 500, maxMs: 30_000 });
    const wait = this.opts.waitSeconds ?? 25;
    while (this.running) {
      try {
        const page = await this.fetchPage(this.state.upToDate ? wait : 0);
        await this.apply(page);
        this.state.upToDate = !page.more;
        backoff.reset();
      } catch (err) {
        if (!this.running) break;
        const status = (err as { status?: number }).status;
        this.state.lastError = { at: this.now(), ...(status ? { status } : {}), message: (err as Error).message };
        const delay = backoff.next();
        this.log.warn({ err: (err as Error).message, status, delayMs: delay }, 'change feed failed; backing off');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.abort.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
        });
      }
    }
  }

  private async fetchPage(waitSeconds: number): Promise<ChangePage> {
    const report = await this.opts.report?.().catch(() => null);
    const health = report ? `&backlog=${report.backlog}&clock=${report.clockTrusted ? 1 : 0}&ver=${encodeURIComponent(report.version)}` : '';
    const q = `${CHANGES_PATH}?after=${this.state.cursor}&limit=${this.opts.pageSize ?? 500}&wait=${waitSeconds}${health}`;
    let res;
    try {
      res = await this.opts.transport.request('GET', q, undefined, { signal: this.abort.signal, timeoutMs: (waitSeconds + 15) * 1000 });
    } catch (err) {
      throw err instanceof NetworkError ? err : new NetworkError((err as Error).message);
    }
    if (res.status !== 200) throw Object.assign(new Error(`cloud answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`), { status: res.status });
    return ChangePageSchema.parse(JSON.parse(res.body.toString('utf8')));
  }

  private async apply(page: ChangePage): Promise<void> {
    if (page.changes.length === 0 && page.cursor === this.state.cursor) return;
    await this.opts.applier.applyChanges({ changes: page.changes, cursor: page.cursor });
    this.state.cursor = page.cursor;
    this.state.applied += page.changes.length;
    this.state.lastAppliedAt = this.now();
    this.state.lastError = null;
  }
}
