import { describe, expect, it } from 'vitest';
import type { DeviceLinkView, ReaderView } from '@campus/protocol/access/index';
import { gateHealth, readerSummary, relaySummary } from '../../src/pages/access/gates/health';

const link = (state: DeviceLinkView['state']): DeviceLinkView => ({ id: 'l', state, since: 0, error: null, reconnects: 0 });
const reader = (id: string, state: DeviceLinkView['state']): ReaderView => ({ id, gate: 'east', direction: 'in', link: link(state), scans: 0, badFrames: 0, lastScanAt: null });

describe('gateHealth', () => {
  it('is ok with every reader online, degraded with some, down with none', () => {
    expect(gateHealth({ readers: [reader('a', 'open'), reader('b', 'open')] })).toBe('ok');
    expect(gateHealth({ readers: [reader('a', 'open'), reader('b', 'error')] })).toBe('degraded');
    expect(gateHealth({ readers: [reader('a', 'connecting'), reader('b', 'closed')] })).toBe('down');
  });

  it('says when a gate has no reader to watch', () => {
    expect(gateHealth({ readers: [] })).toBe('unwatched');
  });
});

describe('summaries', () => {
  it('counts readers and relay links online', () => {
    const gates = [{ readers: [reader('a', 'open'), reader('b', 'error')] }, { readers: [reader('c', 'open')] }];
    expect(readerSummary({ gates } as never)).toEqual({ online: 2, total: 3 });
    const relayBoards = [{ link: link('open') }, { link: link('error') }];
    expect(relaySummary({ relayBoards } as never)).toEqual({ online: 1, total: 2 });
  });
});
