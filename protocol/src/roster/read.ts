import { CsvSyntaxError, parseCsv, type CsvRecord } from './csv.js';
import { problem, type RosterProblem } from './problems.js';

/** A roster file read into rows of text with the row numbers a spreadsheet shows. */
export interface RosterTable {
  records: CsvRecord[];
  errors: RosterProblem[];
  warnings: RosterProblem[];
}

/**
 * Reads a CSV roster: UTF-8 (with or without BOM) or, as Excel on Chinese Windows saves
 * it, GBK (GB 18030). Spreadsheets (XLSX) are read by each host into the same table.
 */
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
