/**
 * Shared reporting for benchmarks. Each bench file is run in its own process by
 * bench/run.mjs and reports results as `BENCH {json}` lines on stdout; the runner
 * collects them into bench/results.json.
 */
export interface BenchResult {
  /** Result name from the issue, e.g. "store.append.batched". */
  name: string;
  /** What is measured, e.g. "throughput", "p99 latency", "ratio". */
  metric: string;
  value: number;
  unit: string;
  /** The target as text, e.g. ">= 50000" or "<= 1". */
  target?: string;
  /** For ratio targets: the baseline measured in the same run. */
  baseline?: { name: string; value: number; unit: string };
  /** Whether the target was met (computed by the reporter when target is a simple comparison). */
  pass?: boolean;
  notes?: string;
  [extra: string]: unknown;
}

export function report(r: BenchResult): void {
  const out = { ...r };
  if (out.pass === undefined && out.target) {
    const m = /^(>=|<=|<|>)\s*(-?[\d.]+)/.exec(out.target);
    if (m) {
      const t = Number(m[2]);
      out.pass = m[1] === '>=' ? r.value >= t : m[1] === '<=' ? r.value <= t : m[1] === '<' ? r.value < t : r.value > t;
    }
  }
  process.stdout.write(`BENCH ${JSON.stringify(out)}\n`);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return percentile(s, 50);
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * Polls GET /healthz until it answers 200 with status "ok", i.e. every enabled domain has
 * started (the edge answers 503 with `checks: { "domain:<name>": "starting" }` before).
 * Returns the 503 checks seen last, so a bench can tell what it waited for.
 * `alive()` is asked between polls: a daemon that exited fails the wait at once.
 */
export async function waitHealthy(url: string, alive: () => boolean, timeoutMs: number): Promise<{ lastNotReady: Record<string, unknown> | null; polls: number }> {
  const deadline = performance.now() + timeoutMs;
  let lastNotReady: Record<string, unknown> | null = null;
  let polls = 0;
  for (;;) {
    polls++;
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = (await r.json().catch(() => null)) as { status?: string; checks?: Record<string, unknown> } | null;
      if (r.status === 200 && body?.status === 'ok') return { lastNotReady, polls };
      lastNotReady = body?.checks ?? { status: r.status };
    } catch {
      /* not listening yet */
    }
    if (!alive()) throw new Error(`the daemon exited before ${url} answered 200`);
    if (performance.now() > deadline) throw new Error(`${url} not 200 within ${timeoutMs} ms (last: ${JSON.stringify(lastNotReady)})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
