import { useEffect, useRef } from 'react';
import type { GatesOverview } from '@campus/protocol/access/index';
import { fetchGatesOverview } from '../../../api/access';
import { useLiveEvents, useLiveReconnect } from '../../../live/connection';
import { useEdgeQuery, type EdgeQuery } from '../../../api/useEdgeQuery';

/** Events after which the gates' state (links, fire alarm) has changed. */
const STATE_EVENTS = ['access.fire_alarm', 'access.device'];
/** Scans change counters and "last scan" only: fetch at most this often for them. */
const SCAN_REFRESH_MS = 1_000;

/**
 * Zones, gates, readers, relay boards and the fire alarm, kept current: fetched again
 * when the edge reports a fire alarm or a device change, after a reconnect and, with
 * `followScans`, shortly after scans.
 */
export function useGatesOverview(followScans: boolean): EdgeQuery<GatesOverview> {
  const query = useEdgeQuery(fetchGatesOverview, 'gates');
  const { reload } = query;
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => () => clearTimeout(pending.current ?? undefined), []);

  useLiveEvents((e) => {
    if (STATE_EVENTS.includes(e.type)) return reload();
    if (followScans && e.type === 'access.decision' && pending.current === null) {
      pending.current = setTimeout(() => {
        pending.current = null;
        reload();
      }, SCAN_REFRESH_MS);
    }
  });
  useLiveReconnect(reload);
  return query;
}
