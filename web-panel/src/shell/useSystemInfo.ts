import { useCallback, useEffect, useState } from 'react';
import { fetchSystem } from '../api/endpoints';
import type { SystemInfo } from '../api/types';
import { useSession } from '../auth/session';
import { useLiveEvents, useLiveReconnect } from '../live/connection';

/** The clock can become trusted (NTP, cloud) while the panel is open: look again now and then. */
const REFRESH_MS = 60_000;
const CLOCK_EVENT_TYPE = 'system.clock';

export function useSystemInfo(): SystemInfo | null {
  const { api } = useSession();
  const [info, setInfo] = useState<SystemInfo | null>(null);

  const refresh = useCallback(() => {
    fetchSystem(api).then(setInfo, (err: unknown) => console.warn('panel: /api/system failed', err));
  }, [api]);

  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  useLiveEvents((e) => {
    if (e.type === CLOCK_EVENT_TYPE) refresh();
  });
  useLiveReconnect(refresh);
  return info;
}
