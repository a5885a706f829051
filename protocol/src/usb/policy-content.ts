import { z } from 'zod';
import { UsbExceptionSchema, UsbRuleSchema } from './policy.js';

/**
 * What IT writes for a policy version: the parts of a USB policy that are the same
 * for every PC it reaches. The edge adds the rest per PC (target, version, issue time)
 * and the PC's own device grants before signing.
 */
export const GRANT_ID_PREFIX = 'grant-';
/** Room kept in each list for a PC's device grants (protocol limit: 500 per list). */
export const MAX_AUTHORED_ENTRIES = 400;

const noGrantIds = (list: Array<{ id: string }>, ctx: z.RefinementCtx) => {
  for (const [i, item] of list.entries()) {
    if (item.id.startsWith(GRANT_ID_PREFIX)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `ids starting with "${GRANT_ID_PREFIX}" are reserved for device grants` });
  }
};

export const PolicyContentSchema = z
  .strictObject({
    killSwitch: z.boolean().default(false).describe('Signed emergency switch: every USB device works again on the targeted PCs.'),
    defaultAction: z.enum(['deny', 'allow']).default('deny').describe('For interfaces no rule speaks about; mass storage stays blocked even under "allow".'),
    keystrokeGuard: z.strictObject({ enabled: z.boolean() }).default({ enabled: false }),
    rules: z.array(UsbRuleSchema).max(MAX_AUTHORED_ENTRIES).default([]).superRefine(noGrantIds).describe('First match wins.'),
    exceptions: z.array(UsbExceptionSchema).max(MAX_AUTHORED_ENTRIES).default([]).superRefine(noGrantIds),
    note: z.string().max(500).optional(),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    for (const [list, items] of [['rules', p.rules], ['exceptions', p.exceptions]] as const) {
      for (const [i, item] of items.entries()) {
        if (seen.has(item.id)) ctx.addIssue({ code: 'custom', path: [list, i, 'id'], message: `duplicate rule id "${item.id}"` });
        seen.add(item.id);
      }
    }
  });
export type PolicyContent = z.infer<typeof PolicyContentSchema>;
