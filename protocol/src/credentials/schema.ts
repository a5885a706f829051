import { z } from 'zod';
import { PERSON_ID_RE } from './person-id.js';

/**
 * What a campus QR credential says, one zod schema per kind. The binary layout that
 * carries these fields is in layout.ts; the limits below are the layout's, chosen so
 * every kind fits in 120 characters with realistic values (see README.md here).
 */
export const CREDENTIAL_KINDS = ['card', 'visitor', 'pickup'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** Credential times are whole minutes since this instant (UTC), held in 24 bits: until 2055-11. */
export const CREDENTIAL_EPOCH_MS = Date.UTC(2024, 0, 1);
export const MINUTE_MS = 60_000;
export const CREDENTIAL_LATEST_MS = CREDENTIAL_EPOCH_MS + (2 ** 24 - 1) * MINUTE_MS;

export const CREDENTIAL_LIMITS = {
  /** Lost card → reissue with version + 1; two varint bytes. */
  maxCardVersion: 16_383,
  /** A per-school sequence; three varint bytes (about two million passes). */
  maxPassId: 2 ** 21 - 1,
  /** A term-long pickup pass still fits; three varint bytes. */
  maxPassMinutes: 366 * 24 * 60,
  /** Gate and zone numbers are the short numbers printed on the gate list, not database ids. */
  maxPlaceNo: 16_383,
  maxPlacesPerKind: 4,
} as const;

/** Key ids are two characters (0-9, A-Z), packed into 11 bits of the header. */
export const KID_RE = /^[0-9A-Z]{2}$/;
export const KidSchema = z.string().regex(KID_RE, 'key id: two characters 0-9 A-Z, e.g. "K1"');

export const PersonIdSchema = z
  .string()
  .regex(PERSON_ID_RE, 'person id: 1-16 characters 0-9 A-Z - _ (学号/工号)');

const minuteTime = (max: number) =>
  z
    .number()
    .int()
    .min(CREDENTIAL_EPOCH_MS)
    .max(max)
    .refine((ms) => ms % MINUTE_MS === 0, 'credential times are whole minutes (use toCredentialMinute)');

export const CardCredentialSchema = z.object({
  kind: z.literal('card'),
  personId: PersonIdSchema,
  cardVersion: z.number().int().min(1).max(CREDENTIAL_LIMITS.maxCardVersion),
});

const passFields = {
  passId: z.number().int().min(1).max(CREDENTIAL_LIMITS.maxPassId),
  validFrom: minuteTime(CREDENTIAL_LATEST_MS),
  validUntil: minuteTime(CREDENTIAL_LATEST_MS + CREDENTIAL_LIMITS.maxPassMinutes * MINUTE_MS),
  oneUse: z.boolean(),
};

function windowIsSane(p: { validFrom: number; validUntil: number }, ctx: z.RefinementCtx): void {
  const minutes = (p.validUntil - p.validFrom) / MINUTE_MS;
  if (minutes <= 0) {
    ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'validUntil must be after validFrom' });
  } else if (minutes > CREDENTIAL_LIMITS.maxPassMinutes) {
    ctx.addIssue({ code: 'custom', path: ['validUntil'], message: 'a pass may be valid for at most 366 days' });
  }
}

const placeNo = z.number().int().min(1).max(CREDENTIAL_LIMITS.maxPlaceNo);

export const VisitorPassSchema = z
  .object({
    kind: z.literal('visitor'),
    ...passFields,
    hostPersonId: PersonIdSchema,
    gates: z.array(placeNo).max(CREDENTIAL_LIMITS.maxPlacesPerKind),
    zones: z.array(placeNo).max(CREDENTIAL_LIMITS.maxPlacesPerKind),
  })
  .superRefine(windowIsSane)
  .superRefine((p, ctx) => {
    if (p.gates.length + p.zones.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['gates'], message: 'a visitor pass names at least one gate or zone' });
    }
  });

/**
 * A pickup pass proves "pass N, held by person P, valid in this window". The students P
 * may collect are NOT on the QR: three 10-12 digit 学号 would cost 15-18 bytes and push
 * the payload past 120 characters, and the edge keeps the pass record anyway (its
 * students, one-use consumption, cancellation), so it looks them up by pass id.
 */
export const PickupPassSchema = z
  .object({
    kind: z.literal('pickup'),
    ...passFields,
    holderPersonId: PersonIdSchema,
  })
  .superRefine(windowIsSane);

export const CredentialSchema = z.discriminatedUnion('kind', [
  CardCredentialSchema,
  VisitorPassSchema,
  PickupPassSchema,
]);

export type CardCredential = z.infer<typeof CardCredentialSchema>;
export type VisitorPass = z.infer<typeof VisitorPassSchema>;
export type PickupPass = z.infer<typeof PickupPassSchema>;
export type Credential = z.infer<typeof CredentialSchema>;

/** Rounds an instant to a credential minute: 'floor' for a start, 'ceil' for an end. */
export function toCredentialMinute(ms: number, mode: 'floor' | 'ceil'): number {
  const f = mode === 'floor' ? Math.floor : Math.ceil;
  return f(ms / MINUTE_MS) * MINUTE_MS;
}
