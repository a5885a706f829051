import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../api/client';
import { fetchEvents } from '../../api/endpoints';
import type { PanelEvent } from '../../api/types';
import { useSession } from '../../auth/session';
import { useLiveEvents, useLiveReconnect } from '../../live/connection';
import { FEED_CAPACITY, matchesTypePrefix, mergeEvents } from './feed';

const PAGE_SIZE = 50;

export interface EventFeed {
  events: PanelEvent[];
  loading: boolean;
  error: ApiError | null;
  hasOlder: boolean;
  loadingOlder: boolean;
  loadOlder: () => void;
  reload: () => void;
  /** Ids that arrived over the live connection (for a brief highlight). */
  liveIds: ReadonlySet<string>;
}

/** The newest events of one type prefix, kept current by socket.io without reloading. */
export function useEventFeed(typePrefix: string): EventFeed {
  const { api } = useSession();
  const [events, setEvents] = useState<PanelEvent[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const [hasOlder, setHasOlder] = useState(false);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const liveIds = useRef(new Set<string>());
  // Answers to an older filter must not land in the list of a newer one.
  const generation = useRef(0);

  const loadNewest = useCallback(
    (replace: boolean) => {
      const gen = generation.current;
      if (replace) setLoading(true);
      fetchEvents(api, { limit: PAGE_SIZE, type: typePrefix || undefined }).then(
        (page) => {
          if (gen !== generation.current) return;
          setEvents((prev) => (replace ? page : mergeEvents(prev, page, Math.max(FEED_CAPACITY, prev.length))));
          if (replace) setHasOlder(page.length === PAGE_SIZE);
          setError(null);
          setLoading(false);
        },
        (err: ApiError) => {
          if (gen !== generation.current) return;
          setError(err);
          setLoading(false);
        },
      );
    },
    [api, typePrefix],
  );

  useEffect(() => {
    generation.current += 1;
    setEvents([]);
    loadNewest(true);
  }, [loadNewest]);

  useLiveEvents((e) => {
    if (!matchesTypePrefix(e.type, typePrefix)) return;
    // Highlights only matter for the last few arrivals; forget the rest so a wall screen
    // that runs for weeks does not grow this set without bound.
    if (liveIds.current.size >= FEED_CAPACITY) liveIds.current.clear();
    liveIds.current.add(e.id);
    setEvents((prev) => mergeEvents(prev, [e], Math.max(FEED_CAPACITY, prev.length)));
  });

  // Whatever happened while the connection was down comes from the log, not the socket.
  useLiveReconnect(() => loadNewest(false));

  const loadOlder = useCallback(() => {
    const oldest = events.at(-1);
    if (!oldest) return;
    const gen = generation.current;
    setLoadingOlder(true);
    fetchEvents(api, { limit: PAGE_SIZE, before: oldest.id, type: typePrefix || undefined }).then(
      (page) => {
        if (gen !== generation.current) return;
        setEvents((prev) => mergeEvents(prev, page, Number.POSITIVE_INFINITY));
        setHasOlder(page.length === PAGE_SIZE);
        setLoadingOlder(false);
      },
      (err: ApiError) => {
        if (gen !== generation.current) return;
        setError(err);
        setLoadingOlder(false);
      },
    );
  }, [api, events, typePrefix]);

  const reload = useCallback(() => loadNewest(true), [loadNewest]);

  return { events, loading, error, hasOlder, loadingOlder, loadOlder, reload, liveIds: liveIds.current };
}
