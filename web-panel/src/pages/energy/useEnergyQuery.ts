import { useEdgeQuery, type EdgeQuery } from '../../api/useEdgeQuery';
import type { EdgeApi } from '../../api/client';

export type EnergyQuery<T> = EdgeQuery<T>;

/** Energy pages follow live values: reload after a reconnect and every `refreshMs`. */
export function useEnergyQuery<T>(fetcher: (api: EdgeApi) => Promise<T>, key: string, refreshMs?: number): EnergyQuery<T> {
  return useEdgeQuery(fetcher, key, { refreshMs, reloadOnReconnect: true });
}
