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
 * subscription's endpoint; keys are looked up by the caller. 404/410 mean the browser
 * dropped the subscription: the caller removes it.
 */
export class WebPushChannel implements NoticeChannel {
  readonly name = 'webpush' as const;
  private readonly agent: https.Agent;

  constructor(
    private readonly vapid: VapidKeys,
    private readonly lookup: (endpoint: string) => Promise<PushSubscriptionKeys | null>,
    /** Extra CA to trust for push endpoints (a local test receiver). */
    ca?: string | Buffer,
  ) {
    this.agent = new https.Agent({ keepAlive: true, maxSockets: 32, ...(ca ? { ca } : {}) });
  }

  async deliver(endpoint: string, n: OutgoingNotice): Promise<DeliveryOutcome> {
    const sub = await this.lookup(endpoint);
    if (!sub) return { status: 'gone', error: 'subscription no longer stored' };
    const payload: PushPayload = { title: n.title, body: n.text, noticeId: n.noticeId, eventId: n.eventId, studentKey: n.studentKey, occurredAt: n.occurredAt, late: n.late, safety: n.safety, url: '/parent/' };
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
