import type * as ExcelJS from 'exceljs';
import { z } from 'zod';
import { RECORD_KINDS, RECORD_SCHEMAS, type RecordKind } from '@campus/protocol/sync/records';
import type { Queryable } from '../db/database.js';
import { HttpError } from '../http/errors.js';
import { EVENT_COLUMNS, openEvent, type EventRow } from './event-rows.js';
import { redactRecord } from './sensitive.js';
import { EventTypeFilterSchema } from './webhooks.js';

/** Rows in one export at most (all sheets together); a larger one is refused with a hint to narrow it. */
export const EXPORT_MAX_ROWS = 200_000;
const MAX_RANGE_DAYS = 366;

export const ExportSpecSchema = z.discriminatedUnion('what', [
  z.strictObject({
    what: z.literal('records'),
    /** One kind, or every kind (XLSX: one sheet each; CSV needs one kind). */
    kind: z.enum(RECORD_KINDS).optional(),
    format: z.enum(['csv', 'xlsx']).default('xlsx'),
  }),
  z.strictObject({
    what: z.literal('events'),
    type: EventTypeFilterSchema.optional(),
    /** occurredAt range, ms since epoch: [from, to). */
    from: z.number().int().nonnegative(),
    to: z.number().int().positive(),
    format: z.enum(['csv', 'xlsx']).default('csv'),
  }),
]);
export type ExportSpec = z.infer<typeof ExportSpecSchema>;

export interface ExportFile {
  filename: string;
  contentType: string;
  body: Buffer;
  rows: number;
  /** Sensitive fields withheld, by sheet. */
  redacted: string[];
}

interface Sheet {
  name: string;
  header: string[];
  rows: unknown[][];
}

type ExcelModule = typeof ExcelJS;
let excel: Promise<ExcelModule> | null = null;
/** exceljs is loaded on the first spreadsheet export only. */
const loadExcel = () => (excel ??= import('exceljs').then((m) => ((m as unknown as { default?: ExcelModule }).default ?? m) as ExcelModule));

/** A text a spreadsheet would run as a formula is written as text (CSV/formula injection). */
function cellText(v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

function csv(sheet: Sheet): Buffer {
  const q = (v: unknown) => {
    const c = cellText(v);
    if (c === null) return '';
    const s = String(c);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = [sheet.header.map(q).join(','), ...sheet.rows.map((r) => r.map(q).join(','))];
  // BOM: Excel opens UTF-8 CSV with Chinese text correctly only with it.
  return Buffer.from('\uFEFF' + lines.join('\r\n') + '\r\n', 'utf8');
}

async function xlsx(sheets: Sheet[]): Promise<Buffer> {
  const ExcelJS = await loadExcel();
  const wb = new ExcelJS.Workbook();
  wb.creator = '智慧校园 Cloud';
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name.slice(0, 31));
    ws.addRow(s.header).font = { bold: true };
    for (const r of s.rows) ws.addRow(r.map(cellText));
    ws.views = [{ state: 'frozen', ySplit: 1 }];
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function spreadsheet(sheets: Sheet[], format: 'csv' | 'xlsx'): Promise<Buffer> {
  return format === 'csv' ? csv(sheets[0]!) : xlsx(sheets);
}

async function recordSheet(q: Queryable, schoolId: string, kind: RecordKind, sensitive: boolean, budget: number, redacted: Set<string>): Promise<Sheet> {
  const r = await q.query<{ key: string; data: Record<string, unknown>; seq: number; changed_at: number }>(
    'SELECT key, data, seq, changed_at FROM records WHERE school_id = $1 AND kind = $2 AND NOT deleted ORDER BY key LIMIT $3',
    [schoolId, kind, budget + 1],
  );
  if (r.rows.length > budget) throw new HttpError(413, 'open.error.export_too_large', { limit: EXPORT_MAX_ROWS });
  const rows = r.rows.map((x) => {
    const d = redactRecord(kind, x.data, sensitive);
    for (const f of d.removed) redacted.add(`${kind}.${f}`);
    return { ...x, data: d.value };
  });
  // Columns in the schema's order, then any others; only those some row has.
  const present = new Set(rows.flatMap((x) => Object.keys(x.data)));
  const shape = Object.keys((RECORD_SCHEMAS[kind] as unknown as z.ZodObject).shape ?? {});
  const fields = [...shape.filter((f) => present.has(f)), ...[...present].filter((f) => !shape.includes(f)).sort()];
  return {
    name: kind,
    header: ['key', ...fields, 'version', 'changedAt'],
    rows: rows.map((x) => [x.key, ...fields.map((f) => x.data[f]), x.seq, new Date(x.changed_at).toISOString()]),
  };
}

/** Builds an export of what the school owns: its cloud records, or its events over a range. */
export async function buildExport(q: Queryable, schoolId: string, spec: ExportSpec, sensitive: boolean): Promise<ExportFile> {
  const redacted = new Set<string>();
  const stamp = new Date().toISOString().slice(0, 10);
  let sheets: Sheet[];
  let name: string;
  if (spec.what === 'records') {
    const kinds = spec.kind ? [spec.kind] : [...RECORD_KINDS];
    if (spec.format === 'csv' && kinds.length > 1) throw new HttpError(400, 'sync.error.invalid', { detail: 'CSV holds one kind: name `kind`, or export XLSX (one sheet per kind)' });
    sheets = [];
    let budget = EXPORT_MAX_ROWS;
    for (const k of kinds) {
      const s = await recordSheet(q, schoolId, k, sensitive, budget, redacted);
      budget -= s.rows.length;
      sheets.push(s);
    }
    name = `${schoolId}-${spec.kind ?? 'records'}-${stamp}`;
  } else {
    if (spec.to <= spec.from || spec.to - spec.from > MAX_RANGE_DAYS * 86_400_000) throw new HttpError(400, 'open.error.range', { days: MAX_RANGE_DAYS });
    const prefix = spec.type?.endsWith('*') ? spec.type.slice(0, -1) : null;
    const r = await q.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE school_id = $1 AND occurred_at >= $2 AND occurred_at < $3
         AND ($4::text IS NULL OR type = $4) AND ($5::text IS NULL OR starts_with(type, $5))
       ORDER BY occurred_at, id LIMIT $6`,
      [schoolId, spec.from, spec.to, spec.type && !prefix ? spec.type : null, prefix === '' ? null : prefix, EXPORT_MAX_ROWS + 1],
    );
    if (r.rows.length > EXPORT_MAX_ROWS) throw new HttpError(413, 'open.error.export_too_large', { limit: EXPORT_MAX_ROWS });
    const rows = r.rows.map((x) => openEvent(x, sensitive));
    for (const e of rows) for (const f of e.redacted) redacted.add(`${e.type}.${f}`);
    sheets = [
      {
        name: 'events',
        header: ['id', 'type', 'occurredAt', 'receivedAt', 'site', 'edgeId', 'reason', 'severity', 'subject', 'clockTrusted', 'data'],
        rows: rows.map((e) => [e.id, e.type, new Date(e.occurredAt).toISOString(), new Date(e.receivedAt).toISOString(), e.site, e.edgeId, e.reason, e.severity, e.subject, e.clockTrusted, JSON.stringify(e.data)]),
      },
    ];
    name = `${schoolId}-events-${new Date(spec.from).toISOString().slice(0, 10)}-${new Date(spec.to).toISOString().slice(0, 10)}`;
  }
  const body = await spreadsheet(sheets, spec.format);
  return {
    filename: `${name}.${spec.format}`,
    contentType: spec.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    body,
    rows: sheets.reduce((n, s) => n + s.rows.length, 0),
    redacted: [...redacted].sort(),
  };
}
