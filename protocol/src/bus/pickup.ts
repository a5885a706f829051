import { createHash, createHmac, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { ByteReader, ByteWriter, FieldOutOfRange, TruncatedBody } from '../credentials/bytes.js';
import type { Keyring } from '../credentials/keys.js';
import { toPrivateKey } from '../credentials/keys.js';
import { kidFromNumber, kidToNumber } from '../credentials/layout.js';
import { readPersonId, writePersonId } from '../credentials/person-id.js';
import { KID_RE, PERSON_ID_RE } from '../credentials/index.js';

/**
 * Authorized pickup at the bus door (校车接送交接), two ways to prove "I may collect this
 * child", both checked offline on the bus box. Node only (node:crypto): import as
 * `@campus/protocol/bus/pickup`, never from the panel.
 *
 * ## 1. The signed pickup pass (接送证), printed or on the phone
 *
 * Text: `SP1:` + base64url(body ‖ Ed25519 signature), the signature covering `SP1:` + body,
 * signed by the school's issuer key (the same keys and key ids as cards: `issuer-<kid>.pub`
 * on every box; no box can mint one). Its own prefix, so a gate never takes it for a card
 * or a gate pickup pass, and the same bytes never verify as another kind.
 *
 *   header   u16  [layout version 1:2][reserved 0:3][key id:11]
 *   student  person id of the child (学号, as on the child's card: 1–13 bytes)
 *   pickup   u32  tag of the pickup_person record key: first 4 bytes of
 *                 SHA-256("campus-pickup-person/v1|" + key), big-endian
 *   version  varint  the record's passVersion (0..16383)
 *
 * The record key (up to 128 characters in the change feed) does not fit, so the pass
 * carries its tag; the box finds the child's pickup_person records and matches the tag
 * (a child has a handful: a collision among them is ~n²/2^33). Revocation: the cloud raises
 * `passVersion`; a pass with a lower version than the record is refused. The validity
 * window lives in the record (validFrom/validUntil), not on the pass. A 10-digit 学号 gives
 * 106 characters; the longest person id 118 (limit 120, like cards).
 *
 * ## 2. The one-time code (接送码) in the guardian's parent app
 *
 * The cloud keeps one random secret per school (≥ 32 bytes) and never sends it to a box.
 * For each pickup_person record it derives the person's code key
 *
 *   codeKey = HMAC-SHA256(schoolSecret, "campus-pickup-code-key/v1|" + recordKey + "|" + passVersion)
 *
 * and sends it down with the record (`codeKey`, base64url; cloud_records are sealed at
 * rest on the box). Raising passVersion changes the key, so old codes die with old passes.
 * The app shows (computed by the cloud, or in the app from codeKey) a 6-digit code:
 *
 *   step = floor(unix seconds / 300)
 *   mac  = HMAC-SHA256(codeKey, "campus-pickup-code/v1|" + studentId + "|" + step)
 *   code = (RFC 4226 dynamic truncation of mac) mod 10^6, zero-padded to 6 digits
 *
 * A code is bound to one child (a sibling needs their own code) and to a 5-minute step;
 * the box accepts the current and the previous step (so a code is good for 5–10 minutes,
 * and for one more step of clock skew) and tells an expired code (up to one hour old) from
 * a wrong one. Guessing is bounded on the box: a few wrong codes lock code entry for that
 * child on that trip (the pass or the school's call is then the way).
 */
export const PICKUP_PASS_PREFIX = 'SP1:';
export const PICKUP_PASS_MAX_LENGTH = 120;
export const PICKUP_CODE_STEP_MS = 300_000;
export const PICKUP_CODE_DIGITS = 6;
export const PICKUP_MAX_PASS_VERSION = 16_383;
const LAYOUT = 1;
const SIG = 64;
const PREFIX_BYTES = Buffer.from(PICKUP_PASS_PREFIX, 'ascii');

export interface PickupPass {
  studentId: string;
  /** pickupKeyTag(record key) */
  pickupTag: number;
  passVersion: number;
}

/** The 32-bit tag of a pickup_person record key, as the pass carries it. */
export function pickupKeyTag(recordKey: string): number {
  return createHash('sha256').update(`campus-pickup-person/v1|${recordKey}`).digest().readUInt32BE(0);
}

/** Signs a pickup pass with the school's issuer key (the issuing side only). */
export function encodePickupPass(p: { studentId: string; recordKey: string; passVersion: number }, privateKey: KeyObject | string, kid: string): string {
  if (!KID_RE.test(kid)) throw new RangeError(`bad key id ${kid}`);
  if (!PERSON_ID_RE.test(p.studentId)) throw new RangeError(`student id not encodable: ${p.studentId}`);
  if (!Number.isInteger(p.passVersion) || p.passVersion < 0 || p.passVersion > PICKUP_MAX_PASS_VERSION) throw new RangeError(`passVersion out of range: ${p.passVersion}`);
  const w = new ByteWriter();
  w.u16((LAYOUT << 14) | kidToNumber(kid));
  writePersonId(w, p.studentId);
  const tag = pickupKeyTag(p.recordKey);
  w.u16(tag >>> 16).u16(tag & 0xffff);
  w.varint(p.passVersion);
  const body = w.toBytes();
  const signature = sign(null, Buffer.concat([PREFIX_BYTES, body]), toPrivateKey(kid, privateKey));
  const text = PICKUP_PASS_PREFIX + Buffer.concat([body, signature]).toString('base64url');
  if (text.length > PICKUP_PASS_MAX_LENGTH) throw new RangeError(`pickup pass too long: ${text.length}`);
  return text;
}

export type PickupPassFailure = 'pickup.pass.malformed' | 'pickup.pass.unknown_key' | 'pickup.pass.bad_signature';
export type PickupPassResult = { ok: true; kid: string; pass: PickupPass } | { ok: false; reason: PickupPassFailure; kid?: string; detail: string };

/** Whether a scanned text is meant as a pickup pass (the door reader routes on this). */
export function isPickupPassText(text: string): boolean {
  return text.startsWith(PICKUP_PASS_PREFIX);
}

/** Decodes and checks key id and signature. Never throws. */
export function verifyPickupPass(text: string, keyring: Keyring): PickupPassResult {
  if (!text.startsWith(PICKUP_PASS_PREFIX)) return { ok: false, reason: 'pickup.pass.malformed', detail: 'no SP1: prefix' };
  if (text.length > PICKUP_PASS_MAX_LENGTH) return { ok: false, reason: 'pickup.pass.malformed', detail: `${text.length} characters` };
  const b64 = text.slice(PICKUP_PASS_PREFIX.length);
  if (!/^[A-Za-z0-9_-]*$/.test(b64)) return { ok: false, reason: 'pickup.pass.malformed', detail: 'not base64url' };
  const bytes = Buffer.from(b64, 'base64url');
  if (bytes.toString('base64url') !== b64 || bytes.length < SIG + 8) return { ok: false, reason: 'pickup.pass.malformed', detail: 'length or encoding' };
  const body = bytes.subarray(0, bytes.length - SIG);
  let kid: string;
  let pass: PickupPass;
  try {
    const r = new ByteReader(body);
    const header = r.u16();
    if (header >>> 14 !== LAYOUT || ((header >>> 11) & 0b111) !== 0) throw new FieldOutOfRange('layout');
    const k = kidFromNumber(header & 0x7ff);
    if (!k) throw new FieldOutOfRange('key id');
    kid = k;
    const studentId = readPersonId(r);
    const pickupTag = r.u16() * 0x10000 + r.u16();
    const passVersion = r.varint();
    if (passVersion > PICKUP_MAX_PASS_VERSION) throw new FieldOutOfRange('passVersion');
    if (r.remaining !== 0) throw new FieldOutOfRange('bytes after the last field');
    pass = { studentId, pickupTag, passVersion };
  } catch (err) {
    if (err instanceof FieldOutOfRange || err instanceof TruncatedBody) return { ok: false, reason: 'pickup.pass.malformed', detail: err.message };
    throw err;
  }
  const key = keyring.get(kid);
  if (!key) return { ok: false, reason: 'pickup.pass.unknown_key', kid, detail: `kid ${kid}` };
  if (!verify(null, Buffer.concat([PREFIX_BYTES, body]), key, bytes.subarray(bytes.length - SIG))) return { ok: false, reason: 'pickup.pass.bad_signature', kid, detail: 'signature' };
  return { ok: true, kid, pass };
}

/** The cloud's derivation of a pickup person's code key (base64url of 32 bytes). */
export function pickupCodeKey(schoolSecret: Buffer, recordKey: string, passVersion: number): string {
  return createHmac('sha256', schoolSecret).update(`campus-pickup-code-key/v1|${recordKey}|${passVersion}`).digest('base64url');
}

export function pickupCodeStep(ms: number): number {
  return Math.floor(ms / PICKUP_CODE_STEP_MS);
}

/** The 6-digit code for a child in one 5-minute step. */
export function pickupCode(codeKey: string, studentId: string, step: number): string {
  const mac = createHmac('sha256', Buffer.from(codeKey, 'base64url')).update(`campus-pickup-code/v1|${studentId}|${step}`).digest();
  const off = mac[mac.length - 1]! & 0x0f;
  const bin = ((mac[off]! & 0x7f) << 24) | (mac[off + 1]! << 16) | (mac[off + 2]! << 8) | mac[off + 3]!;
  return String(bin % 10 ** PICKUP_CODE_DIGITS).padStart(PICKUP_CODE_DIGITS, '0');
}

/**
 * Checks a code against one pickup person's key: 'ok' in the current or previous step,
 * 'expired' if it matches a step up to an hour old, else 'wrong'. Constant-time compare.
 */
export function checkPickupCode(codeKey: string, studentId: string, code: string, now: number): 'ok' | 'expired' | 'wrong' {
  if (!/^\d{6}$/.test(code)) return 'wrong';
  const step = pickupCodeStep(now);
  const given = Buffer.from(code);
  const same = (s: number) => timingSafeEqual(Buffer.from(pickupCode(codeKey, studentId, s)), given);
  if (same(step) || same(step - 1)) return 'ok';
  for (let s = step - 2; s >= step - 12; s--) if (same(s)) return 'expired';
  return 'wrong';
}
