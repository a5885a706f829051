import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCardRoster, readCardRoster, type CardRosterReport } from '@campus/edge-agent/cards/index';
import { makePng, tempDir, writePng } from './fixtures.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir('roster')));
afterEach(() => cleanup());

function zh(report: CardRosterReport): string[] {
  return report.errors.map((e) => e.message['zh-CN']);
}

describe('parseCardRoster: valid files', () => {
  it('reads Chinese headers from UTF-8 bytes with a BOM and CRLF (Excel “CSV UTF-8”)', async () => {
    writePng(dir, 'zhang.png');
    const csv = '\uFEFF学号,姓名,年级,班级,照片,卡版本\r\n2023010123,张三,高一,3班,zhang.png,\r\n2023010124,李四,高一,"3班",,2\r\n';
    const r = await parseCardRoster(Buffer.from(csv, 'utf8'), { baseDir: dir });
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.total).toBe(2);
    expect(r.rows).toEqual([
      { row: 2, personId: '2023010123', name: '张三', grade: '高一', className: '3班', photo: join(dir, 'zhang.png'), version: null },
      { row: 3, personId: '2023010124', name: '李四', grade: '高一', className: '3班', photo: null, version: 2 },
    ]);
  });

  it('reads English headers in any spelling, without BOM, and only the required columns', async () => {
    const r = await parseCardRoster('Person ID,NAME\nT2019-001,王老师\n');
    expect(r.ok).toBe(true);
    expect(r.rows[0]).toMatchObject({ personId: 'T2019-001', name: '王老师', grade: null, className: null, photo: null });
  });

  it('accepts marked headers (学号*, 照片（可选）) and warns about columns it ignores', async () => {
    const r = await parseCardRoster('学号*,姓名*,性别,照片（可选）\n1001,赵六,男,\n');
    expect(r.ok).toBe(true);
    expect(r.warnings.map((w) => w.message['zh-CN'])).toEqual(['已忽略无法识别的列「性别」']);
  });

  it('keeps leading zeros and trims spaces Excel leaves around values', async () => {
    const r = await parseCardRoster('学号,姓名\n 000123 , 钱七 \n');
    expect(r.rows[0]).toMatchObject({ personId: '000123', name: '钱七' });
  });

  it('resolves photos relative to the roster file and warns about large photos', async () => {
    writeFileSync(join(dir, 'big.png'), Buffer.concat([makePng(10, 10), Buffer.alloc(300 * 1024)]));
    const path = join(dir, 'roster.csv');
    writeFileSync(path, '学号,姓名,照片\n1,甲,big.png\n');
    const r = await readCardRoster(path);
    expect(r.ok).toBe(true);
    expect(r.rows[0]!.photo).toBe(join(dir, 'big.png'));
    expect(r.warnings[0]!.code).toBe('cards.roster.photo_large');
    expect(r.warnings[0]!.message['zh-CN']).toContain('第 2 行');
  });
});

describe('parseCardRoster: bad rows are all reported, in Chinese, and nothing is returned', () => {
  it('missing name, duplicate id, bad versions, bad and missing ids, wrong column count', async () => {
    const csv = [
      '学号,姓名,班级,卡版本',
      '2023010123,张三,3班,1', // row 2 ok
      '2023010124,,3班,', // row 3: missing name
      '2023010123,张三丰,3班,', // row 4: duplicate of row 2
      '2023010125,李四,3班,0', // row 5: version 0
      '2023010126,王五,3班,abc', // row 6: version not a number
      '2023010127,赵六,3班,16384', // row 7: version too big
      '2023010128,孙七,3班,1.5', // row 8: version not whole
      't001,周八,3班,', // row 9: lower-case id
      ',吴九,3班,', // row 10: empty id
      '2023010129,郑十', // row 11: too few columns
    ].join('\n');
    const r = await parseCardRoster(csv);
    expect(r.ok).toBe(false);
    expect(r.rows).toEqual([]);
    expect(r.total).toBe(10);
    expect(zh(r)).toEqual([
      '第 3 行：姓名为空',
      '第 4 行：学号/工号「2023010123」与第 2 行重复',
      '第 5 行：卡版本「0」必须是 1 到 16383 之间的整数',
      '第 6 行：卡版本「abc」必须是 1 到 16383 之间的整数',
      '第 7 行：卡版本「16384」必须是 1 到 16383 之间的整数',
      '第 8 行：卡版本「1.5」必须是 1 到 16383 之间的整数',
      '第 9 行：学号/工号「t001」不合法，只能包含数字、大写字母、- 和 _，最长 16 位',
      '第 10 行：学号/工号为空',
      '第 11 行有 2 列，但表头有 4 列',
    ]);
    expect(r.errors.map((e) => [e.row, e.column])).toEqual([
      [3, '姓名'],
      [4, '学号'],
      [5, '卡版本'],
      [6, '卡版本'],
      [7, '卡版本'],
      [8, '卡版本'],
      [9, '学号'],
      [10, '学号'],
      [11, null],
    ]);
    expect(r.errors[0]!.message.en).toBe('Row 3: name is empty');
  });

  it('a single bad row blocks the whole file', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => `${1000 + i},学生${i}`);
    rows[321] = `${1000 + 321},`;
    const r = await parseCardRoster(['学号,姓名', ...rows].join('\n'));
    expect(r.ok).toBe(false);
    expect(r.rows).toHaveLength(0);
    expect(zh(r)).toEqual(['第 323 行：姓名为空']);
  });

  it('too long names and ids', async () => {
    const r = await parseCardRoster(`学号,姓名\n12345678901234567,甲\n1,${'长'.repeat(33)}\n`);
    expect(zh(r)).toEqual([
      '第 2 行：学号/工号「12345678901234567」不合法，只能包含数字、大写字母、- 和 _，最长 16 位',
      '第 3 行：「姓名」超过 32 个字符',
    ]);
  });

  it('photos that are missing or not images', async () => {
    writeFileSync(join(dir, 'notes.jpg'), 'this is text, not a JPEG');
    const r = await parseCardRoster('学号,姓名,照片\n1,甲,nobody.jpg\n2,乙,notes.jpg\n', { baseDir: dir });
    expect(zh(r)).toEqual(['第 2 行：照片文件「nobody.jpg」不存在或无法读取', '第 3 行：照片「notes.jpg」不是 JPEG 或 PNG 图片']);
    expect(r.errors.map((e) => e.column)).toEqual(['照片', '照片']);
  });
});

describe('parseCardRoster: bad files', () => {
  it('GBK bytes are refused with advice to save as CSV UTF-8', async () => {
    // "学号,姓名\n1,张三\n" in GBK
    const gbk = Buffer.from([0xd1, 0xa7, 0xba, 0xc5, 0x2c, 0xd0, 0xd5, 0xc3, 0xfb, 0x0a, 0x31, 0x2c, 0xd5, 0xc5, 0xc8, 0xfd, 0x0a]);
    const r = await parseCardRoster(gbk);
    expect(r.ok).toBe(false);
    expect(r.errors[0]!.code).toBe('cards.roster.not_utf8');
    expect(zh(r)[0]).toContain('CSV UTF-8');
  });

  it('missing required columns name their accepted spellings', async () => {
    const r = await parseCardRoster('编号,班级\n1,3班\n');
    expect(zh(r)).toEqual(['缺少必需的列「姓名」（表头可写作：姓名 / 名字 / name）']);
  });

  it('a column given twice', async () => {
    const r = await parseCardRoster('学号,姓名,name\n1,甲,甲\n');
    expect(zh(r)).toEqual(['列「name」出现了两次（第 2 列和第 3 列）']);
  });

  it('an unterminated quote', async () => {
    const r = await parseCardRoster('学号,姓名\n1,"张三\n2,李四\n');
    expect(zh(r)).toEqual(['第 2 行：引号未闭合，CSV 格式错误']);
  });

  it('empty files and header-only files', async () => {
    for (const text of ['', '\uFEFF', '学号,姓名\r\n', '\n\n']) {
      const r = await parseCardRoster(text);
      expect(r.errors.map((e) => e.code)).toEqual(['cards.roster.empty']);
    }
  });
});
