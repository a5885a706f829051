import { problem } from '../roster/problems.js';
import { readRosterCsv, type RosterTable } from '../roster/read.js';
import { SheetError } from './errors.js';
import { DEFAULT_SHEET_LIMITS, readFirstSheet, type SheetLimits } from './xlsx.js';

/** Whether a file name is a spreadsheet (.xlsx) rather than CSV. An old binary .xls is neither: it reaches the zip guard and is refused there. */
export const isSpreadsheetName = (fileName: string): boolean => /\.xlsx?$/i.test(fileName);

/**
 * A roster file (CSV in UTF-8 or GBK, or .xlsx) read into rows of text with the row
 * numbers a spreadsheet shows: the edge's `roster import` and the cloud console read
 * files here, so both report the same problems in the same words. A refused spreadsheet
 * (zip bomb, encrypted, too many rows, ...) comes back as a file-level error, not thrown.
 */
export async function readRosterFile(fileName: string, bytes: Uint8Array, limits: SheetLimits = DEFAULT_SHEET_LIMITS): Promise<RosterTable> {
  if (!isSpreadsheetName(fileName)) return readRosterCsv(bytes);
  try {
    const { rows } = await readFirstSheet(bytes, limits);
    return { records: rows.map((r) => ({ row: r.row, fields: r.fields })), errors: [], warnings: [] };
  } catch (err) {
    if (!(err instanceof SheetError)) throw err;
    return { records: [], errors: [problem(err.code, null, null, err.params)], warnings: [] };
  }
}
