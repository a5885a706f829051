import { UuidV7Generator } from '@campus/protocol/ids';
import { identityOf } from '@campus/protocol/usb/device';
import type { InterfaceOutcome, UsbEvent } from '@campus/protocol/usb/messages';
import type { GuardObservation } from '../linux/linux-usb-guard.js';
import { TokenBucket } from './rate-limiter.js';

/**
 * Turns what the guard saw into USB events for the edge, rate-limited so that a
 * flood (a glitching hub, a device that reconnects 1,000 times a second) cannot flood
 * the edge. 'blocked' events have their own budget, so insert/remove noise cannot
 * crowd out the one event IT must see. What is dropped is counted: the next event sent
 * carries the count, or a 'dropped' summary follows once the flood stops.
 * Rate limiting applies to reporting only — every device is still decided.
 */
export interface UsbEventReporterOptions {
  agentId: string;
  perSecond: number;
  burst: number;
  now: () => number;
  policyVersion: () => number;
  send: (e: UsbEvent) => void;
}

const FLUSH_MS = 1000;

export class UsbEventReporter {
  private readonly alerts: TokenBucket;
  private readonly notices: TokenBucket;
  private readonly ids: UuidV7Generator;
  private pending = 0;
  private pendingSince = 0;
  private flushTimer: NodeJS.Timeout | null = null;
  /** Dropped since start, for the heartbeat. */
  droppedTotal = 0;

  constructor(private readonly opts: UsbEventReporterOptions) {
    const now = opts.now();
    this.alerts = new TokenBucket(opts.perSecond, opts.burst, now);
    this.notices = new TokenBucket(opts.perSecond, opts.burst, now);
    this.ids = new UuidV7Generator(opts.now);
  }

  observe(o: GuardObservation): void {
    const now = this.opts.now();
    const base = { id: this.ids.next(), agentId: this.opts.agentId, at: now, policyVersion: this.opts.policyVersion(), droppedBefore: 0 };
    const device = identityOf(o.device);
    let event: UsbEvent;
    switch (o.kind) {
      case 'inserted':
        event = { ...base, kind: 'inserted', arrival: o.arrival, device, reason: 'usb.device.inserted' };
        break;
      case 'removed':
        event = { ...base, kind: 'removed', device, reason: 'usb.device.removed' };
        break;
      case 'decided': {
        const d = o.decision;
        const interfaces: InterfaceOutcome[] = d.interfaces.slice(0, 64).map((i) => ({
          number: i.number,
          alternate: i.alternate,
          class: i.class,
          subClass: i.subClass,
          protocol: i.protocol,
          action: i.action,
          rule: i.rule,
          reason: i.reason,
        }));
        event = { ...base, kind: d.outcome === 'allowed' ? 'allowed' : 'blocked', outcome: d.outcome, device, rule: d.rule, reason: d.reason, interfaces, expiresAt: d.expiresAt };
        break;
      }
    }
    const lane = event.kind === 'blocked' ? this.alerts : this.notices;
    if (!lane.take(now)) {
      if (this.pending === 0) this.pendingSince = now;
      this.pending++;
      this.droppedTotal++;
      this.scheduleFlush();
      return;
    }
    event.droppedBefore = this.pending;
    this.pending = 0;
    this.opts.send(event);
  }

  /** Sends the count of what was dropped, if anything is still unreported. */
  flush(): void {
    if (this.pending === 0) return;
    const now = this.opts.now();
    this.opts.send({
      id: this.ids.next(),
      agentId: this.opts.agentId,
      at: now,
      policyVersion: this.opts.policyVersion(),
      droppedBefore: 0,
      kind: 'dropped',
      count: this.pending,
      since: this.pendingSince,
      reason: 'usb.events.dropped',
    });
    this.pending = 0;
  }

  stop(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    this.flush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.flush();
    }, FLUSH_MS);
    this.flushTimer.unref();
  }
}
