import type { RecordKind } from '@campus/protocol/sync/records';

/**
 * PIPL (个人信息保护法) limits on what leaves the cloud through the open API, webhooks and
 * exports: sensitive personal information — phone numbers, WeChat ids, identity numbers,
 * health and medical facts (a sick-leave reason is one), special needs — goes only to a
 * key, subscription or export that was given the `sensitive` scope. Everything else about
 * a school stays readable with the ordinary scopes, within that school only.
 */

/** Fields of cloud-owned records that are sensitive, per kind. */
export const SENSITIVE_RECORD_FIELDS: Record<RecordKind, readonly string[]> = {
  person: ['phone', 'wechatOpenId', 'idNumber', 'medical', 'allergies', 'bloodType', 'specialNeeds'],
  guardianship: [],
  card: [],
  leave: ['reason'],
  visitor_pass: ['phone'],
  calendar: [],
  timetable: [],
  usb_policy: [],
  bus_vehicle: [],
  bus_route: [],
  bus_assignment: [],
  bus_stop_change: [],
  // A pickup person's phone and photo (a face), and the key their one-time codes derive from.
  pickup_person: ['phone', 'photoId'],
  bus_trip: [],
  // Whether a guardian declared today (no temperature or symptom in it) and the school's switch.
  health_declaration: [],
  health_policy: [],
};

/** Any field by these names, at any depth of an event's data (or a record field added later). */
const SENSITIVE_KEY = /(phone|mobile|wechat|openid|id_?number|idcard|medical|allerg|blood|health|diagnos|special_?needs)/i;

export interface Redacted<T> {
  value: T;
  /** Dotted paths of the fields removed. */
  removed: string[];
}

function strip(value: unknown, path: string, removed: string[], extra: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((v, i) => strip(v, `${path}[${i}]`, removed, []));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const p = path ? `${path}.${k}` : k;
      if (extra.includes(k) || SENSITIVE_KEY.test(k)) {
        removed.push(p);
        continue;
      }
      out[k] = strip(v, p, removed, []);
    }
    return out;
  }
  return value;
}

/**
 * Secrets inside records that no scope reads: a pickup person's code key would let the
 * holder mint the one-time pickup codes a bus attendant accepts.
 */
export const SECRET_RECORD_FIELDS: Partial<Record<RecordKind, readonly string[]>> = { pickup_person: ['codeKey'] };

/** A record's data without its sensitive fields (unless `allowed`), and never its secrets. */
export function redactRecord(kind: RecordKind, data: Record<string, unknown>, allowed: boolean): Redacted<Record<string, unknown>> {
  const secrets = SECRET_RECORD_FIELDS[kind] ?? [];
  if (secrets.some((f) => f in data)) data = Object.fromEntries(Object.entries(data).filter(([k]) => !secrets.includes(k)));
  if (allowed) return { value: data, removed: [] };
  const removed: string[] = [];
  return { value: strip(data, '', removed, SENSITIVE_RECORD_FIELDS[kind]) as Record<string, unknown>, removed };
}

/** An event's data without sensitive fields (unless `allowed`). */
export function redactEventData(data: Record<string, unknown>, allowed: boolean): Redacted<Record<string, unknown>> {
  if (allowed) return { value: data, removed: [] };
  const removed: string[] = [];
  return { value: strip(data, '', removed, []) as Record<string, unknown>, removed };
}
