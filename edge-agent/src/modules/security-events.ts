import { SYSTEM_EVENTS } from '@campus/protocol';
import type { Refusal } from '../broker/broker.js';
import type { EventLog } from '../store/events.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';

/**
 * Every refused connect, publish or subscribe is counted and logged with the client
 * id. Events are recorded too, throttled per client and kind (one per window with
 * the count of those folded in), so a misbehaving device cannot flood the log.
 */
export class SecurityEventRecorder {
  private readonly windows = new Map<string, { until: number; suppressed: number }>();

  constructor(
    private readonly events: EventLog,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly now: () => number,
    private readonly windowMs = 10_000,
  ) {}

  record(r: Refusal): void {
    this.metrics.mqttRefused.inc({ kind: r.kind });
    this.log.warn({ kind: r.kind, clientId: r.clientId, address: r.address, topic: r.topic, size: r.size }, 'mqtt refused');
    const key = `${r.kind}|${r.clientId}`;
    const t = this.now();
    const w = this.windows.get(key);
    if (w && w.until > t) {
      w.suppressed++;
      return;
    }
    const suppressed = w?.suppressed ?? 0;
    this.windows.set(key, { until: t + this.windowMs, suppressed: 0 });
    if (this.windows.size > 5000) for (const [k, v] of this.windows) if (v.until <= t) this.windows.delete(k);
    this.events.append({
      type: SYSTEM_EVENTS.security,
      reason: `mqtt.${r.kind}`,
      severity: r.kind === 'auth_failed' ? 'warning' : 'notice',
      source: 'broker',
      subject: r.clientId,
      data: { clientId: r.clientId, address: r.address, topic: r.topic ?? null, size: r.size ?? null, suppressedBefore: suppressed },
    });
  }
}
