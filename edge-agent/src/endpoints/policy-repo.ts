import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/open.js';
import { statementCache } from './statements.js';
import { PolicyContentSchema, targetFrom, targetKey, type PolicyContent, type PolicyTarget } from './policy-content.js';

/** One version of the USB policy as IT pushed it: content, who it reaches, who pushed it. */
export interface PolicyVersionRecord {
  version: number;
  target: PolicyTarget;
  content: PolicyContent;
  /** The version it was edited from, if any (for "what changed"). */
  basedOn: number | null;
  createdAt: number;
  createdBy: string;
}

interface Row {
  version: number;
  target_scope: string;
  target_id: string | null;
  content: string;
  based_on: number | null;
  created_at: number;
  created_by: string;
}

const toRecord = (r: Row): PolicyVersionRecord => ({
  version: r.version,
  target: targetFrom(r.target_scope, r.target_id),
  // Parsed again on the way out: a row written by an older build gets today's defaults.
  content: PolicyContentSchema.parse(JSON.parse(r.content)),
  basedOn: r.based_on,
  createdAt: r.created_at,
  createdBy: r.created_by,
});

export class PolicyRepo {
  private readonly sql: (text: string) => Statement;

  constructor(db: Db) {
    this.sql = statementCache(db);
  }

  /** The next number on the policy number line (see the migration). */
  nextNumber(): number {
    return (this.sql('UPDATE usb_policy_counter SET value = value + 1 WHERE id = 1 RETURNING value').get() as { value: number }).value;
  }

  /** Moves the number line past `atLeast` (a PC reported a version this database never issued). */
  raiseCounter(atLeast: number): void {
    this.sql('UPDATE usb_policy_counter SET value = max(value, ?) WHERE id = 1').run(atLeast);
  }

  counter(): number {
    return (this.sql('SELECT value FROM usb_policy_counter WHERE id = 1').get() as { value: number }).value;
  }

  create(p: { target: PolicyTarget; content: PolicyContent; basedOn: number | null; at: number; by: string }): PolicyVersionRecord {
    const version = this.nextNumber();
    const t = targetKey(p.target);
    this.sql('INSERT INTO usb_policy_versions (version, target_scope, target_id, content, based_on, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(version, t.scope, t.id, JSON.stringify(p.content), p.basedOn, p.at, p.by);
    return this.get(version)!;
  }

  get(version: number): PolicyVersionRecord | undefined {
    const r = this.sql('SELECT * FROM usb_policy_versions WHERE version = ?').get(version) as Row | undefined;
    return r && toRecord(r);
  }

  count(): number {
    return (this.sql('SELECT count(*) AS n FROM usb_policy_versions').get() as { n: number }).n;
  }

  /** Newest first. */
  list(limit: number, beforeVersion?: number): PolicyVersionRecord[] {
    const rows = this.sql('SELECT * FROM usb_policy_versions WHERE version < ? ORDER BY version DESC LIMIT ?')
      .all(beforeVersion ?? Number.MAX_SAFE_INTEGER, limit) as Row[];
    return rows.map(toRecord);
  }

  /**
   * The versions that can still be in force: the newest for 'all', and for each group
   * and PC the newest addressed to it. A PC runs the newest of those that reach it.
   */
  candidates(): PolicyVersionRecord[] {
    const rows = this.sql(
        `SELECT v.* FROM usb_policy_versions v
         JOIN (SELECT target_scope, coalesce(target_id, '') AS tid, max(version) AS version FROM usb_policy_versions GROUP BY target_scope, tid) latest
           ON latest.version = v.version
         ORDER BY v.version DESC`,
      )
      .all() as Row[];
    return rows.map(toRecord);
  }
}
