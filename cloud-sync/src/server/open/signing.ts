import { createHmac, timingSafeEqual } from 'node:crypto';

/** Headers of every webhook delivery. */
export const WEBHOOK_HEADERS = {
  /** Unix seconds when this attempt was signed. */
  timestamp: 'x-campus-timestamp',
  /** `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the subscription's secret>` */
  signature: 'x-campus-signature',
  /** The event's id (UUIDv7): the same on every retry, the receiver's key for de-duplication. */
  eventId: 'x-campus-event-id',
  eventType: 'x-campus-event-type',
  deliveryId: 'x-campus-delivery-id',
  /** 1 for the first attempt. */
  attempt: 'x-campus-attempt',
} as const;

export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return 'v1=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * The receiver's check (the recipe in docs/open-api.md): recompute over the raw body,
 * compare in constant time, refuse a timestamp more than `toleranceS` away from now.
 */
export function verifyWebhook(secret: string, headers: { timestamp: string | undefined; signature: string | undefined }, rawBody: string, nowMs = Date.now(), toleranceS = 300): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowMs / 1000 - ts) > toleranceS || !headers.signature) return false;
  const want = Buffer.from(webhookSignature(secret, ts, rawBody));
  const got = Buffer.from(headers.signature);
  return want.length === got.length && timingSafeEqual(want, got);
}
