import https from 'node:https';
import webpush from 'web-push';
import type { DeliveryOutcome, NoticeChannel, OutgoingNotice } from './channel.js';
import { outcomeOfStatus } from './channel.js';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  /** mailto: or https: contact for the push service. */
  subject: string;
}

export interface PushSubscriptionKeys {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** What the service worker shows; the parent app's sw.js reads these fields. */
export interface PushPayload {
  title: string;
  body: string;
  noticeId: number;
  eventId: string;
  studentKey: string;
  occurredAt: number;
  late: boolean;
  safety: boolean;
  url: string;
}

/**
 * Web Push (RFC 8030/8291/8292) with VAPID through `web-push`. The target is the
 * subscription's endpoint; keys are looked up by the caller, the endpoints asked for in
 * one tick (a batch of notices sent together) in one lookup. 404/410 mean the browser
 * dropped the subscription: the caller removes it.
 */
export class WebPushChannel implements NoticeChannel {
  readonly name = 'webpush' as const;
  private readonly agent: https.Agent;
  /** Endpoints whose keys are wanted in this tick, looked up together. */
  private wanted: Map<string, Array<{ resolve: (k: PushSubscriptionKeys | null) => void; reject: (e: unknown) => void }>> | null = null;

  constructor(
    private readonly vapid: VapidKeys,
    private readonly lookup: (endpoints: readonly string[]) => Promise<PushSubscriptionKeys[]>,
    /** Extra CA to trust for push endpoints (a local test receiver). */
    ca?: string | Buffer,
  ) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 32, ...(ca ? { ca } : {}) });
  }

  private keysOf(endpoint: string): Promise<PushSubscriptionKeys | null> {
    return new Promise((resolve, reject) => {
      if (!this.wanted) {
        const wanted = (this.wanted = new Map());
        queueMicrotask(() => {
          this.wanted = null;
          this.lookup([...wanted.keys()]).then(
            (found) => {
              const byEndpoint = new Map(found.map((k) => [k.endpoint, k]));
              for (const [e, waiting] of wanted) for (const w of waiting) w.resolve(byEndpoint.get(e) ?? null);
            },
            (err: unknown) => {
              for (const waiting of wanted.values()) for (const w of waiting) w.reject(err);
            },
          );
        });
      }
      const list = this.wanted.get(endpoint) ?? [];
      list.push({ resolve, reject });
      this.wanted.set(endpoint, list);
    });
  }

  async deliver(endpoint: string, n: OutgoingNotice): Promise<DeliveryOutcome> {
    const sub = await this.keysOf(endpoint);
    if (!sub) return { status: 'gone', error: 'subscription no longer stored' };
    const payload: PushPayload = { title: n.title, body: n.text, noticeId: n.noticeId, eventId: n.eventId, studentKey: n.studentKey, occurredAt: n.occurredAt, late: n.late, safety: n.safety, url: n.url ?? '/parent/' };
    try {
      const r = await webpush.sendNotification({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }, JSON.stringify(payload), {
        vapidDetails: this.vapid,
        TTL: 24 * 3600,
        urgency: n.safety ? 'high' : 'normal',
        timeout: 10_000,
        agent: this.agent,
      });
      return outcomeOfStatus(r.statusCode, r.body);
    } catch (err) {
      const e = err as { statusCode?: number; body?: string; message: string };
      if (typeof e.statusCode === 'number') return outcomeOfStatus(e.statusCode, e.body ?? e.message);
      return { status: 'retry', error: e.message };
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

export function generateVapidKeys(subject: string): VapidKeys {
  const k = webpush.generateVAPIDKeys();
  return { publicKey: k.publicKey, privateKey: k.privateKey, subject };
}
