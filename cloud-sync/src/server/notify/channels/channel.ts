/** One notice as every channel sees it. */
export interface OutgoingNotice {
  noticeId: number;
  schoolId: string;
  eventId: string;
  studentKey: string;
  studentName: string;
  kind: string;
  title: string;
  text: string;
  occurredAt: number;
  late: boolean;
  safety: boolean;
  /** Where a push notice opens (default: the parent app). */
  url?: string;
}

export interface Recipient {
  phone: string;
  wechatOpenId: string | null;
}

/**
 * sent: the provider accepted it. retry: worth trying again later (5xx, 429, network).
 * failed: will not work with these bytes (4xx). gone: the target no longer exists
 * (push subscription 404/410, WeChat user refused): the target is removed.
 */
export type DeliveryOutcome = { status: 'sent' } | { status: 'retry' | 'failed' | 'gone'; error: string };

export interface NoticeChannel {
  readonly name: 'webpush' | 'wechat' | 'sms' | 'webhook';
  deliver(target: string, notice: OutgoingNotice): Promise<DeliveryOutcome>;
}

/** Maps an HTTP status of a provider to an outcome. */
export function outcomeOfStatus(status: number, body: string): DeliveryOutcome {
  if (status >= 200 && status < 300) return { status: 'sent' };
  const error = `HTTP ${status}: ${body.slice(0, 200)}`;
  if (status === 404 || status === 410) return { status: 'gone', error };
  if (status === 429 || status === 408 || status >= 500) return { status: 'retry', error };
  return { status: 'failed', error };
}
