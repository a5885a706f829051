/**
 * RFC 4180 CSV as Excel and WPS write it: comma-separated, fields in double quotes may
 * hold commas, quotes ("") and line breaks; CRLF or LF. Returns records as arrays of
 * strings, each with the 1-based row number a spreadsheet shows for it (a quoted line
 * break does not start a new row; blank rows are counted but not returned).
 */
export interface CsvRecord {
  row: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(readonly row: number) {
    super(`unterminated quoted field starting in row ${row}`);
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let row = 1;
  let quoted = false;
  let quoteStartRow = 1;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) records.push({ row, fields });
    fields = [];
    field = '';
    row += 1;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else quoted = false;
    } else if (ch === '"' && field === '') {
      quoted = true;
      quoteStartRow = row;
    } else if (ch === ',') {
      fields.push(field);
      field = '';
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      endRecord();
    } else {
      field += ch;
    }
  }
  if (quoted) throw new CsvSyntaxError(quoteStartRow);
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

/** One CSV field, quoted when it must be. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
