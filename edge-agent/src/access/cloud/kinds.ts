import type { RecordKind } from '@campus/protocol/sync/records';

/** The cloud record kinds the access domain projects into its directory. */
export const PROJECTED_KINDS = ['person', 'guardianship', 'card', 'leave', 'visitor_pass', 'calendar', 'timetable'] as const satisfies readonly RecordKind[];
