import { ByteReader, ByteWriter, FieldOutOfRange } from './bytes.js';
import { readPersonId, writePersonId } from './person-id.js';
import {
  CREDENTIAL_EPOCH_MS,
  CredentialSchema,
  KID_RE,
  MINUTE_MS,
  type Credential,
  type CredentialKind,
} from './schema.js';

/**
 * The signed body of a credential (the 64-byte signature follows it):
 *
 *   header  u16  [layout version:2][kind:3][key id:11]
 *   card     person id, card version (varint)
 *   visitor  pass id (varint), flags u8 [one-use:1][gates:3][zones:3][0:1],
 *            valid-from u24 (minutes since 2024-01-01Z), minutes valid (varint),
 *            host person id, gate numbers (varints), zone numbers (varints)
 *   pickup   pass id (varint), flags u8 [one-use:1][0:7], valid-from u24,
 *            minutes valid (varint), holder person id
 *
 * Person ids: see person-id.ts. Every field has exactly one byte form, so one credential
 * has one text and one signature input.
 */
export const LAYOUT_VERSION = 1;

const KIND_CODES: Record<CredentialKind, number> = { card: 1, visitor: 2, pickup: 3 };
const KINDS_BY_CODE: ReadonlyArray<CredentialKind | undefined> = [undefined, 'card', 'visitor', 'pickup'];

const KID_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A header that names a layout version this code does not know. */
export class UnsupportedLayout extends Error {}
/** A kind code this code does not know (a newer issuer). */
export class UnsupportedKind extends Error {}
/** Fields that parse but break the credential schema. */
export class InvalidFields extends Error {}

export function kidToNumber(kid: string): number {
  if (!KID_RE.test(kid)) throw new FieldOutOfRange(`bad key id ${JSON.stringify(kid)}`);
  return KID_CHARS.indexOf(kid[0]!) * KID_CHARS.length + KID_CHARS.indexOf(kid[1]!);
}

export function kidFromNumber(n: number): string | undefined {
  const hi = Math.floor(n / KID_CHARS.length);
  if (hi >= KID_CHARS.length) return undefined;
  return KID_CHARS[hi]! + KID_CHARS[n % KID_CHARS.length]!;
}

function toMinutes(ms: number): number {
  return (ms - CREDENTIAL_EPOCH_MS) / MINUTE_MS;
}

/** Writes a schema-valid credential; throws FieldOutOfRange for an unencodable key id. */
export function writeBody(cred: Credential, kid: string): Uint8Array {
  const w = new ByteWriter();
  w.u16((LAYOUT_VERSION << 14) | (KIND_CODES[cred.kind] << 11) | kidToNumber(kid));
  switch (cred.kind) {
    case 'card':
      writePersonId(w, cred.personId);
      w.varint(cred.cardVersion);
      break;
    case 'visitor':
      w.varint(cred.passId);
      w.u8((cred.oneUse ? 0x80 : 0) | (cred.gates.length << 4) | (cred.zones.length << 1));
      w.u24(toMinutes(cred.validFrom));
      w.varint((cred.validUntil - cred.validFrom) / MINUTE_MS);
      writePersonId(w, cred.hostPersonId);
      for (const g of cred.gates) w.varint(g);
      for (const z of cred.zones) w.varint(z);
      break;
    case 'pickup':
      w.varint(cred.passId);
      w.u8(cred.oneUse ? 0x80 : 0);
      w.u24(toMinutes(cred.validFrom));
      w.varint((cred.validUntil - cred.validFrom) / MINUTE_MS);
      writePersonId(w, cred.holderPersonId);
      break;
  }
  return w.toBytes();
}

export interface ParsedBody {
  kid: string;
  credential: Credential;
}

/**
 * Reads a body. Throws TruncatedBody / FieldOutOfRange (→ malformed), UnsupportedLayout,
 * UnsupportedKind or InvalidFields; the decoder maps each to a reason code.
 */
export function readBody(body: Uint8Array): ParsedBody {
  const r = new ByteReader(body);
  const header = r.u16();
  if (header >>> 14 !== LAYOUT_VERSION) throw new UnsupportedLayout(`layout version ${header >>> 14}`);
  const kind = KINDS_BY_CODE[(header >>> 11) & 0b111];
  if (!kind) throw new UnsupportedKind(`kind code ${(header >>> 11) & 0b111}`);
  const kid = kidFromNumber(header & 0x7ff);
  if (!kid) throw new FieldOutOfRange('key id out of range');

  let raw: Record<string, unknown>;
  if (kind === 'card') {
    raw = { kind, personId: readPersonId(r), cardVersion: r.varint() };
  } else {
    const passId = r.varint();
    const flags = r.u8();
    const validFrom = CREDENTIAL_EPOCH_MS + r.u24() * MINUTE_MS;
    const validUntil = validFrom + r.varint() * MINUTE_MS;
    const oneUse = (flags & 0x80) !== 0;
    if (kind === 'visitor') {
      if ((flags & 0x01) !== 0) throw new FieldOutOfRange('reserved flag set');
      const hostPersonId = readPersonId(r);
      const gates = Array.from({ length: (flags >>> 4) & 0b111 }, () => r.varint());
      const zones = Array.from({ length: (flags >>> 1) & 0b111 }, () => r.varint());
      raw = { kind, passId, validFrom, validUntil, oneUse, hostPersonId, gates, zones };
    } else {
      if ((flags & 0x7f) !== 0) throw new FieldOutOfRange('reserved flag set');
      raw = { kind, passId, validFrom, validUntil, oneUse, holderPersonId: readPersonId(r) };
    }
  }
  if (r.remaining !== 0) throw new FieldOutOfRange('bytes after the last field');
  // The issuer signs only schema-valid credentials, so anything else is damage or forgery.
  const parsed = CredentialSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidFields(parsed.error.issues[0]?.message ?? 'invalid fields');
  return { kid, credential: parsed.data };
}
