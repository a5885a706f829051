import type { Locale } from '@campus/protocol/i18n';

/** "07:41:05": the time of day a guard compares with the clock on the wall. */
export function clockTime(locale: Locale, at: number, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone }).format(at);
}

/** "09/07 07:41": short date and time for lists that span days. */
export function shortDateTime(locale: Locale, at: number, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(at);
}

/** "2026-09-07 07:41": a full school-time stamp (pass validity). */
export function fullDateTime(at: number, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).formatToParts(at);
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}
