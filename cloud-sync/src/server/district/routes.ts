import { z } from 'zod';
import type { StaffAudit } from '../staff/audit.js';
import type { StaffRouter } from '../staff/access.js';
import type { StaffRole } from '../staff/roles.js';
import { districtReport, ReportQuerySchema, reportWorkbook, schoolsInReach } from './report.js';
import type { DistrictRollup } from './rollup.js';

/** Who reads the district report: the bureau, and a school's admin for their own school. */
const REPORT_READERS: readonly StaffRole[] = ['district_admin', 'district_viewer', 'school_admin'];
/** Who may recount the roll-up (a write: never the read-only district viewer). */
const REBUILDERS: readonly StaffRole[] = ['district_admin', 'school_admin'];
const ExportQuery = ReportQuerySchema.extend({ format: z.enum(['xlsx', 'csv']).default('xlsx') });
const RebuildBody = z.strictObject({ schoolIds: z.array(z.string().max(64)).max(5000).optional() });

/** The district view (教育局): aggregates over the caller's schools from the daily roll-up. */
export function districtRoutes(api: StaffRouter, deps: { rollup: DistrictRollup; audit: StaffAudit; now: () => number }): void {
  api.add({
    method: 'get',
    path: '/district/report',
    summary: 'Attendance, late and absence rates, gate incidents, energy per school and per pupil, after-hours energy, USB incidents — per school and month, over the caller\'s schools (counts only)',
    scope: 'home',
    roles: REPORT_READERS,
    query: ReportQuerySchema,
    handler: ({ principal, query, q }) => districtReport(q, schoolsInReach(principal.schools, query.schoolIds), query, deps.now()),
  });
  api.add({
    method: 'get',
    path: '/district/report/export',
    summary: 'The district report as an Excel workbook (or CSV of the school table); the export is audited',
    scope: 'home',
    roles: REPORT_READERS,
    query: ExportQuery,
    handler: async ({ principal, query, q, req, res }) => {
      const r = await districtReport(q, schoolsInReach(principal.schools, query.schoolIds), query, deps.now());
      const body = await reportWorkbook(r, query.format);
      const filename = `district-report-${r.from}-${r.to}.${query.format}`;
      await deps.audit.append(q, { schoolId: principal.schoolId, districtId: principal.districtId, actorId: principal.accountId, actorName: principal.username, action: 'district.export', target: filename, detail: { from: r.from, to: r.to, schools: r.schools.length, format: query.format }, address: req.ip ?? null });
      res.setHeader('content-type', query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      res.setHeader('content-disposition', `attachment; filename="${filename}"`);
      res.end(body);
      return undefined;
    },
  });
  api.add({
    method: 'post',
    path: '/district/rollup/rebuild',
    summary: 'Recount the daily roll-up of the caller\'s schools (or some of them) from the stored events, in the background',
    scope: 'home',
    roles: REBUILDERS,
    audit: 'district.rollup.rebuild',
    body: RebuildBody,
    status: 202,
    handler: async ({ principal, body, q, audited }) => {
      const ids = schoolsInReach(principal.schools, body.schoolIds?.join(','));
      await deps.rollup.queueRebuild(q, ids);
      audited(principal.districtId ?? principal.schoolId, { schools: ids.length });
      return { queued: ids.length };
    },
  });
}
