import { describe, expect, it } from 'vitest';
import { readRosterCsv, validateRoster, type RosterTable } from '../../src/roster/index.js';

const ctx = (existing: Record<string, string[]> = {}) => ({ dormitories: new Map<string, string>(), existingRoles: (id: string) => existing[id] as never });
const gbk = (text: string) => {
  // "学号,姓名,年级,班级\n2026001,张三,初一,1班\n" in GB 18030 (what Excel on Chinese Windows saves).
  const map: Record<string, number[]> = { 学: [0xd1, 0xa7], 号: [0xba, 0xc5], 姓: [0xd0, 0xd5], 名: [0xc3, 0xfb], 年: [0xc4, 0xea], 级: [0xbc, 0xb6], 班: [0xb0, 0xe0], 张: [0xd5, 0xc5], 三: [0xc8, 0xfd], 初: [0xb3, 0xf5], 一: [0xd2, 0xbb] };
  return Uint8Array.from([...text].flatMap((c) => map[c] ?? [c.charCodeAt(0)]));
};

/** The roster parser the edge and the cloud console share: one reader, one set of columns, one report. */
describe('protocol roster parser', () => {
  it('reads UTF-8 with a BOM and GBK, and says when it read GBK', () => {
    const utf8 = readRosterCsv(new TextEncoder().encode('\uFEFF学号,姓名,年级,班级\n2026001,张三,初一,1班\n'));
    expect(utf8.records.map((r) => r.fields)).toEqual([['学号', '姓名', '年级', '班级'], ['2026001', '张三', '初一', '1班']]);
    expect(utf8.warnings).toEqual([]);
    const g = readRosterCsv(gbk('学号,姓名,年级,班级\n2026001,张三,初一,1班\n'));
    expect(g.records[1]!.fields).toEqual(['2026001', '张三', '初一', '1班']);
    expect(g.warnings.map((w) => w.code)).toEqual(['access.roster.read_as_gbk']);
    const bad = readRosterCsv(Uint8Array.from([0xff, 0xfe, 0xfd, 0x00, 0x81]));
    expect(bad.errors.map((e) => e.code)).toEqual(['access.roster.not_text']);
  });

  it('validates all or nothing, naming every bad row and column in both languages', () => {
    const table: RosterTable = readRosterCsv(new TextEncoder().encode(['学号,姓名,身份,年级,班级,子女学号', 'S1,甲,学生,初一,1班,', 'S1,乙,学生,初一,1班,', 'G1,丙,家长,,,T9'].join('\n')));
    const v = validateRoster(table, ctx({ T9: ['teacher'] }));
    expect(v.ok).toBe(false);
    expect(v.people).toEqual([]);
    expect(v.errors.map((e) => [e.code, e.row, e.column])).toEqual([
      ['access.roster.duplicate_person_id', 3, '学号'],
      ['access.roster.child_not_student', 4, '子女学号'],
    ]);
    expect(v.errors[0]!.message).toEqual({ 'zh-CN': '第 3 行的学号/工号「S1」与第 2 行重复', en: 'Row 3: person id "S1" repeats row 2' });
  });

  it('gives the people of a valid file, guardians with their children', () => {
    const table = readRosterCsv(new TextEncoder().encode(['学号,姓名,身份,年级,班级,卡版本,子女学号,关系,可接送', 'S1,甲,学生,初一,1班,2,,,', 'G1,丙,家长、教师,,,,S1,母亲,否'].join('\n')));
    const v = validateRoster(table, ctx());
    expect(v.ok).toBe(true);
    expect(v.people.map((p) => [p.id, p.roles, p.grade, p.className, p.cardVersion])).toEqual([
      ['S1', ['student'], '初一', '1班', 2],
      ['G1', ['guardian', 'teacher'], null, null, 0],
    ]);
    expect(v.people[1]!.guardianOf).toEqual({ children: ['S1'], relation: 'mother', mayPickUp: false, receivesNotices: true });
  });

  it('takes phone numbers as spreadsheets keep them, one form each, and names a cell that is not a number', () => {
    const rows = ['学号,姓名,身份,年级,班级,手机号', 'S1,甲,学生,初一,1班,', 'G1,丙,家长,,,+86 138-1234-5678', 'G2,丁,家长,,,１３９ ００００ １１１１', 'G3,戊,家长,,,010-6275 1234'];
    const ok = validateRoster(readRosterCsv(new TextEncoder().encode(rows.join('\n'))), ctx());
    expect(ok.errors).toEqual([]);
    expect(ok.people.map((p) => p.phone)).toEqual([null, '13812345678', '13900001111', '01062751234']);
    const bad = validateRoster(readRosterCsv(new TextEncoder().encode([...rows, 'G4,己,家长,,,见备注'].join('\n'))), ctx());
    expect(bad.ok).toBe(false);
    expect(bad.errors.map((e) => [e.code, e.row, e.column])).toEqual([['access.roster.bad_phone', 6, '手机号']]);
    expect(bad.errors[0]!.message['zh-CN']).toContain('第 6 行的电话「见备注」不是电话号码');
  });
});
