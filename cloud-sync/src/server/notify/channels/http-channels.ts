import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { outcomeOfStatus, type DeliveryOutcome, type NoticeChannel, type OutgoingNotice } from './channel.js';
import { postJson } from './http-post.js';

export const SmsConfigSchema = z.strictObject({
  url: z.url(),
  token: z.string().optional(),
  /** Signature (签名) the gateway prefixes, e.g. "智慧校园". */
  sign: z.string().max(20).default('智慧校园'),
});
export const WechatConfigSchema = z.strictObject({
  /** The school's relay to subscribeMessage.send (it adds the access_token). */
  url: z.url(),
  templateId: z.string().min(1),
  page: z.string().default('pages/notice/index'),
});
export const WebhookConfigSchema = z.strictObject({
  url: z.url(),
  /** HMAC-SHA256 key for the X-Campus-Signature header. */
  secret: z.string().min(8).optional(),
});

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string } | DeliveryOutcome> {
  try {
    return await postJson(url, JSON.stringify(body), headers);
  } catch (err) {
    return { status: 'retry', error: (err as Error).message };
  }
}

/**
 * SMS gateway. Request: POST {url}, `Authorization: Bearer {token}`,
 * `{"to": "13800000000", "text": "...", "sign": "智慧校园", "kind": "notice" | "otp"}`. Any 2xx = accepted.
 */
export class SmsChannel implements NoticeChannel {
  readonly name = 'sms' as const;
  constructor(private readonly cfg: z.infer<typeof SmsConfigSchema>) {}

  async send(to: string, text: string, kind: 'notice' | 'otp' | 'alarm'): Promise<DeliveryOutcome> {
    const r = await post(this.cfg.url, { to, text, sign: this.cfg.sign, kind }, this.cfg.token ? { authorization: `Bearer ${this.cfg.token}` } : {});
    return 'body' in r ? outcomeOfStatus(r.status, r.body) : r;
  }

  deliver(target: string, notice: OutgoingNotice): Promise<DeliveryOutcome> {
    return this.send(target, notice.text, 'notice');
  }
}

/**
 * WeChat subscription message, in the body format of `subscribeMessage.send`:
 * `{"touser": openid, "template_id": ..., "page": ..., "data": {"thing1": {"value": student},
 * "time2": {"value": "2026-11-28 08:02"}, "thing3": {"value": notice text}}}`. WeChat
 * answers 200 with `errcode`: 0 = sent, 43101 (user refused the subscription) = gone.
 */
export class WechatChannel implements NoticeChannel {
  readonly name = 'wechat' as const;
  constructor(private readonly cfg: z.infer<typeof WechatConfigSchema>) {}

  async deliver(openId: string, n: OutgoingNotice): Promise<DeliveryOutcome> {
    const time = new Date(n.occurredAt).toISOString().slice(0, 16).replace('T', ' ');
    const r = await post(this.cfg.url, {
      touser: openId,
      template_id: this.cfg.templateId,
      page: `${this.cfg.page}?notice=${n.noticeId}`,
      data: { thing1: { value: n.studentName.slice(0, 20) }, time2: { value: time }, thing3: { value: n.text.slice(0, 20) } },
    });
    if (!('body' in r)) return r;
    const base = outcomeOfStatus(r.status, r.body);
    if (base.status !== 'sent') return base;
    const errcode = (() => {
      try {
        return Number((JSON.parse(r.body) as { errcode?: number }).errcode ?? 0);
      } catch {
        return 0;
      }
    })();
    if (errcode === 0) return { status: 'sent' };
    if (errcode === 43101) return { status: 'gone', error: 'user refused subscription (43101)' };
    if (errcode === -1) return { status: 'retry', error: 'wechat busy (-1)' };
    return { status: 'failed', error: `wechat errcode ${errcode}` };
  }
}

/**
 * Webhook for the school's own systems. `POST {url}` with
 * `{"type": "guardian.notice", "notice": {noticeId, schoolId, eventId, studentKey, kind, text, occurredAt, late, safety}, "to": phone}`
 * and `X-Campus-Signature: sha256=<hex HMAC of the body>` when a secret is set.
 */
export class WebhookChannel implements NoticeChannel {
  readonly name = 'webhook' as const;
  constructor(private readonly cfg: z.infer<typeof WebhookConfigSchema>) {}

  async deliver(target: string, n: OutgoingNotice): Promise<DeliveryOutcome> {
    const body = JSON.stringify({
      type: 'guardian.notice',
      to: target,
      notice: { noticeId: n.noticeId, schoolId: n.schoolId, eventId: n.eventId, studentKey: n.studentKey, kind: n.kind, text: n.text, occurredAt: n.occurredAt, late: n.late, safety: n.safety },
    });
    const headers: Record<string, string> = {};
    if (this.cfg.secret) headers['x-campus-signature'] = 'sha256=' + createHmac('sha256', this.cfg.secret).update(body).digest('hex');
    try {
      const r = await postJson(this.cfg.url, body, headers);
      // A webhook 404 means a wrong URL, not a vanished subscriber: keep retrying as failed.
      const o = outcomeOfStatus(r.status, r.body);
      return o.status === 'gone' ? { status: 'failed', error: o.error } : o;
    } catch (err) {
      return { status: 'retry', error: (err as Error).message };
    }
  }
}
