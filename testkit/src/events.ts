import { EventEnvelopeSchema, PRIORITIES, uuidv7, type EventEnvelope } from '@campus/protocol';
import { ACCESS_EVENTS, ATTENDANCE_EVENTS, AccessDecisionDataSchema, type AccessDecisionData, AttendanceEventDataSchema, type AttendanceEventData } from '@campus/protocol/access/index';
import { passageOf } from '@campus/protocol/access/passage';

/**
 * Event fixtures built through the protocol's own schemas: a fixture that drifts from
 * the wire contract (a renamed field, a missing one, a wrong type) throws here, naming
 * the field, instead of testing a shape the edge never sends.
 */
type EnvelopeOverrides = Partial<Omit<EventEnvelope, 'data'>>;

function parseOrThrow<T>(what: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new Error(`fixture ${what} does not match the protocol schema: ${issues}`);
}

/** Any valid event envelope (a bulk energy roll-up unless overridden). */
export function makeEvent(site: string, over: EnvelopeOverrides & { data?: Record<string, unknown> } = {}): EventEnvelope {
  return parseOrThrow('event envelope', EventEnvelopeSchema, {
    id: uuidv7(),
    site,
    type: 'energy.rollup',
    occurredAt: Date.now(),
    clockTrusted: true,
    reason: 'energy.rollup',
    severity: 'info',
    priority: PRIORITIES.bulk,
    source: 'test',
    subject: null,
    data: {},
    ...over,
  });
}

/** `data` of an access.decision as the edge writes it: a granted entry at 东门 unless overridden. */
export function accessDecisionData(over: Partial<AccessDecisionData> = {}): AccessDecisionData {
  const personId = over.personId === undefined ? 'stu-1' : over.personId;
  return parseOrThrow('access.decision data', AccessDecisionDataSchema, {
    granted: true,
    gate: 'g-east',
    gateNo: 1,
    gateName: '东门',
    zone: 'z-campus',
    zoneNo: 1,
    zoneKind: 'campus',
    direction: 'in',
    reader: 'east-in',
    personId,
    personName: null,
    className: null,
    who: personId ?? '?',
    credentialKind: 'card',
    kid: 'K1',
    cardVersion: 1,
    passId: null,
    leaveId: null,
    overrideBy: null,
    overrideWhy: null,
    opened: 'pulsed',
    explanation: '',
    suppressedBefore: 0,
    ...over,
  });
}

/**
 * A student passing a campus gate (access.decision, granted, the turnstile pulsed): what
 * the cloud turns into an entry/exit notice. `over.data` is merged into the decision data.
 */
export function gatePass(site: string, studentKey: string, direction: 'in' | 'out', over: EnvelopeOverrides & { data?: Partial<AccessDecisionData> } = {}): EventEnvelope {
  const { data, ...envelope } = over;
  const decision = accessDecisionData({ direction, personId: studentKey, who: studentKey, ...data });
  // The one rule of "did the child pass" (protocol/src/access/passage.ts) reads the same event.
  if (decision.granted && decision.opened === 'pulsed' && !passageOf({ type: ACCESS_EVENTS.decision, reason: 'access.granted', data: decision })) {
    throw new Error('gatePass fixture: a granted, pulsed decision must count as a passage');
  }
  return makeEvent(site, {
    type: ACCESS_EVENTS.decision,
    reason: decision.granted ? 'access.granted' : 'access.school_hours',
    priority: PRIORITIES.gate,
    source: `gate-${decision.gate}`,
    subject: studentKey,
    data: decision,
    ...envelope,
  });
}

/** A student late or absent on a school day, as the edge's attendance sweep records it (typed by protocol's AttendanceEventData). */
export function attendanceEvent(
  site: string,
  studentKey: string,
  kind: 'late' | 'absent',
  data: Partial<AttendanceEventData> & { day: string },
  over: EnvelopeOverrides = {},
): EventEnvelope {
  const full = parseOrThrow(`attendance.${kind} data`, AttendanceEventDataSchema, {
    personId: studentKey,
    personName: studentKey,
    who: studentKey,
    classId: null,
    className: null,
    status: kind,
    at: null,
    gate: null,
    leaveId: null,
    ...data,
  });
  return makeEvent(site, {
    type: ATTENDANCE_EVENTS[kind],
    reason: ATTENDANCE_EVENTS[kind],
    priority: PRIORITIES.normal,
    source: 'attendance',
    subject: studentKey,
    data: { ...full },
    ...over,
  });
}
