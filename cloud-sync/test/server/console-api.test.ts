import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeWorkbook } from '@campus/protocol/sheets/xlsx';
import { availableBackends } from '../helpers/backends.js';
import { startTestCloud, type TestCloud } from '../helpers/cloud.js';
import { staffSignIn, type StaffClient } from '../helpers/staff-client.js';

const PW = 'console-password-1';
const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
/** On PostgreSQL when it runs here (as CI does), else PGlite. */
const backend = (await availableBackends()).at(-1)!;

const ROSTER = [
  '学号,姓名,身份,年级,班级,电话,卡版本,子女学号,关系,可接送',
  'S001,张小明,学生,三年级,2班,,1,,,',
  'S002,李小红,学生,三年级,2班,,,,,',
  'G001,张伟,家长、教师,,,13800000011,,S001,父亲,是',
].join('\n');

/**
 * The console's cloud routes: roster import (the edge's parser and row-level report, all
 * or nothing), its scope (another school, a head teacher, a district viewer), concurrent
 * edits (409 with what changed), and the console's static files under /console/.
 */
describe(`console API on ${backend.name}`, () => {
  let cloud: TestCloud;
  let A: string;
  let B: string;
  let adminA: StaffClient;
  let adminB: StaffClient;
  let office: StaffClient;
  let head: StaffClient;
  let viewer: StaffClient;
  let dir: string;
  const cursor = async (school: string) => (await cloud.records.changesAfter(school, 0, 1000)).cursor;
  const importTo = (c: StaffClient, school: string, content: string | Buffer, fileName = 'roster.csv', dryRun?: boolean) =>
    c.call('POST', `/schools/${school}/roster-import`, { fileName, contentBase64: b64(content), ...(dryRun !== undefined ? { dryRun } : {}) });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'campus-console-dist-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>学校管理后台</title><script type="module" src="/console/assets/main-AbC123.js"></script>');
    writeFileSync(join(dir, 'assets', 'main-AbC123.js'), 'console.log(1)');
    cloud = await startTestCloud(backend, { consoleDir: dir });
    A = (await cloud.provisionEdge({ schoolName: '甲校', site: 'console-a' })).schoolId;
    B = (await cloud.provisionEdge({ schoolName: '乙校', site: 'console-b' })).schoolId;
    await cloud.admin('POST', `/schools/${A}/accounts`, { username: 'c-admin-a', displayName: '甲校管理员', password: PW });
    await cloud.admin('POST', `/schools/${B}/accounts`, { username: 'c-admin-b', displayName: '乙校管理员', password: PW });
    adminA = await staffSignIn(cloud.url, 'c-admin-a', PW);
    adminB = await staffSignIn(cloud.url, 'c-admin-b', PW);
    // A class exists once a person record carries it.
    await cloud.records.write(A, [{ kind: 'person', key: 'S000', data: { name: '班长', roles: ['student'], classId: '三年级-2班' } }]);
    expect((await adminA.call('POST', '/accounts', { username: 'c-office', displayName: '教务', password: PW, roles: ['office'] })).status).toBe(201);
    expect((await adminA.call('POST', '/accounts', { username: 'c-head', displayName: '班主任', password: PW, roles: ['head_teacher'], classes: ['三年级-2班'] })).status).toBe(201);
    const d = await cloud.admin('POST', '/districts', { name: '区教育局', schoolIds: [A, B] });
    await cloud.admin('POST', `/districts/${d.json.id}/accounts`, { username: 'c-dist', displayName: '教育局', password: PW });
    const dAdmin = await staffSignIn(cloud.url, 'c-dist', PW);
    expect((await dAdmin.call('POST', '/accounts', { username: 'c-viewer', displayName: '查看', password: PW, roles: ['district_viewer'] })).status).toBe(201);
    office = await staffSignIn(cloud.url, 'c-office', PW);
    head = await staffSignIn(cloud.url, 'c-head', PW);
    viewer = await staffSignIn(cloud.url, 'c-viewer', PW);
  }, 180_000);
  afterAll(async () => {
    await cloud?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports a CSV roster into person, card and guardianship records of the feed, then updates on a second import', async () => {
    const dry = await importTo(office, A, ROSTER, 'roster.csv', true);
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ ok: true, imported: false, total: 3 });
    expect(await cloud.records.get(A, 'person', 'S001')).toBeNull();

    const r = await importTo(office, A, ROSTER);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, imported: true, total: 3, created: 3, updated: 0, guardianLinks: 1, errors: [] });
    expect(r.json.cursor).toBe(await cursor(A));
    expect(await cloud.records.get(A, 'person', 'S001')).toEqual({ name: '张小明', roles: ['student'], classId: '三年级-2班', active: true });
    expect(await cloud.records.get(A, 'person', 'G001')).toMatchObject({ roles: ['guardian', 'teacher'], phone: '13800000011' });
    expect(await cloud.records.get(A, 'card', 'S001')).toEqual({ personId: 'S001', version: 1, revoked: false });
    expect(await cloud.records.get(A, 'guardianship', 'S001:G001')).toEqual({ studentId: 'S001', guardianId: 'G001', relation: 'father', mayPickUp: true, receivesNotices: true });

    const again = await importTo(adminA, A, ROSTER.replace('李小红', '李晓红'));
    expect(again.json).toMatchObject({ imported: true, created: 0, updated: 3 });
    expect(await cloud.records.get(A, 'person', 'S002')).toMatchObject({ name: '李晓红' });
    // Audited with the file's name and counts.
    const audit = (await adminA.call('GET', '/audit?action=record.roster.import')).json.entries;
    expect(audit[0]).toMatchObject({ action: 'record.roster.import', actorName: 'c-admin-a', target: 'roster.csv' });
    expect(audit[0].detail).toMatchObject({ created: 0, updated: 3 });
  });

  it('refuses a file with conflicting ids or bad rows as a whole, row by row, in zh-CN and English, writing nothing', async () => {
    const before = await cursor(A);
    const bad = [
      '学号,姓名,身份,年级,班级,子女学号',
      'S100,甲,学生,四年级,1班,',
      'S100,乙,学生,四年级,1班,', // the same id twice
      'S101,丙,学生,,,', // a student without a class
      'G100,丁,家长,,,G001', // a child who is no student (G001 is a guardian and teacher)
      'g-1,戊,学生,四年级,1班,', // not a card id
    ].join('\n');
    const r = await importTo(adminA, A, bad);
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ ok: false, imported: false, total: 5 });
    const byCode = (code: string) => r.json.errors.filter((e: { code: string }) => e.code === code);
    expect(byCode('access.roster.duplicate_person_id')).toEqual([expect.objectContaining({ row: 3, column: '学号' })]);
    expect(byCode('access.roster.duplicate_person_id')[0].message['zh-CN']).toBe('第 3 行的学号/工号「S100」与第 2 行重复');
    expect(byCode('access.roster.duplicate_person_id')[0].message.en).toBe('Row 3: person id "S100" repeats row 2');
    expect(byCode('access.roster.student_needs_class')[0].row).toBe(4);
    expect(byCode('access.roster.bad_person_id')[0].row).toBe(6);
    expect(await cursor(A)).toBe(before);
    expect(await cloud.records.get(A, 'person', 'S100')).toBeNull();
    // A second pass of the same file without the row errors still finds the child who is no student.
    const child = await importTo(adminA, A, '学号,姓名,身份,子女学号\nG100,丁,家长,G001\n');
    expect(child.status).toBe(422);
    expect(child.json.errors.map((e: { code: string }) => e.code)).toEqual(['access.roster.child_not_student']);
    expect(await cursor(A)).toBe(before);
    // An id the gates would confuse with an existing person's ("g900" written earlier in lower case).
    await cloud.records.write(A, [{ kind: 'person', key: 'g900', data: { name: '旧家长', roles: ['guardian'] } }]);
    const before2 = await cursor(A);
    const folds = await importTo(adminA, A, '学号,姓名,年级,班级\nS900,新生,四年级,1班\nG900,新家长,四年级,1班\n');
    expect(folds.status).toBe(422);
    expect(folds.json.errors).toEqual([expect.objectContaining({ code: 'staff.import.id_folds', row: 3, column: '学号' })]);
    expect(folds.json.errors[0].message['zh-CN']).toContain('「g900」');
    expect(await cursor(A)).toBe(before2);
    expect(await cloud.records.get(A, 'person', 'S900')).toBeNull();
  });

  it('imports an .xlsx roster as the edge reads it (first sheet, ids as text), with the same row report and all or nothing', async () => {
    const sheet = (rows: Array<Array<string | number | null>>) => writeWorkbook([{ name: '名单', rows }, { name: '说明', rows: [['不读取']] }]);
    const header = ['学号', '姓名', '身份', '年级', '班级', '电话', '卡版本', '子女学号', '关系', '可接送'];
    const good = await sheet([header, ['X001', '赵小刚', '学生', '五年级', '1班', null, 2, null, null, null], [null, null, null, null, null, null, null, null, null, null], ['XG01', '赵强', '家长', null, null, 13800000077, null, 'X001', '母亲', '否']]);
    const dry = await importTo(office, A, good, '五年级名单.xlsx', true);
    expect(dry.status).toBe(200);
    expect(dry.json).toMatchObject({ ok: true, imported: false, total: 2 });
    const r = await importTo(office, A, good, '五年级名单.xlsx');
    expect(r.json).toMatchObject({ ok: true, imported: true, total: 2, created: 2, guardianLinks: 1, errors: [] });
    expect(await cloud.records.get(A, 'person', 'X001')).toEqual({ name: '赵小刚', roles: ['student'], classId: '五年级-1班', active: true });
    expect(await cloud.records.get(A, 'person', 'XG01')).toMatchObject({ phone: '13800000077' });
    expect(await cloud.records.get(A, 'card', 'X001')).toMatchObject({ version: 2 });
    expect(await cloud.records.get(A, 'guardianship', 'X001:XG01')).toMatchObject({ relation: 'mother', mayPickUp: false });
    const audit = (await adminA.call('GET', '/audit?action=record.roster.import')).json.entries;
    expect(audit[0]).toMatchObject({ target: '五年级名单.xlsx' });

    // Conflicting ids in a sheet: the row numbers are the sheet's (the empty row 3 counts), nothing written.
    const before = await cursor(A);
    const clash = await sheet([header, ['X002', '甲', '学生', '五年级', '1班'], [null], ['X002', '乙', '学生', '五年级', '1班'], ['X003', '丙', '学生']]);
    const bad = await importTo(adminA, A, clash, 'clash.xlsx');
    expect(bad.status).toBe(422);
    expect(bad.json).toMatchObject({ ok: false, imported: false });
    expect(bad.json.errors.map((e: { code: string; row: number }) => [e.code, e.row])).toEqual([
      ['access.roster.duplicate_person_id', 4],
      ['access.roster.student_needs_class', 5],
    ]);
    expect(bad.json.errors[0].message['zh-CN']).toBe('第 4 行的学号/工号「X002」与第 2 行重复');
    expect(await cursor(A)).toBe(before);
    expect(await cloud.records.get(A, 'person', 'X002')).toBeNull();
  });

  it('refuses a broken, renamed, oversized or bomb-shaped spreadsheet as a whole with the reason in zh-CN and English', async () => {
    const before = await cursor(A);
    const broken = await importTo(adminA, A, Buffer.from([0x50, 0x4b, 3, 4]), '名单.xlsx');
    expect(broken.status).toBe(422);
    expect(broken.json.errors).toEqual([expect.objectContaining({ code: 'sheet.not_xlsx', row: null })]);
    expect(broken.json.errors[0].message['zh-CN']).toBe('文件不是有效的 Excel（.xlsx）文件');
    // A CSV renamed .xlsx is no spreadsheet either.
    const renamed = await importTo(adminA, A, ROSTER, 'roster.xlsx');
    expect(renamed.status).toBe(422);
    expect(renamed.json.errors[0].code).toBe('sheet.not_xlsx');
    // A sheet with more rows than the guard allows (50,000) is refused before any row is validated.
    // (about 400 KB as .xlsx: within the 700 KB a request may carry)
    const many = await writeWorkbook([{ name: 'S', rows: Array.from({ length: 50_002 }, (_, i) => [i]) }]);
    const big = await importTo(adminA, A, many, 'many.xlsx');
    expect(big.status).toBe(422);
    expect(big.json.errors[0]).toMatchObject({ code: 'sheet.too_many_rows' });
    expect(big.json.errors[0].message.en).toContain('limit 50000');
    // A workbook whose zip declares a part far larger than it is (a zip bomb's shape).
    const good = await writeWorkbook([{ name: 'S', rows: [['学号', '姓名'], ['Z1', '甲']] }]);
    const lying = Buffer.from(good);
    const cd = lying.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    lying.writeUInt32LE(200 * 1024 * 1024, cd + 24);
    const bomb = await importTo(adminA, A, lying, 'bomb.xlsx');
    expect(bomb.status).toBe(422);
    expect(bomb.json.errors[0].code).toBe('sheet.too_large');
    expect(bomb.json.errors[0].message['zh-CN']).toContain('已在解压前拒绝');
    expect(await cursor(A)).toBe(before);
    // The cloud kept serving.
    expect((await adminA.call('GET', `/schools/${A}/roster/person/X001`)).status).toBe(200);
  });

  it('answers bad base64, a header-only file and malformed bodies with clear 4xx errors', async () => {
    const base = await adminA.call('POST', `/schools/${A}/roster-import`, { fileName: 'a.csv', contentBase64: '%%%' });
    expect(base.status).toBe(400);
    expect(base.json.error.code).toBe('staff.error.import_base64');
    const empty = await importTo(adminA, A, '学号,姓名\n');
    expect(empty.status).toBe(422);
    expect(empty.json.errors[0].code).toBe('access.roster.empty');
    const extra = await adminA.call('POST', `/schools/${A}/roster-import`, { fileName: 'a.csv', contentBase64: b64('x'), extra: 1 });
    expect(extra.status).toBe(400);
    expect(extra.json.error.message.en).toBeTruthy();
  });

  it("keeps imports inside the caller's reach: another school, a head teacher, a district viewer", async () => {
    const before = await cursor(B);
    expect((await importTo(adminA, B, ROSTER)).status).toBe(404);
    expect((await importTo(head, A, ROSTER)).status).toBe(403);
    const v = await importTo(viewer, A, ROSTER);
    expect(v.status).toBe(403);
    expect(v.json.error.message['zh-CN']).toBe('您的角色无权执行此操作');
    expect(await cursor(B)).toBe(before);
    // School B's admin imports into B only; A's records stay A's.
    expect((await importTo(adminB, B, '学号,姓名,年级,班级\nS001,乙校学生,一年级,1班\n')).json.imported).toBe(true);
    expect(await cloud.records.get(A, 'person', 'S001')).toMatchObject({ name: '张小明' });
    // A head teacher changing a leave of another class is refused.
    const leave = await head.call('PUT', `/schools/${A}/classes/${encodeURIComponent('四年级-1班')}/leaves/l-1`, { personId: 'S001', from: 1, until: 2 });
    expect(leave.status).toBe(403);
  });

  it('keeps grade timetables as feed records: times in order, a known grade, one per grade and weekday, office roles only', async () => {
    const tt = (c: StaffClient, key: string, data: Record<string, unknown>, version: number | null = null, school = A) =>
      c.call('PUT', `/schools/${school}/roster/timetable/${key}`, { data, version });
    const day = { grade: '三年级', entryStart: '07:10', lateAfter: '07:50', dismissalStart: '16:20', dismissalEnd: '17:30' };
    const before = await cursor(A);
    const ok = await tt(office, 'g3', day);
    expect(ok.status).toBe(200);
    expect(ok.json.cursor).toBeGreaterThan(before);
    expect(await cloud.records.get(A, 'timetable', 'g3')).toEqual({ ...day, weekday: null });
    const friday = await tt(adminA, 'g3-fri', { ...day, weekday: 5, dismissalStart: '15:00', dismissalEnd: '16:00' });
    expect(friday.status).toBe(200);
    const mid = await cursor(A);
    // Times out of order: refused by the record schema, nothing written.
    const order = await tt(adminA, 'g3-bad', { ...day, weekday: 1, lateAfter: '17:00' });
    expect(order.status).toBe(400);
    expect(order.json.error.message.en).toContain('entryStart ≤ lateAfter ≤ dismissalStart ≤ dismissalEnd');
    expect((await tt(adminA, 'g3-bad', { ...day, weekday: 1, entryStart: '7:10' })).status).toBe(400);
    expect((await tt(adminA, 'g3-bad', { ...day, weekday: 8 })).status).toBe(400);
    // A grade nobody's class belongs to (a typo would set nobody's hours).
    const typo = await tt(adminA, 'g9', { ...day, grade: '三年纪' });
    expect(typo.status).toBe(400);
    expect(typo.json.error.message['zh-CN']).toBe('本校没有年级「三年纪」（没有人员的班级属于该年级）');
    // A second record for the same grade and day.
    const twice = await tt(adminA, 'g3-again', { ...day, lateAfter: '08:00' });
    expect(twice.status).toBe(400);
    expect(twice.json.error.code).toBe('staff.error.timetable_taken');
    expect(twice.json.error.message['zh-CN']).toContain('g3');
    // Changing the record itself is fine (its own slot), with its version.
    const read = (await adminA.call('GET', `/schools/${A}/roster/timetable/g3`)).json;
    const changed = await tt(adminA, 'g3', { ...read.data, lateAfter: '07:55' }, read.version);
    expect(changed.status).toBe(200);
    expect(await cloud.records.get(A, 'timetable', 'g3')).toMatchObject({ lateAfter: '07:55' });
    // Out of reach: another school's admin, a head teacher, a district viewer.
    expect((await tt(adminB, 'g3', day, null, A)).status).toBe(404);
    expect((await tt(head, 'h3', { ...day, weekday: 2 })).status).toBe(403);
    expect((await tt(viewer, 'v3', { ...day, weekday: 3 })).status).toBe(403);
    expect(await cloud.records.get(A, 'timetable', 'g3-bad')).toBeNull();
    expect(await cloud.records.get(A, 'timetable', 'g3-again')).toBeNull();
    expect(await cursor(A)).toBe(mid + 1);
    const audit = (await adminA.call('GET', '/audit?action=record.put')).json.entries;
    expect(audit[0]).toMatchObject({ target: 'timetable/g3', actorName: 'c-admin-a' });
  });

  it('refuses the later of two edits of one record with 409 and the record as it now is', async () => {
    const read = (await adminA.call('GET', `/schools/${A}/roster/person/S002`)).json;
    const first = await adminA.call('PUT', `/schools/${A}/roster/person/S002`, { data: { ...read.data, name: '李红' }, version: read.version });
    expect(first.status).toBe(200);
    const second = await office.call('PUT', `/schools/${A}/roster/person/S002`, { data: { ...read.data, classId: '三年级-3班' }, version: read.version });
    expect(second.status).toBe(409);
    expect(second.json.error.details.current).toMatchObject({ version: first.json.record.version, data: { name: '李红', classId: '三年级-2班' } });
    expect(second.json.error.message['zh-CN']).toContain('已被他人修改');
    expect(await cloud.records.get(A, 'person', 'S002')).toMatchObject({ name: '李红', classId: '三年级-2班' });
  });

  it('serves the console under /console/: index.html not cached, hashed assets cached for a year, pages fall back to index.html', async () => {
    const index = await fetch(`${cloud.url}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(await index.text()).toContain('学校管理后台');
    const page = await fetch(`${cloud.url}/console/people`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const asset = await fetch(`${cloud.url}/console/assets/main-AbC123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${cloud.url}/console/assets/missing-1.js`)).status).toBe(404);
    const bare = await fetch(`${cloud.url}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/console/');
  });
});
