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

/** Waits until a condition holds (the shared test kit's waitFor). */
export { waitFor } from '@campus/testkit';
