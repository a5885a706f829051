import { z } from 'zod';
import type { StaffRouter } from '../staff/access.js';
import type { StaffRole } from '../staff/roles.js';
import { maskPhone } from './staff-notifier.js';

/** Who answers a parent's "I was never told": the school's admin and office. */
const NOTICE_LOG_STAFF: readonly StaffRole[] = ['school_admin', 'office'];

/**
 * The school's log of notices to guardians: what was sent about which child, to which
 * (masked) number, by which channel, and whether it was delivered — so the office can
 * answer a parent who says no notice came. Staff only; the cloud's admin token reads none.
 */
export function guardianNoticeLogRoutes(api: StaffRouter): void {
  api.add({
    method: 'get',
    path: '/schools/:schoolId/guardian-notices',
    summary: "Notices sent to guardians, newest first, with each channel's delivery (phone numbers masked)",
    scope: 'school',
    roles: NOTICE_LOG_STAFF,
    params: z.object({ schoolId: z.string().max(64) }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
    handler: async ({ params, query, q }) => {
      const n = await q.query<{ id: number; eventId: string; phone: string; studentKey: string; kind: string; text: string; late: boolean; status: string; occurredAt: number; deliveries: { channel: string; status: string; attempts: number; lastError: string | null }[] }>(
        `SELECT n.id, n.event_id AS "eventId", n.phone, n.student_key AS "studentKey", n.kind, n.text_zh AS "text", n.late, n.status, n.occurred_at AS "occurredAt",
                COALESCE((SELECT json_agg(json_build_object('channel', d.channel, 'status', d.status, 'attempts', d.attempts, 'lastError', d.last_error) ORDER BY d.channel)
                          FROM notice_deliveries d WHERE d.notice_id = n.id), '[]') AS deliveries
         FROM notices n WHERE n.school_id = $1 ORDER BY n.id DESC LIMIT $2`,
        [params.schoolId, query.limit],
      );
      return { notices: n.rows.map((x) => ({ ...x, id: Number(x.id), occurredAt: Number(x.occurredAt), phone: maskPhone(x.phone) })) };
    },
  });
}
