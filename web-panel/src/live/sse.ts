/**
 * The cloud's live views (server-sent events, see cloud-sync/src/server/live/): one
 * `update` event with the view's JSON on connect and after every change made through any
 * cloud process. The browser's EventSource reconnects by itself (the cloud ends a stream
 * after 10 minutes); while it cannot connect, `fallbackMs` polls `poll` so the view never
 * goes stale silently. Returns the function that stops it.
 */
export function subscribeLive<T>(url: string, onUpdate: (value: T) => void, poll: () => Promise<void>, fallbackMs = 10_000): () => void {
  let timer: ReturnType<typeof setInterval> | null = null;
  const startPolling = () => {
    if (timer === null) timer = setInterval(() => void poll().catch(() => undefined), fallbackMs);
  };
  const stopPolling = () => {
    if (timer !== null) clearInterval(timer);
    timer = null;
  };
  if (typeof EventSource === 'undefined') {
    void poll().catch(() => undefined);
    startPolling();
    return stopPolling;
  }
  const source = new EventSource(url, { withCredentials: true });
  source.addEventListener('update', (e) => {
    stopPolling();
    try {
      onUpdate(JSON.parse((e as MessageEvent<string>).data) as T);
    } catch {
      /* a malformed frame: the next update replaces it */
    }
  });
  source.addEventListener('error', () => startPolling());
  return () => {
    source.close();
    stopPolling();
  };
}
