import type { DeviceLinkView, GatesOverview, GateView } from '@campus/protocol/access/index';

/** ok: every reader online; degraded: some; down: none; unwatched: the gate has no reader. */
export type GateHealth = 'ok' | 'degraded' | 'down' | 'unwatched';

export function isOnline(link: Pick<DeviceLinkView, 'state'>): boolean {
  return link.state === 'open';
}

export function gateHealth(gate: Pick<GateView, 'readers'>): GateHealth {
  if (gate.readers.length === 0) return 'unwatched';
  const online = gate.readers.filter((r) => isOnline(r.link)).length;
  if (online === gate.readers.length) return 'ok';
  return online === 0 ? 'down' : 'degraded';
}

export type LinkSummary = {
  online: number;
  total: number;
};

export function readerSummary(o: Pick<GatesOverview, 'gates'>): LinkSummary {
  const readers = o.gates.flatMap((g) => g.readers);
  return { online: readers.filter((r) => isOnline(r.link)).length, total: readers.length };
}

export function relaySummary(o: Pick<GatesOverview, 'relayBoards'>): LinkSummary {
  return { online: o.relayBoards.filter((b) => isOnline(b.link)).length, total: o.relayBoards.length };
}

