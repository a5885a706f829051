import type * as ExcelJS from 'exceljs';
import type { Cell, CellValue, Workbook } from 'exceljs';
import { SheetError } from './errors.js';
import { DEFAULT_ZIP_LIMITS, checkZip, type ZipLimits } from './zip-guard.js';

/**
 * Every spreadsheet the edge reads or writes goes through here, with exceljs (the
 * `xlsx` package on npm stays at 0.18.5, open to prototype pollution and ReDoS on
 * crafted files). exceljs is loaded on first use only: the daemon at rest never needs
 * it. A file from outside is checked as a zip first (zip-guard.ts), then bounded in
 * rows, cells and characters per cell.
 */
export interface SheetLimits extends ZipLimits {
  maxRows: number;
  maxCells: number;
  maxCellChars: number;
}

export const DEFAULT_SHEET_LIMITS: SheetLimits = {
  ...DEFAULT_ZIP_LIMITS,
  maxRows: 50_000,
  maxCells: 1_000_000,
  maxCellChars: 4096,
};

export interface SheetRow {
  /** Row number as the spreadsheet shows it (from 1). */
  row: number;
  /** Cell texts from column A. */
  fields: string[];
}

export interface SheetContent {
  sheetName: string;
  rows: SheetRow[];
}

type ExcelModule = typeof ExcelJS;
let excel: Promise<ExcelModule> | null = null;

/** exceljs, loaded on the first spreadsheet (it is a CommonJS package: its API is the default export). */
export function loadExcel(): Promise<ExcelModule> {
  return (excel ??= import('exceljs').then((m) => ((m as unknown as { default?: ExcelModule }).default ?? m) as ExcelModule));
}

/** The first worksheet's non-empty rows, every cell as text; throws SheetError for a refused or unreadable file. */
export async function readFirstSheet(bytes: Uint8Array, limits: SheetLimits = DEFAULT_SHEET_LIMITS): Promise<SheetContent> {
  checkZip(bytes, limits);
  const { Workbook: WorkbookClass } = await loadExcel();
  const book: Workbook = new WorkbookClass();
  try {
    await book.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer);
  } catch (err) {
    throw new SheetError('sheet.unreadable', { detail: String((err as Error)?.message ?? err).slice(0, 200) });
  }
  const sheet = book.worksheets[0];
  if (!sheet) throw new SheetError('sheet.no_sheet');
  if (sheet.rowCount > limits.maxRows) throw new SheetError('sheet.too_many_rows', { count: sheet.rowCount, limit: limits.maxRows });
  const rows: SheetRow[] = [];
  let cells = 0;
  let problem: SheetError | null = null;
  sheet.eachRow({ includeEmpty: false }, (r, rowNumber) => {
    if (problem) return;
    const fields: string[] = [];
    r.eachCell({ includeEmpty: false }, (cell, col) => {
      if (problem) return;
      if (++cells > limits.maxCells) {
        problem = new SheetError('sheet.too_many_cells', { limit: limits.maxCells });
        return;
      }
      const text = cellText(cell);
      if (text.length > limits.maxCellChars) {
        problem = new SheetError('sheet.cell_too_long', { row: rowNumber, column: columnName(col), length: text.length, limit: limits.maxCellChars });
        return;
      }
      while (fields.length < col - 1) fields.push('');
      fields[col - 1] = text;
    });
    if (fields.some((f) => f.trim() !== '')) rows.push({ row: rowNumber, fields });
  });
  if (problem) throw problem;
  return { sheetName: sheet.name, rows };
}

/** A workbook of plain sheets (text and numbers), as .xlsx bytes. */
export async function writeWorkbook(sheets: ReadonlyArray<{ name: string; rows: ReadonlyArray<ReadonlyArray<string | number | boolean | null>> }>): Promise<Buffer> {
  const { Workbook: WorkbookClass } = await loadExcel();
  const book: Workbook = new WorkbookClass();
  for (const s of sheets) {
    const sheet = book.addWorksheet(s.name);
    for (const r of s.rows) sheet.addRow([...r]);
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}

function columnName(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** The text Excel shows for a cell: numbers as written (zero-padded ids kept), dates as YYYY-MM-DD, formulas by their result. */
function cellText(cell: Cell): string {
  return valueText(cell.value, cell.numFmt);
}

function valueText(v: CellValue | undefined, numFmt: string | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    // A format of zeros ("000000") pads ids such as 001234 that Excel stores as numbers.
    if (numFmt && /^0+$/.test(numFmt) && Number.isInteger(v)) return String(v).padStart(numFmt.length, '0');
    return Number.isInteger(v) && Math.abs(v) < 1e21 ? v.toFixed(0) : String(v);
  }
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 16).replace('T', ' ');
  }
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return v.richText.map((t) => String(t?.text ?? '')).join('');
    if ('formula' in v || 'sharedFormula' in v) return valueText((v as { result?: CellValue }).result as CellValue, numFmt);
    if ('hyperlink' in v) return String((v as { text?: unknown }).text ?? '');
    if ('error' in v) return String(v.error);
  }
  return '';
}
