import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('answers a spreadsheet, bad base64, a header-only file and malformed bodies with clear 4xx errors', async () => {
    const xlsx = await importTo(adminA, A, Buffer.from([0x50, 0x4b, 3, 4]), '名单.xlsx');
    expect(xlsx.status).toBe(400);
    expect(xlsx.json.error.message['zh-CN']).toContain('CSV');
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
