import type { PanelEvent } from '../../api/types';

/** How many events the live feed keeps in memory; older ones stay a "load older" away. */
export const FEED_CAPACITY = 500;

/**
 * Merges fresh events into the feed: newest first, each id once. Ids are UUIDv7, so
 * ordering by id is the order the edge recorded them, even when its clock was wrong.
 */
export function mergeEvents(shown: readonly PanelEvent[], incoming: readonly PanelEvent[], capacity = FEED_CAPACITY): PanelEvent[] {
  const byId = new Map<string, PanelEvent>();
  for (const e of shown) byId.set(e.id, e);
  for (const e of incoming) byId.set(e.id, e);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).slice(0, capacity);
}

/** What the edge accepts as a type prefix: dotted lower-case words, at most 64 characters. */
const TYPE_PREFIX_RE = /^[a-z0-9_.]{0,64}$/;

/** Reads what the user typed ("  Access. " -> "access."); null when the edge would refuse it. */
export function parseTypePrefix(input: string): string | null {
  const prefix = input.trim().toLowerCase();
  return TYPE_PREFIX_RE.test(prefix) ? prefix : null;
}

/** Same rule as the edge's `?type=` filter: the type starts with the prefix. */
export function matchesTypePrefix(type: string, prefix: string): boolean {
  return prefix === '' || type.startsWith(prefix);
}
