import { z } from 'zod';

/**
 * Phone numbers as people type them and spreadsheets keep them — "138 1234 5678",
 * "138-1234-5678", "+86 13812345678", "0086…", full-width digits from a Chinese IME —
 * are one number. Every phone the system stores or looks up goes through
 * `canonicalPhone` first, so a guardian signs in, is matched to the roster and to the
 * pickup list whichever way the number was written: spaces, dashes, dots and brackets are
 * dropped, and a mainland mobile number loses its country code (+86, 0086 or 86 before an
 * 11-digit number starting with 1). Other numbers (a landline with its area code, a
 * foreign number with +) keep their digits and a leading +.
 */
export function canonicalPhone(text: string): string {
  const compact = text.normalize('NFKC').replace(/[\s\-–—.()]/g, '');
  const mobile = /^(?:\+86|0086|86)(1\d{10})$/.exec(compact);
  return mobile ? mobile[1]! : compact;
}

/** A stored phone: digits with an optional leading + (6–15 digits, E.164's limit). */
export const PHONE_PATTERN = /^\+?\d{6,15}$/;

/** A phone number in any API body or record: made canonical (`canonicalPhone`), then checked. */
export const PhoneSchema = z
  .string()
  .max(40)
  .overwrite(canonicalPhone)
  .regex(PHONE_PATTERN, 'phone number: 6–15 digits, optionally with + and the country code');
