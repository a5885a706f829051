import type { Locale } from '@campus/protocol/i18n';
import { panelTranslate } from '../i18n/translate';
import '../i18n/messages';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * "3分钟前" / "3 minutes ago"; older than a week shows the date instead. Each unit is
 * rounded first and carried into the next when it reaches it, so 59.6 s reads
 * "1分钟前", never "60秒钟前". Chinese says seconds as "秒前" (ICU's "秒钟前" reads oddly).
 */
export function relativeTime(locale: Locale, at: number, now: number): string {
  const diff = at - now;
  const abs = Math.abs(diff);
  if (abs < 10 * SECOND) return panelTranslate(locale, 'panel.time.justNow');
  if (abs >= 7 * DAY) return absoluteTime(locale, at);
  const sign = diff < 0 ? -1 : 1;
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const seconds = Math.round(abs / SECOND);
  if (seconds < 60) return locale === 'zh-CN' ? panelTranslate(locale, sign < 0 ? 'panel.time.secondsAgo' : 'panel.time.secondsLater', { n: seconds }) : rtf.format(sign * seconds, 'second');
  const minutes = Math.round(abs / MINUTE);
  if (minutes < 60) return rtf.format(sign * minutes, 'minute');
  const hours = Math.round(abs / HOUR);
  if (hours < 24) return rtf.format(sign * hours, 'hour');
  return rtf.format(sign * Math.round(abs / DAY), 'day');
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
