import type { Database } from '../db/database.js';
import type { SmsChannel } from '../notify/channels/http-channels.js';

/** Alert kinds that also go out by SMS (the head teacher and guardians must not miss them). */
export const SMS_ALERT_KINDS = ['leave_overdue', 'missing_in_class', 'no_gate_entry'] as const;

/**
 * Sends home-school alerts by the SMS channel, once each: "not back by the end of the
 * leave" (head teachers, deputies and guardians) and roll-call flags (head teachers).
 * An alert row is claimed before it is sent (two cloud processes never both send it); a
 * staff recipient without a phone number, or no SMS gateway, is recorded as such.
 */
export class AlertSms {
  constructor(
    private readonly db: Database,
    private readonly sms: SmsChannel | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Sends what is not sent yet; returns how many SMS went out. */
  async sweep(): Promise<number> {
    const t = this.now();
    const claimed = await this.db.query<{ id: number; recipient_type: string; recipient: string; text_zh: string; phone: string | null }>(
      `UPDATE hs_alerts h SET sms_at = $1, sms_status = 'sending'
       WHERE h.id IN (SELECT id FROM hs_alerts WHERE sms_at IS NULL AND kind = ANY($2::text[]) ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED)
       RETURNING h.id, h.recipient_type, h.recipient, h.text_zh,
         CASE WHEN h.recipient_type = 'guardian' THEN h.recipient ELSE (SELECT a.phone FROM staff_accounts a WHERE a.id = h.recipient) END AS phone`,
      [t, [...SMS_ALERT_KINDS]],
    );
    let sent = 0;
    for (const a of claimed.rows) {
      let status: string;
      if (!this.sms) status = 'no_channel';
      else if (!a.phone) status = 'no_phone';
      else {
        const out = await this.sms.send(a.phone, a.text_zh, 'alarm').catch((err: Error) => ({ status: 'failed' as const, error: err.message }));
        status = out.status === 'sent' ? 'sent' : `failed: ${out.error.slice(0, 200)}`;
        if (out.status === 'sent') sent++;
      }
      await this.db.query('UPDATE hs_alerts SET sms_status = $2 WHERE id = $1', [a.id, status]);
    }
    return sent;
  }
}
