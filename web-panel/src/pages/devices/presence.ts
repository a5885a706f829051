import type { BrokerClient, DevicePresence } from '../../api/types';

/**
 * Applies a live connect/disconnect to the list. Returns null for a client the list
 * does not know yet, so the page fetches the list again instead of inventing a row.
 */
export function applyPresence(clients: readonly BrokerClient[], update: DevicePresence): BrokerClient[] | null {
  const index = clients.findIndex((c) => c.clientId === update.clientId);
  if (index < 0) return null;
  const next = [...clients];
  next[index] = { ...clients[index]!, online: update.online, lastSeen: update.lastSeen ?? clients[index]!.lastSeen };
  return next;
}

/** By name, so rows stay put while devices come and go. */
export function sortClients(clients: readonly BrokerClient[], locale: string): BrokerClient[] {
  const collator = new Intl.Collator(locale, { numeric: true });
  return [...clients].sort((a, b) => collator.compare(a.displayName, b.displayName) || collator.compare(a.clientId, b.clientId));
}
