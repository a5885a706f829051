import { IngestResultSchema, INGEST_PATH, MAX_BATCH_BYTES, MAX_BATCH_EVENTS } from '@campus/protocol/sync/ingest';
import { BULK_LANES, URGENT_LANES, type Lane, type LaneCursors, type OutboxEntry, type SyncOutbox } from './outbox.js';
import { Backoff, BandwidthBucket, Wakeable, type BackoffOptions } from './pacing.js';
import { RateMeter } from './rate-meter.js';
import { NetworkError, type SignedTransport } from './transport.js';
import { silentLogger, type SyncLogger } from './logger.js';
import type { SyncError } from '@campus/protocol/sync/status';

export interface UploaderOptions {
  outbox: SyncOutbox;
  transport: SignedTransport;
  /** Cap on upload bytes per second (request bodies); unlimited when absent. */
  bandwidthBytesPerSec?: number;
  maxBatchEvents?: number;
  maxBatchBytes?: number;
  /** Batches in flight per lane group (acknowledged in order); default 2. */
  pipeline?: number;
  /** How often an idle lane looks for new events when nobody calls `wake()`. */
  idlePollMs?: number;
  backoff?: BackoffOptions;
  /**
   * Ceiling of the wait after a failure to reach the cloud at all (no connection: a bus in
   * a tunnel, a 4G modem re-dialling), default 5 s. Trying a connection costs nothing on a
   * dead link, and a long wait here is what the trip recorded offline waits for once the
   * link is back. Answers from the cloud (429, 5xx, refusals) keep `backoff`.
   */
  linkRetryMaxMs?: number;
  logger?: SyncLogger;
  now?: () => number;
}

/** The last failed upload (protocol's SyncErrorSchema, part of SyncStatus). */
export type UploadError = SyncError;

export interface UploaderCounters {
  sent: number;
  duplicates: number;
  batches: number;
  bytes: number;
  lastSuccessAt: number | null;
  lastError: UploadError | null;
  backingOff: boolean;
}

/** A 4xx the cloud will give again for the same bytes (not 408/429). */
class RefusedBatch extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Drains the outbox to the cloud. Two loops run side by side over one connection pool:
 * the urgent loop (safety, gate) and the bulk loop (normal, telemetry). Each sends a
 * batch, waits for the cloud's 2xx, and only then advances the lane cursors, so a crash
 * at any point resends at most the batch in flight, and the cloud drops the repeats by
 * event id.
 */
export class EventUploader {
  private readonly cursors: LaneCursors = { 0: 0, 1: 0, 2: 0, 3: 0 };
  private readonly urgentWake = new Wakeable();
  private readonly bulkWake = new Wakeable();
  private readonly bucket: BandwidthBucket | null;
  private readonly meter: RateMeter;
  private readonly log: SyncLogger;
  private readonly now: () => number;
  private running = false;
  private abort = new AbortController();
  private loops: Promise<void>[] = [];
  private ackChain: Promise<void> = Promise.resolve();
  /** Halved on 413 so an oversized batch can still get through. */
  private batchEventsLimit: number;
  readonly counters: UploaderCounters = { sent: 0, duplicates: 0, batches: 0, bytes: 0, lastSuccessAt: null, lastError: null, backingOff: false };

  constructor(private readonly opts: UploaderOptions) {
    this.now = opts.now ?? Date.now;
    this.bucket = opts.bandwidthBytesPerSec ? new BandwidthBucket(opts.bandwidthBytesPerSec, undefined, this.now) : null;
    this.meter = new RateMeter(10_000, this.now);
    this.log = opts.logger ?? silentLogger;
    this.batchEventsLimit = Math.min(opts.maxBatchEvents ?? 2000, MAX_BATCH_EVENTS);
  }

  async start(): Promise<void> {
    if (this.running) return;
    Object.assign(this.cursors, await this.opts.outbox.cursors());
    this.running = true;
    this.abort = new AbortController();
    this.loops = [this.loop(URGENT_LANES, this.urgentWake, true), this.loop(BULK_LANES, this.bulkWake, false)];
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.abort.abort();
    this.urgentWake.wake();
    this.bulkWake.wake();
    await Promise.allSettled(this.loops);
    await this.ackChain;
  }

  /** New events were appended: send now instead of at the next poll. */
  wake(): void {
    this.urgentWake.wake();
    this.bulkWake.wake();
  }

  /** Events per second acknowledged by the cloud over the last ten seconds. */
  rate(): number {
    return this.meter.perSecond();
  }

  ackedCursors(): LaneCursors {
    return { ...this.cursors };
  }

  /**
   * One lane group. Up to `pipeline` batches are in flight at once (a slow link or a busy
   * cloud then never idles the other side), but cursors advance strictly in send order:
   * batch k is acknowledged only after every batch before it. When any batch fails, the
   * ones behind it are abandoned and everything from the acknowledged cursor is sent
   * again (the cloud drops what it already has).
   */
  private async loop(lanes: readonly Lane[], wake: Wakeable, urgent: boolean): Promise<void> {
    const pacing = this.opts.backoff ?? { initialMs: 500, maxMs: 60_000 };
    const backoff = new Backoff(pacing);
    const linkBackoff = new Backoff({ initialMs: pacing.initialMs, maxMs: Math.min(pacing.maxMs, this.opts.linkRetryMaxMs ?? 5_000) });
    const window = Math.max(1, this.opts.pipeline ?? 2);
    const inFlight: { entries: OutboxEntry[]; done: Promise<unknown> }[] = [];
    /** Where the next batch starts: ahead of the acknowledged cursors while batches are in flight. */
    let sent = { ...this.cursors };
    while (this.running) {
      try {
        if (inFlight.length < window) {
          const batch = await this.nextBatch(lanes, urgent, sent);
          if (batch.entries.length > 0) {
            if (this.bucket && !urgent) {
              const wait = this.bucket.waitMs();
              if (wait > 0 && inFlight.length === 0) {
                await this.pause(wait);
                continue;
              }
            }
            if (!this.bucket || urgent || this.bucket.waitMs() === 0) {
              this.bucket?.take(batch.body.length);
              sent = { ...sent, ...maxSeqByLane(batch.entries) };
              const done = this.send(batch.body, batch.entries.length).then(
                () => null,
                (err: unknown) => err,
              );
              inFlight.push({ entries: batch.entries, done });
              continue;
            }
          } else if (inFlight.length === 0) {
            await wake.sleep(this.opts.idlePollMs ?? 1000);
            continue;
          }
        }
        const head = inFlight[0]!;
        const err = await head.done;
        if (err) throw err;
        inFlight.shift();
        this.counters.backingOff = false;
        backoff.reset();
        linkBackoff.reset();
        await this.acknowledge(head.entries);
      } catch (err) {
        await Promise.all(inFlight.map((f) => f.done));
        inFlight.length = 0;
        sent = { ...this.cursors };
        if (!this.running) break;
        const status = err instanceof RefusedBatch ? err.status : (err as { status?: number }).status;
        this.counters.lastError = { at: this.now(), ...(status ? { status } : {}), message: (err as Error).message };
        if (err instanceof RefusedBatch && err.status === 413 && this.batchEventsLimit > 1) {
          this.batchEventsLimit = Math.max(1, Math.floor(this.batchEventsLimit / 2));
          this.log.warn({ limit: this.batchEventsLimit }, 'cloud refused batch as too large; halving batch size');
          continue;
        }
        const retryAfter = (err as { retryAfterMs?: number }).retryAfterMs ?? 0;
        const delay = err instanceof NetworkError ? linkBackoff.next() : backoff.next(retryAfter);
        this.counters.backingOff = true;
        this.log.warn({ err: (err as Error).message, status, delayMs: delay, urgent }, 'upload failed; backing off');
        await this.pause(delay);
      }
    }
    await Promise.all(inFlight.map((f) => f.done));
  }

  private async nextBatch(lanes: readonly Lane[], urgent: boolean, from: LaneCursors): Promise<{ entries: OutboxEntry[]; body: string }> {
    let maxBytes = Math.min(this.opts.maxBatchBytes ?? 1024 * 1024, MAX_BATCH_BYTES - 1024);
    if (this.bucket && !urgent) maxBytes = this.bucket.suggestedBatchBytes(maxBytes);
    const entries: OutboxEntry[] = [];
    const parts: string[] = [];
    let bytes = 14; // {"events":[]}
    for (const lane of lanes) {
      const room = this.batchEventsLimit - entries.length;
      if (room <= 0) break;
      const rows = await this.opts.outbox.pending(lane, from[lane], room);
      for (const row of rows) {
        const json = JSON.stringify(row.event);
        const size = Buffer.byteLength(json) + 1;
        // Always send at least one event, so a single large event cannot stall the lane.
        if (entries.length > 0 && bytes + size > maxBytes) return { entries, body: `{"events":[${parts.join(',')}]}` };
        entries.push(row);
        parts.push(json);
        bytes += size;
      }
    }
    return { entries, body: `{"events":[${parts.join(',')}]}` };
  }

  private async send(body: string, count: number): Promise<void> {
    let res;
    try {
      res = await this.opts.transport.request('POST', INGEST_PATH, body, { signal: this.abort.signal });
    } catch (err) {
      if (err instanceof NetworkError) throw err;
      throw new NetworkError((err as Error).message);
    }
    if (res.status >= 200 && res.status < 300) {
      const parsed = IngestResultSchema.safeParse(JSON.parse(res.body.toString('utf8') || '{}'));
      const duplicates = parsed.success ? parsed.data.duplicates : 0;
      this.counters.sent += count - duplicates;
      this.counters.duplicates += duplicates;
      this.counters.batches++;
      this.counters.bytes += Buffer.byteLength(body);
      this.counters.lastSuccessAt = this.now();
      this.meter.add(count);
      return;
    }
    const message = `cloud answered ${res.status}: ${res.body.toString('utf8').slice(0, 300)}`;
    if (res.status === 429 || res.status === 408 || res.status >= 500) {
      const retryAfterS = Number(res.headers['retry-after']);
      throw Object.assign(new Error(message), { status: res.status, retryAfterMs: Number.isFinite(retryAfterS) ? retryAfterS * 1000 : 0 });
    }
    // 400/401/403/413: the same bytes will be refused again. Never skip events: keep
    // retrying slowly and surface the error in status() so someone looks at it.
    throw new RefusedBatch(res.status, message);
  }

  /** Advances lane cursors to the highest seq sent per lane; one durable write. */
  private acknowledge(entries: OutboxEntry[]): Promise<void> {
    const update = maxSeqByLane(entries);
    // Both loops ack through one chain so two writes never interleave in the store.
    this.ackChain = this.ackChain.catch(() => undefined).then(async () => {
      await this.opts.outbox.ack(update);
      for (const [lane, seq] of Object.entries(update)) {
        const l = Number(lane) as Lane;
        if (seq! > this.cursors[l]) this.cursors[l] = seq!;
      }
    });
    return this.ackChain;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.abort.signal;
      if (signal.aborted) return resolve();
      const t = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        resolve();
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function maxSeqByLane(entries: OutboxEntry[]): Partial<LaneCursors> {
  const out: Partial<LaneCursors> = {};
  for (const { seq, event } of entries) {
    const lane = event.priority as Lane;
    if ((out[lane] ?? 0) < seq) out[lane] = seq;
  }
  return out;
}
