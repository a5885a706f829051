import { z } from 'zod';
import { ID_RE } from '../topics.js';
import { Hex4Schema, PORT_RE } from './device.js';

/**
 * The USB policy IT pushes to school PCs. It is signed as a whole by the edge
 * (see signing.ts), so every field here is something the agent enforces; unknown fields
 * are refused rather than ignored, because an agent that silently skipped a rule it did
 * not understand would enforce less than IT believes.
 *
 * Built-in behaviour that no policy can switch off (see decide.ts): hubs and HID
 * keyboards/mice always work, so nobody is locked out of a PC by a policy mistake.
 */
export const USB_POLICY_FORMAT = 'campus.usb-policy/1';

const RuleIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,47}$/, 'letters, digits, - _ . (max 48)');
const TextSchema = z.string().max(500);

export const UsbMatchSchema = z
  .strictObject({
    vid: Hex4Schema.optional(),
    pid: Hex4Schema.optional(),
    /** Exact iSerialNumber string. A clone can copy it: combine with vid/pid. */
    serial: z.string().min(1).max(128).optional(),
    /** Port path (Linux sysfs name such as "1-1.2"): this physical socket only. */
    port: z.string().regex(PORT_RE, 'port path such as 1-1.2').optional(),
    /** Only interfaces of this class (e.g. 7 = printer); the rest of the device is untouched. */
    interfaceClass: z.number().int().min(0).max(255).optional(),
  })
  .refine((m) => m.vid !== undefined || m.pid !== undefined || m.serial !== undefined || m.port !== undefined || m.interfaceClass !== undefined, {
    message: 'a match needs at least one of vid, pid, serial, port, interfaceClass',
  })
  .refine((m) => m.pid === undefined || m.vid !== undefined, { message: 'pid without vid matches unrelated vendors' });
export type UsbMatch = z.infer<typeof UsbMatchSchema>;

export const UsbRuleSchema = z.strictObject({
  id: RuleIdSchema,
  action: z.enum(['allow', 'block']),
  match: UsbMatchSchema,
  note: TextSchema.optional(),
});
export type UsbRule = z.infer<typeof UsbRuleSchema>;

/** A temporary grant (a teacher's drive for two hours). Lapses on the PC's own clock. */
export const UsbExceptionSchema = z.strictObject({
  id: RuleIdSchema,
  match: UsbMatchSchema,
  /** ms since the epoch; the exception stops matching at this instant. */
  expiresAt: z.number().int().nonnegative(),
  grantedTo: z.string().max(64).optional(),
  note: TextSchema.optional(),
});
export type UsbException = z.infer<typeof UsbExceptionSchema>;

const AgentIdSchema = z.string().regex(ID_RE, 'letters, digits, - _ . (max 64)');
export const PolicyTargetSchema = z.discriminatedUnion('scope', [
  z.strictObject({ scope: z.literal('all') }),
  z.strictObject({ scope: z.literal('group'), group: AgentIdSchema }),
  z.strictObject({ scope: z.literal('pc'), agentId: AgentIdSchema }),
]);
export type PolicyTarget = z.infer<typeof PolicyTargetSchema>;

export const UsbPolicySchema = z
  .strictObject({
    format: z.literal(USB_POLICY_FORMAT),
    /** Monotonic per target; an agent never applies a version <= the one it runs. */
    version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
    issuedAt: z.number().int().nonnegative(),
    issuedBy: z.string().max(64).optional(),
    target: PolicyTargetSchema,
    /** Signed emergency switch: every USB device works again on the targeted PCs. */
    killSwitch: z.boolean().default(false),
    /** For interfaces no rule speaks about. Mass storage stays blocked even under 'allow'. */
    defaultAction: z.enum(['deny', 'allow']).default('deny'),
    /** A second keyboard appearing while one is present waits for IT's approval. */
    keystrokeGuard: z.strictObject({ enabled: z.boolean() }).default({ enabled: false }),
    /** First match wins. */
    rules: z.array(UsbRuleSchema).max(500).default([]),
    exceptions: z.array(UsbExceptionSchema).max(500).default([]),
    note: TextSchema.optional(),
  })
  .superRefine((p, ctx) => {
    // Ids name the rule that decided in every USB event, so they must be unambiguous.
    const seen = new Set<string>();
    const check = (list: 'rules' | 'exceptions', items: ReadonlyArray<{ id: string }>) =>
      items.forEach((item, i) => {
        if (seen.has(item.id)) ctx.addIssue({ code: 'custom', message: `duplicate rule id "${item.id}"`, path: [list, i, 'id'] });
        seen.add(item.id);
      });
    check('rules', p.rules);
    check('exceptions', p.exceptions);
  });
export type UsbPolicy = z.infer<typeof UsbPolicySchema>;
/** What an author writes before defaults are filled in (e.g. rules may be omitted). */
export type UsbPolicyInput = z.input<typeof UsbPolicySchema>;

/**
 * What a PC enforces before it has ever received a signed policy (first boot, edge
 * unreachable): the safe default — storage and unknown devices blocked, keyboards,
 * mice and hubs working. Version 0 so that any signed policy supersedes it.
 */
export function bootstrapUsbPolicy(now = 0): UsbPolicy {
  return {
    format: USB_POLICY_FORMAT,
    version: 0,
    issuedAt: now,
    target: { scope: 'all' },
    killSwitch: false,
    defaultAction: 'deny',
    keystrokeGuard: { enabled: false },
    rules: [],
    exceptions: [],
  };
}

/** Whether a policy addressed to `target` is meant for this PC. */
export function policyTargets(target: PolicyTarget, pc: { agentId: string; groups: readonly string[] }): boolean {
  switch (target.scope) {
    case 'all':
      return true;
    case 'group':
      return pc.groups.includes(target.group);
    case 'pc':
      return target.agentId === pc.agentId;
  }
}

/**
 * The next instant at which the policy's meaning changes on its own (an exception
 * expires), or null. Agents schedule a re-check for it so exceptions lapse offline.
 */
export function nextExpiryAfter(policy: Pick<UsbPolicy, 'exceptions'>, now: number): number | null {
  let next: number | null = null;
  for (const e of policy.exceptions) if (e.expiresAt > now && (next === null || e.expiresAt < next)) next = e.expiresAt;
  return next;
}
