import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../../api/client';
import type { EdgeApi } from '../../../api/client';
import { useSession } from '../../../auth/session';

export interface EdgeQuery<T> {
  data: T | null;
  /** True until the first answer (later refreshes keep showing the last data). */
  loading: boolean;
  error: ApiError | null;
  reload: () => void;
}

/**
 * One GET kept on screen: loads on mount and whenever `key` changes, reloads on demand
 * (live events, reconnects, a timer). Only the newest request may land, so a slow old
 * answer never overwrites a fresh one.
 */
export function useEdgeQuery<T>(fetcher: (api: EdgeApi) => Promise<T>, key: string): EdgeQuery<T> {
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

  return { data, loading, error, reload };
}
