import { describe, expect, it } from 'vitest';
import { syncMetrics } from '../../src/client/metrics.js';
import type { SyncStatus } from '../../src/client/sync-client.js';

describe('syncMetrics', () => {
  it('reports backlog per lane, oldest age in seconds, rate and state', () => {
    const status: SyncStatus = {
      state: 'backing_off',
      backlog: 12,
      backlogByLane: { 0: 1, 1: 2, 2: 0, 3: 9 },
      oldestPendingAgeMs: 90_500,
      ratePerSec: 0,
      etaSeconds: null,
      progress: 0.25,
      sentTotal: 100,
      duplicatesTotal: 3,
      lastSuccessAt: 1_700_000_000_000,
      lastError: { at: 1, status: 503, message: 'x' },
      cursors: { 0: 0, 1: 0, 2: 0, 3: 0 },
      feed: { cursor: 42, applied: 5, lastAppliedAt: null, lastError: null, upToDate: true },
    };
    const m = syncMetrics(status);
    const byKey = Object.fromEntries(m.map((x) => [`${x.name}${x.labels ? JSON.stringify(x.labels) : ''}`, x.value]));
    expect(byKey['campus_sync_backlog_events{"lane":"bulk"}']).toBe(9);
    expect(byKey['campus_sync_backlog_events{"lane":"safety"}']).toBe(1);
    expect(byKey.campus_sync_oldest_unsent_seconds).toBe(90.5);
    expect(byKey.campus_sync_backing_off).toBe(1);
    expect(byKey.campus_sync_feed_cursor).toBe(42);
    expect(byKey.campus_sync_last_success_timestamp_seconds).toBe(1_700_000_000);
  });
});
