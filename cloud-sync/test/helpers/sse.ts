/**
 * A server-sent-events reader over fetch (so it can send a cookie or a bearer token, as the
 * parent app does): collects `update` events as parsed JSON, and `error` events apart.
 */
export interface SseStream {
  status: number;
  contentType: string | null;
  updates: unknown[];
  errors: unknown[];
  /** Resolves with the first update (from index `from` on) that `match` accepts. */
  next<T = unknown>(match: (u: T) => boolean, timeoutMs?: number, from?: number): Promise<T>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const updates: unknown[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  const stream: SseStream = {
    status: res.status,
    contentType: res.headers.get('content-type'),
    updates,
    errors,
    next<T>(match: (u: T) => boolean, timeoutMs = 10_000, from = 0) {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const hit = updates.slice(from).find((u) => match(u as T));
          if (hit === undefined) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit as T);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching live update in ${timeoutMs} ms; got ${JSON.stringify(updates.slice(from)).slice(0, 800)}`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      });
    },
    close: () => abort.abort(),
  };
  if (res.status !== 200 || !res.body) return stream;
  void (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const frame = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of frame.split('\n')) {
            if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (!data.length) continue;
          const value: unknown = JSON.parse(data.join('\n'));
          (event === 'update' ? updates : errors).push(value);
          for (const w of [...waiters]) w();
        }
      }
    } catch {
      /* closed */
    }
  })();
  return stream;
}
