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
