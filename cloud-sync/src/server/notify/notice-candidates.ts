import type { EventEnvelope } from '@campus/protocol';
import { campusPassageOf } from '@campus/protocol/access/index';
import { busRideOf } from '@campus/protocol/bus/notice';
import { NOTICE_EVENT_TYPES, type NoticeKind } from '@campus/protocol/sync/notice-events';

export const NOTIFY_JOB = 'notify-guardians';
export interface NotifyJob {
  schoolId: string;
  eventIds: string[];
}

type EventLike = Pick<EventEnvelope, 'type' | 'reason' | 'priority' | 'subject' | 'data'>;

/**
 * Which notice an event may give a guardian: a passage through a campus gate (entry/exit,
 * by the one rule `passageOf`: granted and the gate opened; a repeat the gate marked as an
 * anti-passback warning never), late, absence, 上车/下车 on the school bus (never a refused card), or anything in the safety lane that is
 * about a person. Whether a passage is a real change is judged later (presence.ts).
 */
export function noticeKindOf(e: EventLike): NoticeKind | null {
  if (!e.subject) return null;
  if (e.type === NOTICE_EVENT_TYPES.gatePass) {
    const p = campusPassageOf(e);
    if (!p || p.repeat) return null;
    return p.direction === 'in' ? 'entry' : 'exit';
  }
  if (e.type === NOTICE_EVENT_TYPES.late) return 'late';
  if (e.type === NOTICE_EVENT_TYPES.absent) return 'absence';
  if (e.type === NOTICE_EVENT_TYPES.busBoarding || e.type === NOTICE_EVENT_TYPES.busAlighting || e.type === NOTICE_EVENT_TYPES.busHandover) {
    const ride = busRideOf(e);
    if (ride) return ride.kind;
  }
  if (e.priority === 0) return 'safety';
  return null;
}

export function isNoticeCandidate(e: EventLike): boolean {
  return noticeKindOf(e) !== null;
}
