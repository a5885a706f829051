import { randomBytes } from 'node:crypto';

/** Short random ids with a readable prefix ("sch_…", "edge_…"): safe in URLs and logs. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('base64url')}`;
}
