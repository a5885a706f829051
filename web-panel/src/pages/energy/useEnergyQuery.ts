import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError, EdgeApi } from '../../api/client';
import { useSession } from '../../auth/session';
import { useLiveReconnect } from '../../live/connection';

export interface EnergyQuery<T> {
  data: T | null;
  loading: boolean;
  error: ApiError | null;
  reload: () => void;
}

/**
 * One GET kept on screen: loads on mount and when `key` changes, again after a
 * reconnect and every `refreshMs` if given. Only the newest answer lands.
 */
export function useEnergyQuery<T>(fetcher: (api: EdgeApi) => Promise<T>, key: string, refreshMs?: number): EnergyQuery<T> {
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
  useEffect(() => {
    if (!refreshMs) return;
    const timer = setInterval(reload, refreshMs);
    return () => clearInterval(timer);
  }, [reload, refreshMs]);
  useLiveReconnect(reload);
  return { data, loading, error, reload };
}
