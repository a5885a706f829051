/**
 * The session question asked by main.tsx before React's first frame, kept so that
 * SessionProvider uses that answer instead of asking the edge a second time on the
 * critical path of the first page. Used once, and only while fresh.
 */
interface EarlyAnswer {
  status: number;
  body: unknown;
  at: number;
}

let early: Promise<EarlyAnswer | null> | null = null;

/** Asks GET /api/auth/me now; resolves true when someone is signed in. */
export function askSessionEarly(): Promise<boolean> {
  early = fetch('/api/auth/me', { credentials: 'same-origin' })
    .then(async (r) => ({ status: r.status, body: r.ok ? ((await r.json()) as unknown) : null, at: Date.now() }))
    .catch(() => null);
  return early.then((a) => a?.status === 200);
}

/** The early answer, once: null when there was none, it failed or it is older than 10 s. */
export async function takeEarlySession(): Promise<EarlyAnswer | null> {
  const p = early;
  early = null;
  const a = p ? await p : null;
  return a && Date.now() - a.at < 10_000 ? a : null;
}
