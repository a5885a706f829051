import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWorkbook } from '@campus/protocol/sheets/xlsx';
import { FakeClock, b64, startAccessEdge } from './helpers.js';

/** Roster import through the API: CSV (UTF-8, GBK) and XLSX, row-level Chinese report, all or nothing. */
describe('roster import', () => {
  let env: Awaited<ReturnType<typeof startAccessEdge>>;
  beforeAll(async () => {
    env = await startAccessEdge({}, { clock: new FakeClock(Date.parse('2026-09-07T07:00:00+08:00')) });
  });
  afterAll(async () => env.cleanup());

  const upload = (fileName: string, content: string | Uint8Array, dryRun = false) =>
    env.admin.req('POST', '/api/access/roster/import', { fileName, contentBase64: b64(content), dryRun });
  const count = () => env.edge.access.people.size;

  it('refuses the whole file when any row is wrong, naming each row and column in Chinese', async () => {
    const csv = [
      '学号,姓名,身份,年级,班级,住校,宿舍,子女学号,关系,可接送',
      '2026020001,甲,学生,初二,1班,否,,,,',
      '2026020001,乙,学生,初二,1班,否,,,,', // duplicate id
      '2026 02,丙,学生,初二,1班,否,,,,', // bad id
      '2026020004,,学生,初二,1班,否,,,,', // no name
      '2026020005,丁,学生,,,否,,,,', // student without class
      '2026020006,戊,学生,初二,1班,也许,,,,', // bad yes/no
      '2026020007,己,学生,初二,1班,否,宿舍A栋,,,', // dorm without boarder
      '2026020008,庚,学生,初二,1班,是,B栋,,,', // unknown dorm
      'P2001,家长一,家长,,,,,2099999999,父亲,是', // unknown child
      'P2002,家长二,家长,,,,,2026020001,舅舅,是', // bad relation
      'P2003,家长三,教师,,,,,2026020001,母亲,是', // children without guardian role
    ].join('\n');
    const r = await upload('bad.csv', csv);
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ ok: false, imported: false, total: 11 });
    const byRow = Object.fromEntries((r.json.errors as Array<{ row: number; code: string }>).map((e) => [e.row, e.code]));
    expect(byRow).toEqual({
      3: 'access.roster.duplicate_person_id',
      4: 'access.roster.bad_person_id',
      5: 'access.roster.missing_name',
      6: 'access.roster.student_needs_class',
      7: 'access.roster.bad_yes_no',
      8: 'access.roster.dormitory_needs_boarder',
      9: 'access.roster.unknown_dormitory',
      10: 'access.roster.unknown_student',
      11: 'access.roster.bad_relation',
      12: 'access.roster.children_need_guardian',
    });
    const messages = (r.json.errors as Array<{ message: { 'zh-CN': string } }>).map((e) => e.message['zh-CN']);
    expect(messages).toContain('第 3 行的学号/工号「2026020001」与第 2 行重复');
    expect(messages).toContain('第 7 行「住校」应填 是 或 否，而不是「也许」');
    expect(count()).toBe(0);
    expect(env.edge.access.people.classes()).toEqual([]);
  });

  it('imports a valid CSV with guardians, then updates it without lowering card versions', async () => {
    const csv = [
      '\uFEFF学号*,姓名,身份,年级,班级,住校,宿舍,电话,卡版本,子女学号,关系,可接送,接收通知,备注',
      '2026020001,甲,学生,初二,1班,是,宿舍A栋,,2,,,,,班长',
      '2026020002,乙,学生,初二,2班,否,,,,,,,,',
      'P2001,家长一,"家长、教师",,,,,13800000000,,"2026020001、2026020002",母亲,否,是,',
    ].join('\r\n');
    const r = await upload('ok.csv', csv);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, imported: true, total: 3, created: 3, updated: 0, guardianLinks: 2 });
    expect(r.json.warnings.map((w: { code: string; column: string }) => `${w.code}:${w.column}`)).toEqual(['access.roster.ignored_column:备注']);
    const p = await env.admin.req('GET', '/api/access/people/2026020001');
    expect(p.json.person).toMatchObject({ name: '甲', className: '1班', gradeName: '初二', boarder: true, dormitoryZone: 'dorm-a', cardVersion: 2, minCardVersion: 1 });
    expect(p.json.person.guardians).toEqual([expect.objectContaining({ guardianId: 'P2001', guardianName: '家长一', relation: 'mother', mayPickUp: false, receivesNotices: true })]);
    const g = await env.admin.req('GET', '/api/access/people/P2001');
    expect(g.json.person.roles).toEqual(['guardian', 'teacher']);
    expect(g.json.person.wards).toHaveLength(2);

    const again = await upload('again.csv', '学号,姓名,年级,班级,卡版本\n2026020001,甲（改名）,初二,1班,1\n');
    expect(again.json).toMatchObject({ imported: true, created: 0, updated: 1 });
    expect(env.edge.access.people.get('2026020001')).toMatchObject({ name: '甲（改名）', cardVersion: 2 });
  });

  it('reads GBK CSV as Excel on Chinese Windows saves it, with a warning', async () => {
    const gbk = Buffer.from('d1a7bac52cd0d5c3fb2cc4eabcb62cb0e0bcb60a323032363032303030332cd5c5c8fd2cb3f5b6fe2c33b0e00a', 'hex'); // 学号,姓名,年级,班级 / 2026020003,张三,初二,3班
    const r = await upload('gbk.csv', gbk);
    expect(r.status).toBe(200);
    expect(r.json.warnings[0].code).toBe('access.roster.read_as_gbk');
    expect(env.edge.access.people.get('2026020003')?.name).toBe('张三');
  });

  it('imports XLSX (first sheet, numbers as shown), and a dry run imports nothing', async () => {
    const bytes = await writeWorkbook([
      {
        name: '名单',
        rows: [
          ['学号', '姓名', '身份', '年级', '班级'],
          [2026020010, '王', '学生', '初三', '5班'],
          ['T200', '李老师', '教师', '', ''],
        ],
      },
    ]);
    const dry = await upload('roster.xlsx', bytes, true);
    expect(dry.json).toMatchObject({ ok: true, imported: false, total: 2 });
    expect(env.edge.access.people.get('2026020010')).toBeUndefined();
    const r = await upload('roster.xlsx', bytes);
    expect(r.json).toMatchObject({ ok: true, imported: true, created: 2 });
    expect(env.edge.access.people.get('2026020010')).toMatchObject({ name: '王', roles: ['student'] });
    const bad = await upload('bad.xlsx', await writeWorkbook([{ name: 'S', rows: [['学号', '姓名'], ['x y', '坏']] }]));
    expect(bad.status).toBe(422);
    expect(bad.json.errors[0]).toMatchObject({ row: 2, column: '学号', code: 'access.roster.bad_person_id' });
  });

  it('says what is wrong with a file that is not a roster', async () => {
    expect((await upload('x.csv', '\r\n')).json.errors[0].code).toBe('access.roster.empty');
    expect((await upload('x.csv', '学号,姓名\n')).json.errors[0].code).toBe('access.roster.empty');
    expect((await upload('x.csv', '名字\n甲\n')).json.errors.map((e: { code: string }) => e.code)).toEqual(['access.roster.missing_column']);
    expect((await upload('x.xlsx', 'not a zip')).status).toBe(422);
    expect((await upload('x.csv', Buffer.from([0xff, 0xfe, 0xfd, 0x80, 0x81]))).json.errors[0].code).toBe('access.roster.not_text');
    const bad = await env.admin.req('POST', '/api/access/roster/import', { fileName: 'x.pdf', contentBase64: 'AAAA' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('request.invalid');
  });

  it('keeps the file out of the audit log', async () => {
    const audit = await env.admin.req('GET', '/api/audit');
    const entry = audit.json.entries.find((e: { action: string }) => e.action === 'access.roster.import');
    expect(entry.detail.body.contentBase64).toMatch(/^\[\d+ bytes\]$/);
  });
});
