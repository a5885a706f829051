import type { ChangeApplier } from './change-applier.js';
import { ChangeFeedFollower } from './change-feed.js';
import type { BackoffOptions } from './pacing.js';
import { LANES, type SyncOutbox } from './outbox.js';
import { SignedTransport, type EdgeCredentials } from './transport.js';
import { EventUploader } from './uploader.js';
import type { SyncLogger } from './logger.js';
import type { SyncStatus as ProtocolSyncStatus } from '@campus/protocol/sync/status';
import type { EdgeSelfReport } from '@campus/protocol/sync/changes';

export interface CloudSyncOptions {
  cloudUrl: string;
  credentials: EdgeCredentials;
  outbox: SyncOutbox;
  /** Omit to run upload only (e.g. a cloud that owns no records for this edge). */
  applier?: ChangeApplier;
  /** Upload cap in bytes per second; unlimited when absent. */
  bandwidthBytesPerSec?: number;
  /** Trust this CA for the cloud's HTTPS certificate (in addition to the system's). */
  ca?: string | Buffer;
  maxBatchEvents?: number;
  maxBatchBytes?: number;
  /** Batches in flight per lane group, acknowledged in order (default 2). */
  pipeline?: number;
  idlePollMs?: number;
  feedWaitSeconds?: number;
  backoff?: BackoffOptions;
  /** Ceiling of the upload retry wait while the cloud cannot be reached at all (default 5 s; see UploaderOptions). */
  linkRetryMaxMs?: number;
  logger?: SyncLogger;
  now?: () => number;
  /** Clock trust and software version, reported with the backlog on each change-feed request (the console's edge health). */
  edgeInfo?: () => { clockTrusted: boolean; version: string };
}

/** Everything the metrics endpoint, the API and the panel show about sync (protocol's SyncStatusSchema). */
export type SyncStatus = ProtocolSyncStatus;

/** A backlog above this counts as "catching up" (shown as a progress bar). */
const CATCH_UP_THRESHOLD = 500;

/**
 * The edge's end of cloud sync: drains the outbox upward and follows the change feed
 * downward. The edge-agent creates one, calls `start()`, calls `wake()` after appending
 * urgent events, and reads `status()` for metrics and the panel.
 */
export class CloudSyncClient {
  private readonly transport: SignedTransport;
  private readonly uploader: EventUploader;
  private readonly feed: ChangeFeedFollower | null;
  private readonly now: () => number;
  private running = false;
  /** Backlog when the current catch-up began, for the progress bar. */
  private catchUpStart = 0;

  constructor(private readonly opts: CloudSyncOptions) {
    this.now = opts.now ?? Date.now;
    this.transport = new SignedTransport({ cloudUrl: opts.cloudUrl, credentials: opts.credentials, ...(opts.ca ? { ca: opts.ca } : {}), now: this.now });
    this.uploader = new EventUploader({
      outbox: opts.outbox,
      transport: this.transport,
      ...pick(opts, ['bandwidthBytesPerSec', 'maxBatchEvents', 'maxBatchBytes', 'pipeline', 'idlePollMs', 'backoff', 'linkRetryMaxMs', 'logger']),
      now: this.now,
    });
    this.feed = opts.applier
      ? new ChangeFeedFollower({
          transport: this.transport,
          applier: opts.applier,
          ...(opts.feedWaitSeconds !== undefined ? { waitSeconds: opts.feedWaitSeconds } : {}),
          ...pick(opts, ['backoff', 'logger']),
          now: this.now,
          ...(opts.edgeInfo ? { report: () => this.selfReport() } : {}),
        })
      : null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.uploader.start();
    await this.feed?.start();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await Promise.all([this.uploader.stop(), this.feed?.stop()]);
    this.transport.close();
  }

  /** Call after appending events: urgent lanes go out now rather than at the next poll. */
  wake(): void {
    this.uploader.wake();
  }

  private async selfReport(): Promise<EdgeSelfReport | null> {
    if (!this.opts.edgeInfo) return null;
    const backlog = await this.opts.outbox.backlog();
    return { backlog: LANES.reduce<number>((s, l) => s + backlog.pendingByLane[l], 0), ...this.opts.edgeInfo() };
  }

  async status(): Promise<SyncStatus> {
    const backlog = await this.opts.outbox.backlog();
    const total = LANES.reduce<number>((s, l) => s + backlog.pendingByLane[l], 0);
    const c = this.uploader.counters;
    const rate = this.uploader.rate();
    if (total <= CATCH_UP_THRESHOLD) this.catchUpStart = 0;
    else if (total > this.catchUpStart) this.catchUpStart = total;
    const catchingUp = this.catchUpStart > 0;
    const state: SyncStatus['state'] = !this.running ? 'stopped' : c.backingOff ? 'backing_off' : catchingUp ? 'catching_up' : total > 0 ? 'sending' : 'idle';
    return {
      state,
      backlog: total,
      backlogByLane: backlog.pendingByLane,
      oldestPendingAgeMs: backlog.oldestPendingAt === null ? null : Math.max(0, this.now() - backlog.oldestPendingAt),
      ratePerSec: rate,
      etaSeconds: total > 0 && rate > 0 ? Math.ceil(total / rate) : null,
      progress: catchingUp ? Math.min(1, Math.max(0, 1 - total / this.catchUpStart)) : 1,
      sentTotal: c.sent,
      duplicatesTotal: c.duplicates,
      lastSuccessAt: c.lastSuccessAt,
      lastError: c.lastError,
      cursors: this.uploader.ackedCursors(),
      feed: this.feed ? { ...this.feed.state } : null,
    };
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
