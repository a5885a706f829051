import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError, EdgeApi } from './client';
import { useSession } from '../auth/session';
import { useLiveReconnect } from '../live/connection';

export interface EdgeQuery<T> {
  data: T | null;
  /** True until the first answer (later refreshes keep showing the last data). */
  loading: boolean;
  error: ApiError | null;
  reload: () => void;
}

export interface EdgeQueryOptions {
  /** Reload on this interval, for values no live event announces. */
  refreshMs?: number;
  /** Reload after the live connection comes back (what may have been missed). */
  reloadOnReconnect?: boolean;
}

/**
 * One GET kept on screen, shared by every page: loads on mount and whenever `key`
 * changes, reloads on demand, on a timer and after a reconnect if asked. Only the
 * newest request may land, so a slow old answer never overwrites a fresh one.
 */
export function useEdgeQuery<T>(fetcher: (api: EdgeApi) => Promise<T>, key: string, opts: EdgeQueryOptions = {}): EdgeQuery<T> {
  const { api } = useSession();
  const [data, setData] = useState<T | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const latest = useRef(0);
  const fetcherRef = useRef(fetcher);
  useEffect(() => {
    fetcherRef.current = fetcher;
  });

  const reload = useCallback(() => {
    const request = ++latest.current;
    fetcherRef.current(api).then(
      (value) => {
        if (request !== latest.current) return;
        setData(value);
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

  useEffect(() => {
    setLoading(true);
    reload();
  }, [reload, key]);

  const { refreshMs, reloadOnReconnect = false } = opts;
  useEffect(() => {
    if (!refreshMs) return;
    const timer = setInterval(reload, refreshMs);
    return () => clearInterval(timer);
  }, [reload, refreshMs]);
  useLiveReconnect(() => {
    if (reloadOnReconnect) reload();
  });

  return { data, loading, error, reload };
}
