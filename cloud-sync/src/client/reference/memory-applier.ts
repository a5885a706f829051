import type { ChangeRecord } from '@campus/protocol/sync/changes';
import type { ChangeApplier, ChangeBatch } from '../change-applier.js';

/** In-memory change applier: the reference implementation for tests. */
export class MemoryChangeApplier implements ChangeApplier {
  private cursor = 0;
  readonly records = new Map<string, ChangeRecord>();
  batches = 0;

  feedCursor(): number {
    return this.cursor;
  }

  applyChanges(batch: ChangeBatch): void {
    for (const change of batch.changes) {
      const id = `${change.kind}/${change.key}`;
      if (change.op === 'delete') this.records.delete(id);
      else this.records.set(id, change);
    }
    this.cursor = Math.max(this.cursor, batch.cursor);
    this.batches++;
  }

  get(kind: string, key: string): Record<string, unknown> | null {
    return this.records.get(`${kind}/${key}`)?.data ?? null;
  }
}
