import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiError } from '../../../api/client';
import { fetchDecisions } from '../../../api/access';
import type { PanelEvent } from '../../../api/types';
import { useSession } from '../../../auth/session';
import { useLiveEvents, useLiveReconnect } from '../../../live/connection';
import { DECISION_CAPACITY, mergeDecisions, toGateDecision, type GateDecision } from './decisions';

export interface DecisionFeed {
  decisions: GateDecision[];
  loading: boolean;
  error: ApiError | null;
  reload: () => void;
  /** Adds a decision the panel caused (an override) without waiting for the socket. */
  add: (event: PanelEvent) => void;
  /** Ids that arrived live since the page opened (they glow briefly). */
  liveIds: ReadonlySet<string>;
}

function decisionsOf(events: readonly PanelEvent[]): GateDecision[] {
  return events.map(toGateDecision).filter((d): d is GateDecision => d !== null);
}

/** Gate decisions, newest first: the log's latest on open and after a reconnect, then live. */
export function useDecisionFeed(): DecisionFeed {
  const { api } = useSession();
  const [decisions, setDecisions] = useState<GateDecision[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);
  const liveIds = useRef(new Set<string>());

  const load = useCallback(() => {
    fetchDecisions(api, DECISION_CAPACITY).then(
      (events) => {
        setDecisions((prev) => mergeDecisions(prev, decisionsOf(events)));
        setError(null);
        setLoading(false);
      },
      (err: ApiError) => {
        setError(err);
        setLoading(false);
      },
    );
  }, [api]);

  useEffect(load, [load]);
  useLiveReconnect(load);

  const add = useCallback((event: PanelEvent) => {
    const d = toGateDecision(event);
    if (!d) return;
    // A guard's tablet runs all day: highlights only matter for the last arrivals.
    if (liveIds.current.size >= DECISION_CAPACITY) liveIds.current.clear();
    liveIds.current.add(d.id);
    setDecisions((prev) => mergeDecisions(prev, [d]));
  }, []);

  useLiveEvents(add);

  return { decisions, loading, error, reload: load, add, liveIds: liveIds.current };
}
