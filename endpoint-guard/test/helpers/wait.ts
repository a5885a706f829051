/**
 * Waits until a condition holds: the shared test kit's waitFor (the deadline only keeps a
 * broken test from hanging; it is generous on purpose and never the thing being tested).
 */
import { waitFor as kitWaitFor, type Probe } from '@campus/testkit';

export function waitFor<T>(probe: Probe<T>, what: string, deadlineMs = 15_000): Promise<T> {
  return kitWaitFor(probe, what, deadlineMs);
}
