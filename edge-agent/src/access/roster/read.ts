import { readRosterCsv, type RosterTable } from '@campus/protocol/roster/index';
import { SheetError } from '../../sheets/errors.js';
import { readFirstSheet } from '../../sheets/xlsx.js';
import { problem } from './problems.js';

export { readRosterCsv, type RosterTable };

/**
 * Reads a roster file into rows of text with the row numbers a spreadsheet shows. CSV
 * is read by protocol's shared reader (UTF-8 or GBK); XLSX takes the first sheet, every
 * cell as the text Excel displays (read with exceljs after the zip and size checks of
 * sheets/, loaded only for a spreadsheet).
 */
export async function readRosterTable(fileName: string, bytes: Uint8Array): Promise<RosterTable> {
  if (/\.xlsx$/i.test(fileName)) return readXlsx(bytes);
  return readRosterCsv(bytes);
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
