import { translate, type Locale } from '@campus/protocol/i18n';
import '../i18n/messages';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "3 分钟前" / "3 minutes ago"; older than a week shows the date instead. */
export function relativeTime(locale: Locale, at: number, now: number): string {
  const diff = at - now;
  const abs = Math.abs(diff);
  if (abs < 10 * SECOND) return translate(locale, 'panel.time.justNow');
  if (abs >= 7 * DAY) return absoluteTime(locale, at);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (abs < MINUTE) return rtf.format(Math.round(diff / SECOND), 'second');
  if (abs < HOUR) return rtf.format(Math.round(diff / MINUTE), 'minute');
  if (abs < DAY) return rtf.format(Math.round(diff / HOUR), 'hour');
  return rtf.format(Math.round(diff / DAY), 'day');
}

/** Full local date and time, for tooltips and exports. */
export function absoluteTime(locale: Locale, at: number): string {
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(at);
}
