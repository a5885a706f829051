import { z } from 'zod';
import type { RosterImportReport } from '@campus/protocol/access/api';
import type { PersonRole } from '@campus/protocol/access/model';
import { problem, validateRoster, type RosterPerson } from '@campus/protocol/roster/index';
import { readRosterFile } from '@campus/protocol/sheets/roster-table';
import type { RecordWrite, RecordStore } from '../feed/records.js';
import type { Queryable } from '../db/database.js';
import { HttpError } from '../http/errors.js';
import type { StaffRouter } from './access.js';
import type { StaffRole } from './roles.js';
import './messages.js';

/** Who imports a school's roster: as for the roster records themselves. */
const IMPORT_STAFF: readonly StaffRole[] = ['school_admin', 'office'];
/** A roster file of 20,000 people is about 2 MB as CSV (an .xlsx of them about 700 KB); the staff API reads 1 MB of JSON, so base64 of ≤ 700 KB. */
const MAX_FILE_BYTES = 700 * 1024;

const ImportParams = z.object({ schoolId: z.string().max(64) });
const ImportBody = z.strictObject({
  fileName: z.string().min(1).max(200),
  contentBase64: z.string().max(Math.ceil((MAX_FILE_BYTES * 4) / 3) + 8),
  /** Check only: the report, nothing written. */
  dryRun: z.boolean().default(false),
});

/** The class id the edge reads back as grade and class (`gradeAndClass` in the edge's cloud keys): "初一-1班". */
export const classIdOf = (grade: string, className: string): string => `${grade}-${className}`;

/** The cloud records one valid roster row stands for: the person, a card floor when the row names a printed card's version, guardian links. */
export function rosterWrites(people: readonly RosterPerson[]): RecordWrite[] {
  const writes: RecordWrite[] = [];
  for (const p of people) {
    writes.push({
      kind: 'person',
      key: p.id,
      data: { name: p.name, roles: p.roles, ...(p.grade && p.className ? { classId: classIdOf(p.grade, p.className) } : {}), ...(p.phone ? { phone: p.phone } : {}), active: p.active },
    });
    if (p.cardVersion > 0) writes.push({ kind: 'card', key: p.id, data: { personId: p.id, version: p.cardVersion, revoked: false } });
    for (const child of p.guardianOf?.children ?? []) {
      writes.push({
        kind: 'guardianship',
        key: `${child}:${p.id}`,
        data: { studentId: child, guardianId: p.id, relation: p.guardianOf!.relation, mayPickUp: p.guardianOf!.mayPickUp, receivesNotices: p.guardianOf!.receivesNotices },
      });
    }
  }
  return writes;
}

/**
 * Roster import in the console: the same file reader (CSV in UTF-8 or GBK, or .xlsx
 * behind the zip guard of protocol/sheets), columns and row-level report as the edge's
 * `roster import` (protocol/roster), writing person, card and guardianship records to the
 * change feed in one transaction with the audit row. All or nothing: one bad row, or a
 * spreadsheet refused as a whole, and nothing is written (422 with the report). The cloud
 * keeps no dormitories: a dormitory column is reported per row, as on an edge without that zone.
 */
export function importRoutes(api: StaffRouter, records: RecordStore): void {
  const existingRoles = async (q: Queryable, schoolId: string, ids: string[]) => {
    const r = await q.query<{ key: string; roles: PersonRole[] }>(`SELECT key, data->'roles' AS roles FROM records WHERE school_id = $1 AND kind = 'person' AND NOT deleted AND key = ANY($2::text[])`, [schoolId, ids]);
    return new Map(r.rows.map((x) => [x.key, x.roles]));
  };
  const existingKeys = async (q: Queryable, schoolId: string, ids: string[]) => {
    const r = await q.query<{ key: string }>(`SELECT key FROM records WHERE school_id = $1 AND kind = 'person' AND NOT deleted AND key = ANY($2::text[])`, [schoolId, ids]);
    return new Set(r.rows.map((x) => x.key));
  };

  api.add({
    method: 'post',
    path: '/schools/:schoolId/roster-import',
    summary: 'Import a people roster (CSV in UTF-8 or GBK, or XLSX) with the edge\'s columns and row-level report; all or nothing; `dryRun` checks only',
    scope: 'school',
    roles: IMPORT_STAFF,
    audit: 'record.roster.import',
    params: ImportParams,
    body: ImportBody,
    handler: async ({ params, body, q, res, audited, afterCommit }): Promise<(RosterImportReport & { cursor: number | null }) | undefined> => {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body.contentBase64)) throw new HttpError(400, 'staff.error.import_base64');
      const bytes = Buffer.from(body.contentBase64, 'base64');
      if (bytes.length > MAX_FILE_BYTES) throw new HttpError(413, 'staff.error.import_too_large', { limit: Math.round(MAX_FILE_BYTES / 1024) });
      const table = await readRosterFile(body.fileName, bytes);
      // Children a guardian row names that are not in the file must already be students of this school.
      const childIds = [...new Set(table.records.slice(1).flatMap((r) => r.fields.flatMap((f) => f.split(/[、,，;；\s]+/)).filter((x) => /^[0-9A-Z_-]{1,16}$/.test(x))))];
      const roles = childIds.length ? await existingRoles(q, params.schoolId, childIds) : new Map<string, PersonRole[]>();
      const v = validateRoster(table, { dormitories: new Map(), existingRoles: (id) => roles.get(id) });
      if (v.ok) {
        // An existing key that differs from a file id only in case ("g500" and "G500") is the same card id at the gates.
        const folds = await q.query<{ key: string; upper: string }>(
          `SELECT key, upper(key) AS upper FROM records WHERE school_id = $1 AND kind = 'person' AND NOT deleted AND upper(key) = ANY($2::text[]) AND key <> upper(key)`,
          [params.schoolId, v.people.map((p) => p.id)],
        );
        const byId = new Map(folds.rows.map((x) => [x.upper, x.key]));
        for (const p of v.people) {
          const existing = byId.get(p.id);
          if (existing) v.errors.push(problem('staff.import.id_folds', p.row, table.records[0]?.fields.find((f) => /学号|工号|编号|id/i.test(f))?.trim() ?? null, { value: p.id, existing }));
        }
        if (v.errors.length) {
          v.ok = false;
          v.people = [];
        }
      }
      const report: RosterImportReport & { cursor: number | null } = { ok: v.ok, imported: false, total: v.total, created: 0, updated: 0, guardianLinks: 0, errors: v.errors, warnings: v.warnings, cursor: null };
      audited(body.fileName, { fileName: body.fileName, dryRun: body.dryRun, total: v.total, errors: v.errors.length });
      if (!v.ok) {
        // As on the edge: 422 with the same report. Sent after the commit, so its audit row is kept.
        afterCommit(() => void res.status(422).json(report));
        return undefined;
      }
      if (body.dryRun) return report;
      // The school row first, as every staff write: imports and edits of one school queue here.
      await q.query('SELECT 1 FROM schools WHERE id = $1 FOR UPDATE', [params.schoolId]);
      const known = await existingKeys(q, params.schoolId, v.people.map((p) => p.id));
      const writes = rosterWrites(v.people);
      report.cursor = await records.writeIn(q, params.schoolId, writes);
      report.created = v.people.filter((p) => !known.has(p.id)).length;
      report.updated = v.people.length - report.created;
      report.guardianLinks = writes.filter((w) => w.kind === 'guardianship').length;
      report.imported = true;
      audited(body.fileName, { fileName: body.fileName, total: v.total, created: report.created, updated: report.updated, guardianLinks: report.guardianLinks, cursor: report.cursor });
      afterCommit(() => records.changed(params.schoolId));
      return report;
    },
  });
}
