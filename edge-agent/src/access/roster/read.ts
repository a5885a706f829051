import { createRequire } from 'node:module';
import type * as XlsxModule from 'xlsx';
import { parseCsv, CsvSyntaxError, type CsvRecord } from '../../cards/csv.js';
import { problem, type RosterProblem } from './problems.js';

export interface RosterTable {
  records: CsvRecord[];
  errors: RosterProblem[];
  warnings: RosterProblem[];
}

/**
 * Reads a roster file into rows of text with the row numbers a spreadsheet shows. CSV
 * is UTF-8 (with or without BOM) or, as Excel on Chinese Windows saves it, GBK; XLSX
 * takes the first sheet, every cell as the text Excel displays.
 */
export function readRosterTable(fileName: string, bytes: Uint8Array): RosterTable {
  if (/\.xlsx$/i.test(fileName)) return readXlsx(bytes);
  return readCsv(bytes);
}

function readCsv(bytes: Uint8Array): RosterTable {
  const errors: RosterProblem[] = [];
  const warnings: RosterProblem[] = [];
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    try {
      text = new TextDecoder('gb18030', { fatal: true }).decode(bytes);
      warnings.push(problem('access.roster.read_as_gbk', null, null));
    } catch {
      errors.push(problem('access.roster.not_text', null, null));
      return { records: [], errors, warnings };
    }
  }
  text = text.replace(/^\uFEFF/, '');
  try {
    return { records: parseCsv(text), errors, warnings };
  } catch (err) {
    if (!(err instanceof CsvSyntaxError)) throw err;
    errors.push(problem('access.roster.bad_csv', err.row, null));
    return { records: [], errors, warnings };
  }
}

// xlsx costs ~24 MB of RSS: loaded on the first spreadsheet import, not at start-up.
const requireLazy = createRequire(import.meta.url);
let xlsx: typeof XlsxModule | null = null;

function readXlsx(bytes: Uint8Array): RosterTable {
  const XLSX = (xlsx ??= requireLazy('xlsx') as typeof XlsxModule);
  try {
    const book = XLSX.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { type: 'buffer', cellDates: false, dense: true });
    const sheet = book.Sheets[book.SheetNames[0] ?? ''];
    if (!sheet) return { records: [], errors: [problem('access.roster.empty', null, null)], warnings: [] };
    const firstRow = XLSX.utils.decode_range(sheet['!ref'] ?? 'A1').s.r + 1;
    const rows = XLSX.utils.sheet_to_json<unknown[]>(sheet, { header: 1, raw: false, defval: '', blankrows: true });
    const records: CsvRecord[] = [];
    rows.forEach((cells, i) => {
      const fields = cells.map((c) => (c === null || c === undefined ? '' : String(c)));
      if (fields.every((f) => f.trim() === '')) return;
      records.push({ row: firstRow + i, fields });
    });
    return { records, errors: [], warnings: [] };
  } catch (err) {
    return { records: [], errors: [problem('access.roster.bad_xlsx', null, null, { detail: (err as Error).message })], warnings: [] };
  }
}
