import { useCallback, useEffect, useRef } from 'react';
import type { ApiError } from '../../api/client';
import type { EdgeApi } from '../../api/client';
import type { PanelEvent } from '../../api/types';
import { useEdgeQuery } from '../../api/useEdgeQuery';
import { useDevicePresence, useLiveEvents } from '../../live/connection';

/** Live events often come in bursts (a push acknowledged by every PC): one reload per burst. */
const RELOAD_DEBOUNCE_MS = 300;
const EMPTY: never[] = [];

export interface EdgeList<T> {
  items: T[];
  loading: boolean;
  error: ApiError | null;
  reload: () => void;
}

/**
 * A list from the edge, fetched again when a live event says it changed (and after a
 * reconnect, and every `refreshMs` for values no event announces, such as heartbeats).
 */
export function useEdgeList<T>(
  load: (api: EdgeApi) => Promise<T[]>,
  opts: { refreshOn: (e: PanelEvent) => boolean; onPresence?: boolean; refreshMs?: number },
): EdgeList<T> {
  const { data, loading, error, reload } = useEdgeQuery(load, 'list', { refreshMs: opts.refreshMs, reloadOnReconnect: true });
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const soon = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(reload, RELOAD_DEBOUNCE_MS);
  }, [reload]);
  useEffect(() => () => clearTimeout(timer.current), []);

  useLiveEvents((e) => {
    if (opts.refreshOn(e)) soon();
  });
  useDevicePresence(() => {
    if (opts.onPresence) soon();
  });

  return { items: data ?? EMPTY, loading, error, reload };
}
