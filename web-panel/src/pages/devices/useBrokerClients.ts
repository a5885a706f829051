import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../api/client';
import { fetchDevices } from '../../api/endpoints';
import type { BrokerClient } from '../../api/types';
import { useSession } from '../../auth/session';
import { useDevicePresence, useLiveReconnect } from '../../live/connection';
import { applyPresence } from './presence';

export interface BrokerClientList {
  clients: BrokerClient[];
  loading: boolean;
  error: ApiError | null;
  reload: () => void;
}

/** The broker's registered clients, with online state kept live over socket.io. */
export function useBrokerClients(): BrokerClientList {
  const { api } = useSession();
  const [clients, setClients] = useState<BrokerClient[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  // Client ids of the last list, read by the presence listener between renders.
  const known = useRef(new Set<string>());
  // Only the newest request may replace the list (a slow old answer could undo a presence update).
  const latestRequest = useRef(0);

  const reload = useCallback(() => {
    const request = ++latestRequest.current;
    fetchDevices(api).then(
      (list) => {
        if (request !== latestRequest.current) return;
        known.current = new Set(list.map((c) => c.clientId));
        setClients(list);
        setError(null);
        setLoading(false);
      },
      (err: ApiError) => {
        if (request !== latestRequest.current) return;
        setError(err);
        setLoading(false);
      },
    );
  }, [api]);

  useEffect(reload, [reload]);
  useLiveReconnect(reload);

  useDevicePresence((update) => {
    // A client the list has not seen yet: ask the edge for its name and kind.
    if (!known.current.has(update.clientId)) return reload();
    setClients((prev) => applyPresence(prev, update) ?? prev);
  });

  return { clients, loading, error, reload };
}
