import { useCallback, useEffect, useState } from 'react';
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

  const reload = useCallback(() => {
    fetchDevices(api).then(
      (list) => {
        setClients(list);
        setError(null);
        setLoading(false);
      },
      (err: ApiError) => {
        setError(err);
        setLoading(false);
      },
    );
  }, [api]);

  useEffect(reload, [reload]);
  useLiveReconnect(reload);

  useDevicePresence((update) => {
    const next = applyPresence(clients, update);
    if (next) setClients(next);
    else reload(); // a client the list has not seen yet: ask the edge for its details
  });

  return { clients, loading, error, reload };
}
