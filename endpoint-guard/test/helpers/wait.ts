/**
 * Waits until a condition holds. The deadline only keeps a broken test from hanging;
 * it is generous on purpose and never the thing being tested.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, what: string, deadlineMs = 15_000): Promise<NonNullable<T>> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`gave up waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
