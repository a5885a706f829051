import { parseCsv, CsvSyntaxError, type CsvRecord } from '../../cards/csv.js';
import { SheetError } from '../../sheets/errors.js';
import { readFirstSheet } from '../../sheets/xlsx.js';
import { problem, type RosterProblem } from './problems.js';

export interface RosterTable {
  records: CsvRecord[];
  errors: RosterProblem[];
  warnings: RosterProblem[];
}

/**
 * Reads a roster file into rows of text with the row numbers a spreadsheet shows. CSV
 * is UTF-8 (with or without BOM) or, as Excel on Chinese Windows saves it, GBK; XLSX
 * takes the first sheet, every cell as the text Excel displays (read with exceljs after
 * the zip and size checks of sheets/, loaded only for a spreadsheet).
 */
export async function readRosterTable(fileName: string, bytes: Uint8Array): Promise<RosterTable> {
  if (/\.xlsx$/i.test(fileName)) return readXlsx(bytes);
  return readRosterCsv(bytes);
}

export function readRosterCsv(bytes: Uint8Array): RosterTable {
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

async function readXlsx(bytes: Uint8Array): Promise<RosterTable> {
  try {
    const { rows } = await readFirstSheet(bytes);
    return { records: rows.map((r) => ({ row: r.row, fields: r.fields })), errors: [], warnings: [] };
  } catch (err) {
    if (!(err instanceof SheetError)) throw err;
    return { records: [], errors: [problem(err.code, null, null, err.params)], warnings: [] };
  }
}
