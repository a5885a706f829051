import { z } from 'zod';
import { defineMessages, translate } from '@campus/protocol';
import { TIME_OF_DAY_RE } from '@campus/protocol/access/index';

/** Texts of the `notices` config section: descriptions and errors, zh-CN first. */
export const noticeConfigMessages = defineMessages({
  'cloud.config.hhmm': { 'zh-CN': '时间格式应为 HH:MM（24 小时制），例如 22:00', en: 'HH:MM (24 h), e.g. 22:00' },
  'cloud.config.notices': { 'zh-CN': '家长通知：重复刷卡合并与免打扰时段。', en: 'Guardian notices: folding of repeated scans and quiet hours.' },
  'cloud.config.notices.quietHours.start': { 'zh-CN': '免打扰开始时间（学校当地时间，HH:MM）。', en: 'Start of the quiet hours, school-local time (HH:MM).' },
  'cloud.config.notices.quietHours.end': {
    'zh-CN': '免打扰结束时间（学校当地时间，HH:MM），可跨午夜（如 22:00–06:00）。',
    en: 'End of the quiet hours, school-local time (HH:MM); may be past midnight (22:00–06:00).',
  },
  'cloud.config.notices.foldWindowMinutes': {
    'zh-CN':
      '同一学生同方向的通行间隔小于此分钟数时视为一次：后续刷卡合并（不发通知，时间线显示为“入校（东门）×3”）。间隔更长的同方向通行会再次通知（反方向的通行被漏记，例如没有读卡器的侧门）。0 表示不合并。',
    en:
      'Gate passages of a student in the same direction less than this many minutes apart are one passage: the later scans are folded ' +
      '(no notice; the timeline shows "入校（东门）×3"). A same-direction passage after a longer gap is notified again (the passage ' +
      'in the other direction was missed, e.g. a side gate without a reader). 0 turns folding off.',
  },
  'cloud.config.notices.quietHours': {
    'zh-CN': '学校免打扰时段：其间非安全类通知暂存，结束时按家长和学生各汇总为一条发送。null 表示学校不设免打扰（家长仍可在家长端自行设置）。安全提醒从不暂存。',
    en:
      'School-local hours in which non-safety notices are held and sent, when they end, as one summary per guardian and child. ' +
      'null: no school quiet hours (a guardian may still set their own in the parent app). Safety notices are never held.',
  },
  'cloud.config.notices.schools': {
    'zh-CN': '按学校 id 覆盖以上设置，例如 {"sch_1": {"quietHours": {"start": "21:30", "end": "06:30"}}}。',
    en: 'Per-school overrides by school id, e.g. {"sch_1": {"quietHours": {"start": "21:30", "end": "06:30"}}}.',
  },
  'cloud.config.notices.releaseEverySeconds': {
    'zh-CN': '每个云端进程检查免打扰是否结束的间隔（秒）；汇总通知在此延迟内发出。',
    en: 'How often each cloud process looks for held notices whose quiet hours have ended (summaries go out within this delay).',
  },
});

/** A config text in both languages, zh-CN first, for schema descriptions and errors. */
const both = (id: keyof typeof noticeConfigMessages): string => `${translate('zh-CN', id)} / ${translate('en', id)}`;

const hhmm = z.string().regex(TIME_OF_DAY_RE, both('cloud.config.hhmm'));

export const QuietHoursSchema = z
  .object({
    start: hhmm.describe(both('cloud.config.notices.quietHours.start')),
    end: hhmm.describe(both('cloud.config.notices.quietHours.end')),
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
      .describe(both('cloud.config.notices.foldWindowMinutes')),
    quietHours: QuietHoursSchema.nullable().describe(both('cloud.config.notices.quietHours')),
  })
  .strict();
export type SchoolNoticeRules = z.infer<typeof SchoolNoticeRulesSchema>;

export const DEFAULT_NOTICE_RULES: SchoolNoticeRules = { foldWindowMinutes: 30, quietHours: { start: '22:00', end: '06:00' } };

/** `notices` in the cloud's config file. */
export const NoticeSettingsSchema = z
  .object({
    foldWindowMinutes: SchoolNoticeRulesSchema.shape.foldWindowMinutes.default(DEFAULT_NOTICE_RULES.foldWindowMinutes).describe(both('cloud.config.notices.foldWindowMinutes')),
    quietHours: SchoolNoticeRulesSchema.shape.quietHours.default(DEFAULT_NOTICE_RULES.quietHours).describe(both('cloud.config.notices.quietHours')),
    schools: z
      .record(z.string().max(64), SchoolNoticeRulesSchema.partial())
      .default({})
      .describe(both('cloud.config.notices.schools')),
    releaseEverySeconds: z
      .number()
      .min(0.05)
      .max(3600)
      .default(60)
      .describe(both('cloud.config.notices.releaseEverySeconds')),
  })
  .strict()
  .describe(both('cloud.config.notices'));
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
