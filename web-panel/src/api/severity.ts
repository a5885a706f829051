import type { Severity } from '@campus/protocol';

/** Mirrors protocol's SEVERITIES (the panel may import only types from protocol). */
export const SEVERITIES = ['info', 'notice', 'warning', 'critical'] as const satisfies readonly Severity[];

// Fails to compile when protocol grows a severity the panel does not know yet.
type Unknown = Exclude<Severity, (typeof SEVERITIES)[number]>;
const _allSeveritiesKnown: [Unknown] extends [never] ? true : false = true;
void _allSeveritiesKnown;
