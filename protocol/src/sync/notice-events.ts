import { ACCESS_EVENTS, ATTENDANCE_EVENTS } from '../access/events.js';
import { BUS_EVENTS } from '../bus/events.js';

/**
 * Edge events the cloud turns into guardian notices. There is no copy of their schemas
 * here: gate decisions are read through `passageOf` (protocol/src/access/passage.ts),
 * which parses them with the access domain's own schema, so the cloud only ever notifies
 * a passage that happened (`opened` confirmed).
 */
export const NOTICE_EVENT_TYPES = {
  gatePass: ACCESS_EVENTS.decision,
  late: ATTENDANCE_EVENTS.late,
  absent: ATTENDANCE_EVENTS.absent,
  /** 上车/下车 on the school bus: read through busRideOf (protocol/src/bus/notice.ts). */
  busBoarding: BUS_EVENTS.boarding,
  busAlighting: BUS_EVENTS.alighting,
  /** A child handed over to a pickup person: their 下车 (busRideOf reads it as alighting). */
  busHandover: BUS_EVENTS.handover,
} as const;

/** Kinds of notice a guardian can switch on or off in the parent app. */
export const NOTICE_KINDS = ['entry', 'exit', 'late', 'absence', 'board', 'alight', 'safety'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];
