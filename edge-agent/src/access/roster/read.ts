import { readRosterCsv, type RosterTable } from '@campus/protocol/roster/index';
import { readRosterFile } from '@campus/protocol/sheets/roster-table';

export { readRosterCsv, type RosterTable };

/**
 * Reads a roster file into rows of text with the row numbers a spreadsheet shows: CSV
 * (UTF-8 or GBK) or XLSX (the first sheet, every cell as the text Excel displays, read
 * with exceljs after the zip and size checks of protocol/sheets, loaded only for a
 * spreadsheet). The cloud console reads imports with the same function.
 */
export function readRosterTable(fileName: string, bytes: Uint8Array): Promise<RosterTable> {
  return readRosterFile(fileName, bytes);
}
