import { useCallback, useEffect, useRef, useState } from 'react';
import { EdgeApi, type ApiError } from '../../../api/client';
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

/** How old the early answer may be when the page mounts (older: the page asks again). */
const EARLY_FRESH_MS = 10_000;

interface EarlyAnswer {
  at: number;
  request: Promise<PanelEvent[]>;
  /** Set once the answer is in: the page's first render can show it. */
  events?: PanelEvent[];
}

/**
 * The gate page's decisions, asked for as soon as its code loads (the shell preloads it
 * for a reload or deep link), so the request runs while the shell renders rather than
 * after the page has mounted. A plain read: no CSRF token, and a 401 or failure simply
 * leaves the page to ask itself. Used once, by the first mount.
 */
let early: EarlyAnswer | null = startEarly();

function startEarly(): EarlyAnswer | null {
  if (typeof window === 'undefined' || typeof fetch !== 'function') return null;
  const api = new EdgeApi({ onUnauthorized: () => undefined });
  const answer: EarlyAnswer = { at: Date.now(), request: fetchDecisions(api, DECISION_CAPACITY) };
  answer.request.then(
    (events) => {
      answer.events = events;
    },
    () => undefined,
  );
  return answer;
}

/** The early answer if it is fresh, handed out once. */
function takeEarly(): EarlyAnswer | null {
  const e = early;
  early = null;
  return e && Date.now() - e.at <= EARLY_FRESH_MS ? e : null;
}

/** Gate decisions, newest first: the log's latest on open and after a reconnect, then live. */
export function useDecisionFeed(): DecisionFeed {
  const { api } = useSession();
  const [first] = useState(takeEarly);
  const [decisions, setDecisions] = useState<GateDecision[]>(() => (first?.events ? decisionsOf(first.events) : []));
  const [loading, setLoading] = useState(!first?.events);
  const [error, setError] = useState<ApiError | null>(null);
  const liveIds = useRef(new Set<string>());
  const pendingFirst = useRef(first?.events ? null : first);

  const load = useCallback(() => {
    // The first load takes the early request if it is still on its way, else asks now.
    const pending = pendingFirst.current;
    pendingFirst.current = null;
    const request = pending ? pending.request.catch(() => fetchDecisions(api, DECISION_CAPACITY)) : fetchDecisions(api, DECISION_CAPACITY);
    request.then(
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

  // Already answered early: the first render showed it, nothing to ask on mount.
  const answeredEarly = useRef(!!first?.events);
  useEffect(() => {
    if (answeredEarly.current) answeredEarly.current = false;
    else load();
  }, [load]);
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
