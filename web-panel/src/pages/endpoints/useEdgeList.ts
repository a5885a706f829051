import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../api/client';
import type { EdgeApi } from '../../api/client';
import type { PanelEvent } from '../../api/types';
import { useSession } from '../../auth/session';
import { useDevicePresence, useLiveEvents, useLiveReconnect } from '../../live/connection';

/** Live events often come in bursts (a push acknowledged by every PC): one reload per burst. */
const RELOAD_DEBOUNCE_MS = 300;

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
  const { api } = useSession();
  const [items, setItems] = useState<T[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const latest = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });

  const reload = useCallback(() => {
    const request = ++latest.current;
    loadRef.current(api).then(
      (list) => {
        if (request !== latest.current) return;
        setItems(list);
        setError(null);
        setLoading(false);
      },
      (err: ApiError) => {
        if (request !== latest.current) return;
        setError(err);
        setLoading(false);
      },
    );
  }, [api]);

  const soon = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = setTimeout(reload, RELOAD_DEBOUNCE_MS);
  }, [reload]);

  useEffect(() => {
    reload();
    const every = opts.refreshMs ? setInterval(reload, opts.refreshMs) : undefined;
    return () => {
      clearInterval(every);
      clearTimeout(timer.current);
    };
  }, [reload, opts.refreshMs]);

  useLiveReconnect(reload);
  useLiveEvents((e) => {
    if (opts.refreshOn(e)) soon();
  });
  useDevicePresence(() => {
    if (opts.onPresence) soon();
  });

  return { items, loading, error, reload };
}
