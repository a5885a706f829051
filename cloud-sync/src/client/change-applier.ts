import type { ChangeRecord } from '@campus/protocol/sync/changes';
import type { Awaitable } from './outbox.js';

/** One page of the cloud's change feed, to be applied as a unit. */
export interface ChangeBatch {
  changes: ChangeRecord[];
  /** The feed cursor after this page. */
  cursor: number;
}

/**
 * Where cloud-owned records (roster, guardianships, cards and revocations, leaves,
 * visitor passes, calendars, USB policies) land on the edge. The edge store implements
 * it; `MemoryChangeApplier` is the reference and `changeApplierContract` the test.
 *
 * `applyChanges` must store the records and `batch.cursor` together (one transaction):
 * the client asks for "changes after feedCursor()" on every start. Each change carries
 * the full record, so applying a page twice is harmless (upsert by kind+key).
 */
export interface ChangeApplier {
  feedCursor(): Awaitable<number>;
  applyChanges(batch: ChangeBatch): Awaitable<void>;
}
