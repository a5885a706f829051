import type { VisitorPassRequest } from '../../../api/access';

/** What the visitor-pass form holds. Times are school-local "YYYY-MM-DDTHH:MM" (datetime-local inputs). */
export interface VisitorPassForm {
  visitorName: string;
  phone?: string;
  purpose?: string;
  hostPersonId: string;
  validFrom: string;
  validUntil: string;
  oneUse: boolean;
  gates?: string[];
  zones?: string[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * An instant as a datetime-local value in the school's time zone. The edge reads ISO
 * text without an offset as school time, so the guard types what the school's clocks say,
 * whatever zone the tablet is set to.
 */
export function schoolLocalInput(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/** A visit starting now (to the minute) and lasting `hours`. */
export function defaultValidity(now: number, timeZone: string, hours = 4): { validFrom: string; validUntil: string } {
  const from = Math.floor(now / MINUTE) * MINUTE;
  return { validFrom: schoolLocalInput(from, timeZone), validUntil: schoolLocalInput(from + hours * HOUR, timeZone) };
}

export type PassFormProblem = 'needPlace' | 'badWindow';

/** The request for the edge, or what the form must fix first. */
export function visitorPassRequest(form: VisitorPassForm): { request: VisitorPassRequest } | { problem: PassFormProblem } {
  const gates = form.gates ?? [];
  const zones = form.zones ?? [];
  if (gates.length + zones.length === 0) return { problem: 'needPlace' };
  // Same fixed-width format on both sides, so text order is time order.
  if (!(form.validUntil > form.validFrom)) return { problem: 'badWindow' };
  const optional = (v: string | undefined) => (v && v.trim() ? v.trim() : null);
  return {
    request: {
      kind: 'visitor',
      visitorName: form.visitorName.trim(),
      phone: optional(form.phone),
      purpose: optional(form.purpose),
      hostPersonId: form.hostPersonId,
      validFrom: form.validFrom,
      validUntil: form.validUntil,
      oneUse: form.oneUse,
      gates,
      zones,
    },
  };
}
