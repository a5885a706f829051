import { describe, expect, it } from 'vitest';
import type { BrokerClient } from '../../src/api/types';
import { applyPresence, sortClients } from '../../src/pages/devices/presence';

const gate: BrokerClient = { clientId: 'gate-2', role: 'device', displayName: '南门闸机 2', online: false, lastSeen: 100, address: null };
const pc: BrokerClient = { clientId: 'pc-10', role: 'pc-agent', displayName: '南门闸机 10', online: true, lastSeen: 50, address: '10.0.0.5' };

describe('applyPresence', () => {
  it('updates the online state and last-seen time of a known client', () => {
    const next = applyPresence([gate, pc], { clientId: 'gate-2', online: true, lastSeen: 200 });
    expect(next?.find((c) => c.clientId === 'gate-2')).toMatchObject({ online: true, lastSeen: 200 });
    expect(next?.find((c) => c.clientId === 'pc-10')).toEqual(pc);
  });

  it('keeps the last-seen time when the update has none', () => {
    expect(applyPresence([gate], { clientId: 'gate-2', online: true, lastSeen: null })?.[0]?.lastSeen).toBe(100);
  });

  it('returns null for a client the list does not know, so the page refetches', () => {
    expect(applyPresence([gate], { clientId: 'new-reader', online: true, lastSeen: 1 })).toBeNull();
  });
});

describe('sortClients', () => {
  it('sorts by name with numbers in natural order', () => {
    expect(sortClients([pc, gate], 'zh-CN').map((c) => c.clientId)).toEqual(['gate-2', 'pc-10']);
  });
});
