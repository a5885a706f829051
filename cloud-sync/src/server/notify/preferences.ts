import { z } from 'zod';
import { LOCALES } from '@campus/protocol';
import type { NoticeKind } from '@campus/protocol/sync/notice-events';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');

/** What a guardian chooses in the parent app. Safety notices cannot be switched off. */
export const GuardianPrefsSchema = z.object({
  kinds: z
    .object({ entry: z.boolean().default(true), exit: z.boolean().default(true), late: z.boolean().default(true), absence: z.boolean().default(true) })
    .default({ entry: true, exit: true, late: true, absence: true }),
  quietHours: z.object({ start: hhmm, end: hhmm }).nullable().default(null),
  channels: z
    .object({ webpush: z.boolean().default(true), wechat: z.boolean().default(true), sms: z.boolean().default(false) })
    .default({ webpush: true, wechat: true, sms: false }),
  locale: z.enum(LOCALES).default('zh-CN'),
});
export type GuardianPrefs = z.infer<typeof GuardianPrefsSchema>;

export function parsePrefs(raw: unknown): GuardianPrefs {
  const r = GuardianPrefsSchema.safeParse(raw ?? {});
  return r.success ? r.data : GuardianPrefsSchema.parse({});
}

export function kindEnabled(prefs: GuardianPrefs, kind: NoticeKind): boolean {
  return kind === 'safety' ? true : prefs.kinds[kind];
}

/** Whether `at` falls in the guardian's quiet hours (a window may wrap midnight). */
export function inQuietHours(prefs: GuardianPrefs, at: number, timezone: string): boolean {
  if (!prefs.quietHours) return false;
  const local = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  const { start, end } = prefs.quietHours;
  if (start === end) return false;
  return start < end ? local >= start && local < end : local >= start || local < end;
}
