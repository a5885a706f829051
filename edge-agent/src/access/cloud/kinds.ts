import type { RecordKind } from '@campus/protocol/sync/records';

/** The cloud record kinds the access domain projects into its directory. */
export const PROJECTED_KINDS = ['person', 'guardianship', 'card', 'leave', 'visitor_pass', 'calendar', 'timetable'] as const satisfies readonly RecordKind[];

/** Health records the gate reads to remind the guard (cloud/health-reminder.ts); not projected. */
export const HEALTH_KINDS = ['health_declaration', 'health_policy'] as const satisfies readonly RecordKind[];
