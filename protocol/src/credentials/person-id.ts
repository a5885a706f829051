import { ByteWriter, FieldOutOfRange, type ByteReader } from './bytes.js';

/**
 * Person ids on cards are the school's own numbers (学号 / 工号): digits such as
 * "2023010123", or short codes such as "T2019-001". They are packed with bijective
 * numeration, which keeps leading zeros ("00123" and "123" are different ids) without
 * a length byte: an id of digits only costs about 3.3 bits a character, any other id
 * about 5.3 bits. One tag bit says which alphabet was used.
 *
 * Sizes: 10 digits → 5 bytes, 12 digits → 6 bytes, 8 mixed characters → 7 bytes.
 */
export const PERSON_ID_MAX_LENGTH = 16;
export const PERSON_ID_RE = /^[0-9A-Z_-]{1,16}$/;

const DIGITS = '0123456789';
const CODE_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-_';
const DIGITS_ONLY_RE = /^[0-9]+$/;
// 16 characters of the 38-letter alphabet need 86 bits, plus the tag bit: 13 varint bytes.
const MAX_ID_VARINT_BYTES = 13;

function rank(id: string, alphabet: string): bigint {
  const base = BigInt(alphabet.length);
  let r = 0n;
  for (const ch of id) r = r * base + BigInt(alphabet.indexOf(ch) + 1);
  return r;
}

function unrank(r: bigint, alphabet: string): string {
  const base = BigInt(alphabet.length);
  let rest = r;
  let out = '';
  while (rest > 0n) {
    if (out.length >= PERSON_ID_MAX_LENGTH) throw new FieldOutOfRange('person id too long');
    const d = (rest - 1n) % base;
    out = alphabet[Number(d)]! + out;
    rest = (rest - 1n - d) / base;
  }
  return out;
}

export function writePersonId(w: ByteWriter, id: string): void {
  if (!PERSON_ID_RE.test(id)) throw new FieldOutOfRange(`person id not encodable: ${JSON.stringify(id)}`);
  const digitsOnly = DIGITS_ONLY_RE.test(id);
  const r = rank(id, digitsOnly ? DIGITS : CODE_CHARS);
  w.bigVarint(r * 2n + (digitsOnly ? 0n : 1n));
}

export function readPersonId(r: ByteReader): string {
  const v = r.bigVarint(MAX_ID_VARINT_BYTES);
  const digitsOnly = (v & 1n) === 0n;
  const id = unrank(v >> 1n, digitsOnly ? DIGITS : CODE_CHARS);
  if (id.length === 0) throw new FieldOutOfRange('empty person id');
  // A digits-only id written with the wide alphabet would be a second byte form of the same card.
  if (!digitsOnly && DIGITS_ONLY_RE.test(id)) throw new FieldOutOfRange('non-canonical person id');
  return id;
}

/** Bytes the id takes in a credential; used to explain a too-long credential before signing. */
export function personIdByteLength(id: string): number {
  const w = new ByteWriter();
  writePersonId(w, id);
  return w.toBytes().length;
}
