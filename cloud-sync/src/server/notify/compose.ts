import { translate, type Locale } from '@campus/protocol';
import type { NoticeKind } from '@campus/protocol/sync/notice-events';
import './messages.js';

/** An event counts as "late" when it reached the cloud this long after it happened. */
export const LATE_AFTER_MS = 2 * 60_000;

export interface NoticeFacts {
  kind: NoticeKind;
  studentName: string;
  gate?: string | undefined;
  /** School bus: the stop and route of a 上车/下车 notice. */
  stop?: string | undefined;
  route?: string | undefined;
  /** The event's reason: a safety notice about a known kind of event says what happened. */
  reason?: string | undefined;
  occurredAt: number;
  receivedAt: number;
  timezone: string;
}

export function isLate(f: Pick<NoticeFacts, 'occurredAt' | 'receivedAt'>): boolean {
  return f.receivedAt - f.occurredAt > LATE_AFTER_MS;
}

/** Intl.DateTimeFormat is costly to build: one set per time zone, reused. */
const formatters = new Map<string, { day: Intl.DateTimeFormat; time: Intl.DateTimeFormat; monthDay: Intl.DateTimeFormat }>();
function formattersOf(timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = {
      day: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
      time: new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
      monthDay: new Intl.DateTimeFormat('en-CA', { timeZone, month: 'numeric', day: 'numeric' }),
    };
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local wall time of the event; the date is added when it is not the day the notice is written. */
export function formatWhen(locale: Locale, at: number, reference: number, timezone: string): string {
  const f = formattersOf(timezone);
  const time = f.time.format(at);
  if (f.day.format(at) === f.day.format(reference)) return time;
  const parts = f.monthDay.formatToParts(at);
  const m = parts.find((p) => p.type === 'month')?.value;
  const d = parts.find((p) => p.type === 'day')?.value;
  return locale === 'zh-CN' ? `${m}月${d}日 ${time}` : `${m}/${d} ${time}`;
}

export function composeNotice(locale: Locale, f: NoticeFacts): string {
  const when = formatWhen(locale, f.occurredAt, f.receivedAt, f.timezone);
  const gate = f.gate ? translate(locale, 'notice.gate', { gate: f.gate }) : '';
  const stop = f.stop ? translate(locale, 'notice.bus.stop', { stop: f.stop }) : '';
  const route = f.route ? translate(locale, 'notice.bus.route', { route: f.route }) : '';
  // Safety notices say what happened where the event tells (nobody collected a child from the bus).
  const id = f.kind === 'safety' && f.reason === 'bus.handover.failed' ? 'notice.safety.bus_handover_failed' : `notice.${f.kind}`;
  const text = translate(locale, id, { when, name: f.studentName, gate, stop, route });
  return isLate(f) ? text + translate(locale, 'notice.delayed') : text;
}

/** Items shown in a quiet-hours summary; older ones are counted, not listed. */
export const SUMMARY_MAX_ITEMS = 8;

/** One text for the notices held during quiet hours, oldest first. */
export function composeSummary(locale: Locale, texts: string[]): string {
  const shown = texts.slice(-SUMMARY_MAX_ITEMS);
  const sep = locale === 'zh-CN' ? '；' : '; ';
  const more = texts.length > shown.length ? translate(locale, 'notice.summary.more', { count: texts.length - shown.length }) + sep : '';
  return translate(locale, 'notice.summary', { count: texts.length, items: more + shown.join(sep) });
}
