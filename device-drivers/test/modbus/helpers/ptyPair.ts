import { openPtyPair, type PtyPair } from '@campus/testkit';
import type { Cleanup } from './cleanup.js';

/** A socat pty pair that is closed after the test. */
export async function ptyPair(cleanup: Cleanup): Promise<PtyPair> {
  return cleanup.add(await openPtyPair(), (p) => p.close());
}
