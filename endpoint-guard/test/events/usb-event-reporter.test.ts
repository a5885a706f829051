import { describe, expect, it } from 'vitest';
import { UsbEventSchema, type UsbEvent } from '@campus/protocol/usb/messages';
import { decideDevice } from '@campus/protocol/usb/decide';
import type { UsbDevice } from '@campus/protocol/usb/device';
import { TokenBucket } from '../../src/events/rate-limiter.js';
import { UsbEventReporter } from '../../src/events/usb-event-reporter.js';
import { makePolicy } from '../helpers/policies.js';

const drive: UsbDevice = { vid: '090c', pid: '1000', serial: 'X', port: '1-2', manufacturer: null, product: 'USB DISK', interfaces: [{ config: 1, number: 0, alternate: 0, class: 8, subClass: 6, protocol: 0x50 }], problems: [] };
const blocked = decideDevice(makePolicy(), drive, 0, { arrival: 'inserted', otherKeyboards: 0 });

function reporter(now: { t: number }) {
  const sent: UsbEvent[] = [];
  const r = new UsbEventReporter({ agentId: 'pc-1', perSecond: 2, burst: 3, now: () => now.t, policyVersion: () => 7, send: (e) => sent.push(UsbEventSchema.parse(e)) });
  return { r, sent };
}

describe('TokenBucket', () => {
  it('allows a burst, then the sustained rate', () => {
    const b = new TokenBucket(2, 3, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.waitMs(0)).toBe(500);
    expect(b.take(499)).toBe(false);
    expect(b.take(1000)).toBe(true);
  });
});

describe('UsbEventReporter', () => {
  it('sends valid events with the policy version', () => {
    const now = { t: 1000 };
    const { r, sent } = reporter(now);
    r.observe({ kind: 'inserted', name: '1-2', device: drive, arrival: 'inserted' });
    r.observe({ kind: 'decided', name: '1-2', device: drive, decision: blocked });
    r.observe({ kind: 'removed', name: '1-2', device: drive });
    expect(sent.map((e) => e.kind)).toEqual(['inserted', 'blocked', 'removed']);
    expect(sent[1]).toMatchObject({ policyVersion: 7, rule: 'builtin.mass-storage', outcome: 'blocked', device: { interfaceClasses: [8] } });
  });

  it('drops beyond the rate, counts what it dropped, and reports the count with the next event', () => {
    const now = { t: 0 };
    const { r, sent } = reporter(now);
    for (let i = 0; i < 10; i++) r.observe({ kind: 'inserted', name: `1-${i + 1}`, device: drive, arrival: 'inserted' });
    expect(sent).toHaveLength(3);
    expect(r.droppedTotal).toBe(7);
    now.t = 1000;
    r.observe({ kind: 'removed', name: '1-1', device: drive });
    expect(sent.at(-1)).toMatchObject({ kind: 'removed', droppedBefore: 7 });
    r.stop();
  });

  it('keeps a separate budget for blocked events, so noise cannot hide them', () => {
    const now = { t: 0 };
    const { r, sent } = reporter(now);
    for (let i = 0; i < 50; i++) r.observe({ kind: 'inserted', name: '1-1', device: drive, arrival: 'inserted' });
    r.observe({ kind: 'decided', name: '1-1', device: drive, decision: blocked });
    expect(sent.at(-1)?.kind).toBe('blocked');
    r.stop();
  });

  it('sends a summary of what was dropped when the flood ends', () => {
    const now = { t: 0 };
    const { r, sent } = reporter(now);
    for (let i = 0; i < 5; i++) r.observe({ kind: 'inserted', name: '1-1', device: drive, arrival: 'inserted' });
    now.t = 2500;
    r.flush();
    expect(sent.at(-1)).toMatchObject({ kind: 'dropped', count: 2, since: 0, reason: 'usb.events.dropped' });
    r.flush();
    expect(sent.filter((e) => e.kind === 'dropped')).toHaveLength(1);
    r.stop();
  });
});
