import type { RosterImportReport } from '@campus/protocol/access/index';
import type { Db } from '../../store/index.js';
import type { People, PersonInput, GuardianLink } from '../people.js';
import { readRosterTable, type RosterTable } from './read.js';
import { validateRoster, type RosterContext } from '@campus/protocol/roster/index';

/** Reads a roster file (CSV or XLSX) and imports it: see importRosterTable. */
export async function importRoster(
  db: Db,
  people: People,
  file: { fileName: string; bytes: Uint8Array },
  ctx: Pick<RosterContext, 'dormitories'>,
  opts: { dryRun?: boolean } = {},
): Promise<RosterImportReport> {
  return importRosterTable(db, people, await readRosterTable(file.fileName, file.bytes), ctx, opts);
}

/**
 * Validates a roster table and, only if every row is valid, writes it in one transaction:
 * grades and classes as needed, people inserted or updated (card versions only go up),
 * and each listed guardian's links replaced. People not in the file are left alone.
 */
export function importRosterTable(
  db: Db,
  people: People,
  table: RosterTable,
  ctx: Pick<RosterContext, 'dormitories'>,
  opts: { dryRun?: boolean } = {},
): RosterImportReport {
  const v = validateRoster(table, { dormitories: ctx.dormitories, existingRoles: (id) => people.get(id)?.roles });
  const report: RosterImportReport = { ok: v.ok, imported: false, total: v.total, created: 0, updated: 0, guardianLinks: 0, errors: v.errors, warnings: v.warnings };
  if (!v.ok || opts.dryRun) return report;
  const write = db.transaction(() => {
    const inputs: PersonInput[] = v.people.map((p) => ({
      id: p.id,
      name: p.name,
      roles: p.roles,
      classId: p.grade && p.className ? people.ensureClass(p.grade, p.className).id : null,
      boarder: p.boarder,
      dormitoryZone: p.dormitoryZone,
      phone: p.phone,
      active: p.active,
      cardVersion: p.cardVersion,
    }));
    const counts = people.upsertMany(inputs);
    report.created = counts.created;
    report.updated = counts.updated;
    const guardians = v.people.filter((p) => p.guardianOf);
    const links: GuardianLink[] = guardians.flatMap((g) =>
      g.guardianOf!.children.map((studentId) => ({
        studentId,
        guardianId: g.id,
        relation: g.guardianOf!.relation,
        mayPickUp: g.guardianOf!.mayPickUp,
        receivesNotices: g.guardianOf!.receivesNotices,
      })),
    );
    people.replaceGuardianLinks(
      guardians.map((g) => g.id),
      links,
    );
    report.guardianLinks = links.length;
  });
  try {
    write();
  } finally {
    // Also after a failed write: ensureClass may have touched the maps inside the rolled-back transaction.
    people.load();
  }
  report.imported = true;
  return report;
}
