import type { ChangeApplier, ChangeBatch } from '@campus/cloud-sync/client';
import type { ChangeRecord } from '@campus/protocol/sync/changes';
import type { Db } from '../store/open.js';
import type { DataVault } from '../security/vault.js';

/**
 * Where cloud-owned records land: stored as delivered, with the feed cursor, in one
 * transaction (so a crash between the two cannot skip or double-apply a page). After
 * commit, listeners (the access and endpoint domains) project the changes into their
 * own state; a listener that fails is logged by the bus and catches up on restart
 * by reading `all(kind)`. The records (people, guardians' phones, leaves) are sealed
 * at rest; kind, key and cursor stay in clear for lookups.
 */
export class CloudRecords implements ChangeApplier {
  private readonly listeners = new Set<(changes: ChangeRecord[]) => void>();

  constructor(
    private readonly db: Db,
    private readonly vault: DataVault,
  ) {}

  /** Seals records stored before encryption at rest existed; returns how many. */
  sealLegacy(): number {
    const rows = this.db.prepare("SELECT kind, key, data FROM cloud_records WHERE data NOT LIKE 'ev1:%'").all() as Array<{ kind: string; key: string; data: string }>;
    const set = this.db.prepare('UPDATE cloud_records SET data = ? WHERE kind = ? AND key = ?');
    this.db.transaction(() => rows.forEach((r) => set.run(this.vault.seal(r.data), r.kind, r.key)))();
    return rows.length;
  }

  private read(data: string): Record<string, unknown> {
    return JSON.parse(this.vault.unseal(data)) as Record<string, unknown>;
  }

  onApplied(listener: (changes: ChangeRecord[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  feedCursor(): number {
    return (this.db.prepare('SELECT cursor FROM sync_feed WHERE id = 1').get() as { cursor: number }).cursor;
  }

  applyChanges(batch: ChangeBatch): void {
    const upsert = this.db.prepare(
      `INSERT INTO cloud_records (kind, key, data, feed_seq, changed_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(kind, key) DO UPDATE SET data = excluded.data, feed_seq = excluded.feed_seq, changed_at = excluded.changed_at
       WHERE excluded.feed_seq >= cloud_records.feed_seq`,
    );
    const remove = this.db.prepare('DELETE FROM cloud_records WHERE kind = ? AND key = ? AND feed_seq <= ?');
    this.db.transaction(() => {
      for (const c of batch.changes) {
        if (c.op === 'delete') remove.run(c.kind, c.key, c.seq);
        else upsert.run(c.kind, c.key, this.vault.seal(JSON.stringify(c.data ?? {})), c.seq, c.changedAt);
      }
      this.db.prepare('UPDATE sync_feed SET cursor = max(cursor, ?) WHERE id = 1').run(batch.cursor);
    })();
    if (batch.changes.length) for (const l of this.listeners) l(batch.changes);
  }

  get(kind: string, key: string): Record<string, unknown> | undefined {
    const r = this.db.prepare('SELECT data FROM cloud_records WHERE kind = ? AND key = ?').get(kind, key) as { data: string } | undefined;
    return r && this.read(r.data);
  }

  all(kind: string): Array<{ key: string; data: Record<string, unknown>; feedSeq: number }> {
    return (this.db.prepare('SELECT key, data, feed_seq FROM cloud_records WHERE kind = ? ORDER BY key').all(kind) as Array<{ key: string; data: string; feed_seq: number }>).map((r) => ({
      key: r.key,
      data: this.read(r.data),
      feedSeq: r.feed_seq,
    }));
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM cloud_records').get() as { n: number }).n;
  }
}
