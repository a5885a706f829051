import type { EventEnvelope } from '@campus/protocol';
import { GatePassDataSchema, NOTICE_EVENT_TYPES, type NoticeKind } from '@campus/protocol/sync/notice-events';

export const NOTIFY_JOB = 'notify-guardians';
export interface NotifyJob {
  schoolId: string;
  eventIds: string[];
}

type EventLike = Pick<EventEnvelope, 'type' | 'priority' | 'subject' | 'data'>;

/**
 * Which notice an event gives a guardian, if any: a granted gate pass (entry/exit),
 * late, absence, or anything in the safety lane that is about a person.
 */
export function noticeKindOf(e: EventLike): NoticeKind | null {
  if (!e.subject) return null;
  if (e.type === NOTICE_EVENT_TYPES.gatePass) {
    const d = GatePassDataSchema.safeParse(e.data);
    if (!d.success || !d.data.granted) return null;
    if (d.data.zoneKind !== undefined && d.data.zoneKind !== 'campus') return null;
    return d.data.direction === 'in' ? 'entry' : 'exit';
  }
  if (e.type === NOTICE_EVENT_TYPES.late) return 'late';
  if (e.type === NOTICE_EVENT_TYPES.absent) return 'absence';
  if (e.priority === 0) return 'safety';
  return null;
}

export function isNoticeCandidate(e: EventLike): boolean {
  return noticeKindOf(e) !== null;
}
