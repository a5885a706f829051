/**
 * The one way tests wait for something that happens on its own (a frame on a serial
 * line, a row in SQLite, a push from the cloud). The deadline only keeps a broken test
 * from hanging; it is generous on purpose and never the thing being tested — speed is
 * measured by benchmarks.
 */
export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Poll this often (default 10 ms). */
  intervalMs?: number;
}

export type Probe<T> = () => T | null | undefined | false | Promise<T | null | undefined | false>;

/**
 * Polls `probe` until it returns a truthy value and resolves with that value. A probe
 * that throws is polled again (a file not written yet, a server not listening yet); when
 * time runs out the error names `what` and the last thing the probe said.
 */
export async function waitFor<T>(probe: Probe<T>, what: string, options: number | WaitOptions = {}): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 10 } = typeof options === 'number' ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const said = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${said})`);
    }
    await sleep(intervalMs);
  }
}

/** Real time passing, for the rare test about a peer's own timing (prefer FakeClock). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
