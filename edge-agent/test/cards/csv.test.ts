import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, csvField, parseCsv } from '../../src/cards/csv.js';

describe('parseCsv', () => {
  it('reads quoted commas, doubled quotes and line breaks inside quotes', () => {
    expect(parseCsv('a,"b,c","say ""hi""","two\nlines"\r\n1,2,3,4')).toEqual([
      { row: 1, fields: ['a', 'b,c', 'say "hi"', 'two\nlines'] },
      { row: 2, fields: ['1', '2', '3', '4'] },
    ]);
  });

  it('counts rows like a spreadsheet: blank rows count, are not returned; a final newline adds nothing', () => {
    expect(parseCsv('h\r\n\r\nx\r\n\r\n')).toEqual([
      { row: 1, fields: ['h'] },
      { row: 3, fields: ['x'] },
    ]);
  });

  it('keeps empty fields, including a trailing one', () => {
    expect(parseCsv('a,,b,\n')).toEqual([{ row: 1, fields: ['a', '', 'b', ''] }]);
  });

  it('reports an unterminated quote with the row where it starts', () => {
    try {
      parseCsv('h\nok\n"never closed,\nmore');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(CsvSyntaxError);
      expect((err as CsvSyntaxError).row).toBe(3);
    }
  });

  it('csvField quotes only when needed and round-trips', () => {
    const values = ['plain', 'a,b', 'say "hi"', 'x\ny', ''];
    expect(values.map(csvField)).toEqual(['plain', '"a,b"', '"say ""hi"""', '"x\ny"', '']);
    expect(parseCsv(values.map(csvField).join(','))[0]!.fields).toEqual(values);
  });
});
