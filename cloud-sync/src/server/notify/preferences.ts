import { z } from 'zod';
import { LOCALES } from '@campus/protocol';
import type { NoticeKind } from '@campus/protocol/sync/notice-events';
import { QuietHoursSchema } from './notice-rules.js';

/** What a guardian chooses in the parent app. Safety notices cannot be switched off. */
export const GuardianPrefsSchema = z.object({
  kinds: z
    .object({ entry: z.boolean().default(true), exit: z.boolean().default(true), late: z.boolean().default(true), absence: z.boolean().default(true), board: z.boolean().default(true), alight: z.boolean().default(true) })
    .default({ entry: true, exit: true, late: true, absence: true, board: true, alight: true }),
  /** The guardian's own quiet hours, on top of the school's (notice-rules.ts); null: only the school's. */
  quietHours: QuietHoursSchema.nullable().default(null),
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
