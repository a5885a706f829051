import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { SheetError } from '@campus/protocol/sheets/errors';
import { DEFAULT_SHEET_LIMITS, readFirstSheet, writeWorkbook } from '@campus/protocol/sheets/xlsx';
import { checkZip } from '@campus/protocol/sheets/zip-guard';
import { readRosterTable } from '../../src/access/roster/read.js';
import { validateRoster } from '@campus/protocol/roster/validate';
import { craftXlsx, deflatedFiller, makeZip, sharedStringsXml, sheetXml, workbookEntries } from '../helpers/xlsx-craft.js';

const MB = 1024 * 1024;

async function refusal(p: Promise<unknown>): Promise<SheetError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SheetError) return e;
    throw e;
  }
  throw new Error('the file was accepted');
}

function prototypeSnapshot(): string {
  return JSON.stringify([Object.getOwnPropertyNames(Object.prototype).sort(), Object.getOwnPropertyNames(Array.prototype).sort(), Object.getOwnPropertyNames(Function.prototype).sort()]);
}

describe('spreadsheets from outside (exceljs behind a zip guard)', () => {
  it('reads a workbook written by exceljs: first sheet, rows as shown, numbers and padded ids as text', async () => {
    const bytes = await writeWorkbook([
      { name: '名单', rows: [['学号', '姓名', '电话'], [2026020010, '王', 13800138000], [null, null, null], ['T200', '李老师', '']] },
      { name: '其他', rows: [['x']] },
    ]);
    const { sheetName, rows } = await readFirstSheet(bytes);
    expect(sheetName).toBe('名单');
    expect(rows).toEqual([
      { row: 1, fields: ['学号', '姓名', '电话'] },
      { row: 2, fields: ['2026020010', '王', '13800138000'] },
      { row: 4, fields: ['T200', '李老师', ''] },
    ]);
  });

  it('__proto__ and constructor as sheet names, headers and cell texts are plain text: nothing polluted, rows parsed', async () => {
    const before = prototypeSnapshot();
    const bytes = craftXlsx([
      {
        name: '__proto__',
        rows: [
          ['__proto__', 'constructor', '学号', '姓名', 'prototype', '身份'],
          ['{"polluted":1}', 'x', 'T2011', '甲', '__proto__', '教师'],
          ['constructor', 'prototype', 'T2012', '乙', 'toString', '职工'],
        ],
      },
      { name: 'constructor', rows: [['__proto__'], ['polluted']] },
      { name: 'prototype', rows: [['hasOwnProperty']] },
    ]);
    const { sheetName, rows } = await readFirstSheet(bytes);
    expect(sheetName).toBe('__proto__');
    expect(rows.map((r) => r.fields)).toEqual([
      ['__proto__', 'constructor', '学号', '姓名', 'prototype', '身份'],
      ['{"polluted":1}', 'x', 'T2011', '甲', '__proto__', '教师'],
      ['constructor', 'prototype', 'T2012', '乙', 'toString', '职工'],
    ]);
    expect(prototypeSnapshot()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(typeof ({} as { hasOwnProperty: unknown }).hasOwnProperty).toBe('function');

    // And through the roster: the odd headers are ignored columns, the people are read.
    const table = await readRosterTable('crafted.xlsx', bytes);
    const v = validateRoster(table, { dormitories: new Map(), existingRoles: () => undefined });
    expect(v.errors).toEqual([]);
    expect(v.warnings.map((w) => w.column)).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(v.people.map((p) => [p.id, p.name])).toEqual([
      ['T2011', '甲'],
      ['T2012', '乙'],
    ]);
    expect(prototypeSnapshot()).toBe(before);
  });

  it('zip entries named __proto__ or ../ are refused before exceljs sees them', async () => {
    const entries = workbookEntries([{ name: 'S', xml: sheetXml([[0]]) }], sharedStringsXml(['a']));
    for (const name of ['__proto__', 'xl/constructor/x.xml', '../evil.xml', '/abs.xml']) {
      const e = await refusal(readFirstSheet(makeZip([...entries, { name, data: Buffer.from('<x/>') }])));
      expect(e.code).toBe('sheet.bad_entry');
    }
    const dup = await refusal(readFirstSheet(makeZip([...entries, entries[0]!])));
    expect(dup.code).toBe('sheet.bad_entry');
  });

  it('huge shared strings: a cell beyond the character limit is refused with its place', async () => {
    // Random text: it does not compress, so only the cell bound can stop it.
    const huge = randomBytes(3 * 1024 * 1024).toString('base64');
    const bytes = makeZip(workbookEntries([{ name: 'S', xml: sheetXml([[0, 1], [2, 0]]) }], sharedStringsXml(['学号', '姓名', huge])));
    const e = await refusal(readFirstSheet(bytes));
    expect(e.code).toBe('sheet.cell_too_long');
    expect(e.text['zh-CN']).toContain('第 2 行第 A 列');
    expect(e.text.en).toContain(`holds ${huge.length} characters (limit ${DEFAULT_SHEET_LIMITS.maxCellChars})`);
  });

  it('shared strings that would inflate past the per-part limit are refused before inflating', async () => {
    const filler = await deflatedFiller(DEFAULT_SHEET_LIMITS.maxEntryBytes + MB, '<si><t>AAAAAAAAAAAAAAAA</t></si>');
    const bytes = makeZip(workbookEntries([{ name: 'S', xml: sheetXml([[0]]) }], { name: 'x', data: Buffer.alloc(0), compressed: filler.compressed, declaredSize: filler.size }));
    const e = await refusal(readFirstSheet(bytes));
    expect(e.code).toBe('sheet.too_large');
    expect(e.text.en).toContain('xl/sharedStrings.xml: 49.0 MB, limit 48.0 MB');
  });

  it('too many rows or cells is refused with a clear message', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => [i % 3, (i + 1) % 3, (i + 2) % 3]);
    const bytes = makeZip(workbookEntries([{ name: 'S', xml: sheetXml(rows) }], sharedStringsXml(['a', 'b', 'c'])));
    expect((await readFirstSheet(bytes)).rows).toHaveLength(30);
    const tooManyRows = await refusal(readFirstSheet(bytes, { ...DEFAULT_SHEET_LIMITS, maxRows: 29 }));
    expect(tooManyRows.code).toBe('sheet.too_many_rows');
    expect(tooManyRows.text['zh-CN']).toBe('工作表有 30 行（上限 29 行），请拆分后再导入');
    const tooManyCells = await refusal(readFirstSheet(bytes, { ...DEFAULT_SHEET_LIMITS, maxCells: 89 }));
    expect(tooManyCells.code).toBe('sheet.too_many_cells');
  });

  it('a zip bomb (a tiny file whose sheet inflates to 120 MB) is refused from its directory, without inflating', async () => {
    const bomb = await deflatedFiller(120 * MB);
    const bytes = makeZip(workbookEntries([{ name: 'S', entry: { data: Buffer.alloc(0), compressed: bomb.compressed, declaredSize: bomb.size } }], sharedStringsXml(['a'])));
    expect(bytes.length).toBeLessThan(1 * MB);
    const e = await refusal(readFirstSheet(bytes));
    expect(e.code).toBe('sheet.too_large');
    expect(e.text.en).toContain('xl/worksheets/sheet1.xml: 120.0 MB');
    // Refused from the directory alone: the same file with its deflate stream cut off gets the same answer.
    const cut = makeZip(workbookEntries([{ name: 'S', entry: { data: Buffer.alloc(0), compressed: bomb.compressed.subarray(0, 64), declaredSize: bomb.size } }], sharedStringsXml(['a'])));
    expect((await refusal(readFirstSheet(cut))).code).toBe('sheet.too_large');
  });

  it('a zip bomb that lies about its size is stopped at the size it declared', async () => {
    const bomb = await deflatedFiller(120 * MB);
    const bytes = makeZip(workbookEntries([{ name: 'S', entry: { data: Buffer.alloc(0), compressed: bomb.compressed, declaredSize: 4096 } }], sharedStringsXml(['a'])));
    const e = await refusal(readFirstSheet(bytes));
    expect(e.code).toBe('sheet.size_mismatch');
    expect(e.text['zh-CN']).toContain('xl/worksheets/sheet1.xml');
  });

  it('an honest part with a bomb-like compression ratio is refused', async () => {
    const filler = await deflatedFiller(30 * MB);
    const entries = workbookEntries([{ name: 'S', entry: { data: Buffer.alloc(0), compressed: filler.compressed, declaredSize: filler.size } }], sharedStringsXml(['a']));
    const e = (() => {
      try {
        checkZip(makeZip(entries));
      } catch (err) {
        return err as SheetError;
      }
      throw new Error('accepted');
    })();
    expect(e.code).toBe('sheet.ratio');
    expect(e.text.en).toMatch(/compressed \d+:1 \(limit 200:1\)/);
  });

  it('other files called .xlsx get a clear error', async () => {
    expect((await refusal(readFirstSheet(Buffer.from('not a zip at all, just text')))).code).toBe('sheet.not_xlsx');
    const noSheets = makeZip([{ name: '[Content_Types].xml', data: Buffer.from('<Types/>') }]);
    const e = await refusal(readFirstSheet(noSheets));
    expect(['sheet.no_sheet', 'sheet.unreadable']).toContain(e.code);
    const table = await readRosterTable('x.xlsx', Buffer.from('PK\u0003\u0004 broken'));
    expect(table.errors[0]!.code).toBe('sheet.not_xlsx');
    expect(table.errors[0]!.message['zh-CN']).toBe('文件不是有效的 Excel（.xlsx）文件');
  });
});

describe('exceljs is loaded only when a spreadsheet is read', () => {
  it('the edge and its roster import code load without it; the first .xlsx loads it', () => {
    const dist = new URL('../../dist/', import.meta.url).href;
    const protocolDist = new URL('../../../protocol/dist/', import.meta.url).href;
    const script = `
      import { createRequire } from 'node:module';
      const req = createRequire(import.meta.url);
      const loaded = () => Object.keys(req.cache).some((k) => k.includes('/node_modules/exceljs/'));
      await import('${dist}edge.js');
      await import('${dist}access/roster/import.js');
      const atRest = loaded();
      const { readFirstSheet, writeWorkbook } = await import('${protocolDist}sheets/xlsx.js');
      await readFirstSheet(await writeWorkbook([{ name: 'S', rows: [['a']] }]));
      console.log(JSON.stringify({ atRest, afterRead: loaded() }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout.trim())).toEqual({ atRest: false, afterRead: true });
  });
});
