/** Things a test started, stopped in reverse order in afterEach — even when the test failed. */
export class Cleanup {
  private readonly steps: Array<() => unknown> = [];

  add<T>(value: T, stop: (v: T) => unknown): T {
    this.steps.push(() => stop(value));
    return value;
  }

  async run(): Promise<void> {
    while (this.steps.length) {
      const step = this.steps.pop()!;
      try {
        await step();
      } catch {
        // keep cleaning up the rest
      }
    }
  }
}

/** Waits until `cond` holds; rejects with `what` if it does not within the deadline. */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
