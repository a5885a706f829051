import { z } from 'zod';
import { TIME_OF_DAY_RE } from '@campus/protocol/access/index';

const hhmm = z.string().regex(TIME_OF_DAY_RE, 'HH:MM (24 h), e.g. 22:00');

export const QuietHoursSchema = z
  .object({
    start: hhmm.describe('Start of the quiet hours, school-local time (HH:MM).'),
    end: hhmm.describe('End of the quiet hours, school-local time (HH:MM); may be past midnight (22:00–06:00).'),
  })
  .strict();
export type QuietHours = z.infer<typeof QuietHoursSchema>;

/** The rules one school's guardian notices follow. */
export const SchoolNoticeRulesSchema = z
  .object({
    foldWindowMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .describe(
        'Gate passages of a student in the same direction less than this many minutes apart are one passage: the later scans are folded ' +
          '(no notice; the timeline shows "入校（东门）×3"). A same-direction passage after a longer gap is notified again (the passage ' +
          'in the other direction was missed, e.g. a side gate without a reader). 0 turns folding off.',
      ),
    quietHours: QuietHoursSchema.nullable().describe(
      'School-local hours in which non-safety notices are held and sent, when they end, as one summary per guardian and child. ' +
        'null: no school quiet hours (a guardian may still set their own in the parent app). Safety notices are never held.',
    ),
  })
  .strict();
export type SchoolNoticeRules = z.infer<typeof SchoolNoticeRulesSchema>;

export const DEFAULT_NOTICE_RULES: SchoolNoticeRules = { foldWindowMinutes: 30, quietHours: { start: '22:00', end: '06:00' } };

/** `notices` in the cloud's config file. */
export const NoticeSettingsSchema = z
  .object({
    foldWindowMinutes: SchoolNoticeRulesSchema.shape.foldWindowMinutes.default(DEFAULT_NOTICE_RULES.foldWindowMinutes),
    quietHours: SchoolNoticeRulesSchema.shape.quietHours.default(DEFAULT_NOTICE_RULES.quietHours),
    schools: z
      .record(z.string().max(64), SchoolNoticeRulesSchema.partial())
      .default({})
      .describe('Per-school overrides by school id, e.g. {"sch_1": {"quietHours": {"start": "21:30", "end": "06:30"}}}.'),
    releaseEverySeconds: z
      .number()
      .min(0.05)
      .max(3600)
      .default(60)
      .describe('How often each cloud process looks for held notices whose quiet hours have ended (summaries go out within this delay).'),
  })
  .strict()
  .describe('Guardian notices: folding of repeated scans and quiet hours.');
export type NoticeSettings = z.infer<typeof NoticeSettingsSchema>;

export function rulesFor(settings: NoticeSettings, schoolId: string): SchoolNoticeRules {
  const own = settings.schools[schoolId] ?? {};
  return {
    foldWindowMinutes: own.foldWindowMinutes ?? settings.foldWindowMinutes,
    quietHours: own.quietHours !== undefined ? own.quietHours : settings.quietHours,
  };
}

const MINUTE = 60_000;

function localMinuteOfDay(at: number, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const h = Number(parts.find((p) => p.type === 'hour')?.value);
  const m = Number(parts.find((p) => p.type === 'minute')?.value);
  return h * 60 + m;
}

const minutesOf = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));

/**
 * When the quiet hours around `at` end (ms), or null when `at` is outside them. A window
 * may wrap midnight (22:00–06:00); start = end means no quiet hours.
 */
export function quietUntil(q: QuietHours | null, at: number, timezone: string): number | null {
  if (!q) return null;
  const start = minutesOf(q.start);
  const end = minutesOf(q.end);
  if (start === end) return null;
  const now = localMinuteOfDay(at, timezone);
  const inside = start < end ? now >= start && now < end : now >= start || now < end;
  if (!inside) return null;
  const minutesLeft = (end - now + 24 * 60) % (24 * 60);
  return Math.floor(at / MINUTE) * MINUTE + minutesLeft * MINUTE;
}
