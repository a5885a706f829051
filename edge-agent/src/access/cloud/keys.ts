import { CREDENTIAL_LIMITS, PERSON_ID_RE } from '@campus/protocol/credentials/index';

/**
 * How the cloud's string keys become the access domain's ids. The cloud keys records
 * with `[A-Za-z0-9_.:-]{1,128}`; the gate identifies people by the id printed in the
 * signed QR (`[0-9A-Z_-]{1,16}`, 学号/工号) and passes by a number.
 *
 * - person: the key itself when it is a valid person id; else its upper-case form when
 *   that is (the QR alphabet has no lower case, so "g-li" is card "G-LI"). Anything else
 *   (too long, '.' or ':') is refused: an id we cannot print on a card cannot pass a gate.
 *   Two keys that fold to the same id are a conflict (the second is refused).
 * - class: "<grade>-<class>" (also "/" or a space), e.g. "初一-1班", "7-2"; without a
 *   separator the whole text is both grade and class.
 * - visitor pass: the key is the pass number carried by the QR (decimal, 1..2^21-1).
 * - gates on a visitor pass: this edge's gate ids, or gate numbers as text ("1"); gates of
 *   other campuses are dropped (the QR's own numeric gate list is what the gate checks).
 */
export function edgePersonId(key: string): string | null {
  if (PERSON_ID_RE.test(key)) return key;
  const upper = key.toUpperCase();
  return PERSON_ID_RE.test(upper) ? upper : null;
}

export function gradeAndClass(classId: string): { grade: string; cls: string } | null {
  const t = classId.trim();
  if (!t) return null;
  const m = /^(.+?)\s*[-/ ]\s*(.+)$/.exec(t);
  if (!m) return { grade: t, cls: t };
  return { grade: m[1]!.slice(0, 32), cls: m[2]!.slice(0, 32) };
}

export function passNumber(key: string): number | null {
  if (!/^\d{1,7}$/.test(key)) return null;
  const n = Number(key);
  return n >= 1 && n <= CREDENTIAL_LIMITS.maxPassId ? n : null;
}

/** Edge rows made from a cloud record carry this in their created_by, so a key finds its row again. */
export function cloudTag(kind: string, key: string): string {
  return `cloud:${kind}:${key}`;
}
