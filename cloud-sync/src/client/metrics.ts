import { LANES } from './outbox.js';
import type { SyncStatus } from './sync-client.js';

/** One metric sample; the edge registers these with its prom-client registry. */
export interface SyncMetric {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  value: number;
  labels?: Record<string, string>;
}

const LANE_NAMES = ['safety', 'gate', 'normal', 'bulk'] as const;

/** Sync status as metrics for /metrics: backlog per lane, oldest unsent age, rate, progress. */
export function syncMetrics(s: SyncStatus): SyncMetric[] {
  const out: SyncMetric[] = LANES.map((lane) => ({
    name: 'campus_sync_backlog_events',
    help: 'Events not yet acknowledged by the cloud, per lane',
    type: 'gauge' as const,
    value: s.backlogByLane[lane],
    labels: { lane: LANE_NAMES[lane] },
  }));
  out.push(
    { name: 'campus_sync_oldest_unsent_seconds', help: 'Age of the oldest unsent event (0 when none)', type: 'gauge', value: (s.oldestPendingAgeMs ?? 0) / 1000 },
    { name: 'campus_sync_rate_events_per_second', help: 'Events acknowledged by the cloud per second (10 s window)', type: 'gauge', value: s.ratePerSec },
    { name: 'campus_sync_catch_up_progress', help: 'Progress of the current catch-up, 0..1 (1 when current)', type: 'gauge', value: s.progress },
    { name: 'campus_sync_sent_events_total', help: 'Events the cloud stored for the first time', type: 'counter', value: s.sentTotal },
    { name: 'campus_sync_duplicate_events_total', help: 'Events resent after a lost acknowledgement (dropped by the cloud)', type: 'counter', value: s.duplicatesTotal },
    { name: 'campus_sync_backing_off', help: '1 while uploads fail and the client waits before retrying', type: 'gauge', value: s.state === 'backing_off' ? 1 : 0 },
    { name: 'campus_sync_last_success_timestamp_seconds', help: 'When the cloud last acknowledged a batch', type: 'gauge', value: (s.lastSuccessAt ?? 0) / 1000 },
  );
  if (s.feed) out.push({ name: 'campus_sync_feed_cursor', help: 'Last applied change-feed position', type: 'gauge', value: s.feed.cursor });
  return out;
}
