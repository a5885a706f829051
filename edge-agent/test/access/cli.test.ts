import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keyring, verifyCredential } from '@campus/protocol/credentials/index';
import { parseCsv } from '../../src/cards/csv.js';
import { tempDir } from '../helpers/edge.js';
import { deflatedFiller, makeZip, sharedStringsXml, workbookEntries } from '../helpers/xlsx-craft.js';
import { writeWorkbook } from '@campus/protocol/sheets/xlsx';
import { FakeClock, TestIssuer, startAccessEdge } from './helpers.js';
import { waitFor } from './rig.js';

const BIN = new URL('../../dist/bin/campus-edge.js', import.meta.url).pathname;
const run = promisify(execFile);

async function cli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, FORCE_COLOR: '0' } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The built `campus-edge` commands for keys, cards and rosters (run `tsc -b edge-agent` first). */
describe('campus-edge keys / cards / roster', { timeout: 90_000 }, () => {
  const dir = tempDir('campus-cli-');
  const dataDir = join(dir.path, 'data');
  const configFile = join(dir.path, 'edge.json');

  beforeAll(() => {
    writeFileSync(configFile, JSON.stringify({ dataDir, site: { name: '实验中学' }, access: { zones: [{ id: 'campus', no: 1, name: '校园', kind: 'campus' }, { id: 'dorm-a', no: 2, name: '宿舍A栋', kind: 'dormitory' }] } }));
  });
  afterAll(() => dir.remove());

  it('keys init writes a 0600 private key and a public key, and refuses to overwrite them', async () => {
    const r = await cli(['keys', 'init', '--dir', 'issuer-keys', '--kid', 'K2'], dir.path);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('issuer-K2.pub');
    expect(statSync(join(dir.path, 'issuer-keys/issuer-K2.key')).mode & 0o777).toBe(0o600);
    const again = await cli(['keys', 'init', '--dir', 'issuer-keys', '--kid', 'K2'], dir.path);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('已存在');
  });

  it('cards issue signs a card per row, prints the PDF and writes the credentials', async () => {
    writeFileSync(join(dir.path, 'cards.csv'), '学号,姓名,年级,班级\n2026010001,张三,初一,1班\n2026010002,李四,初一,1班\n');
    const r = await cli(['cards', 'issue', '--roster', 'cards.csv', '--out', 'cards.pdf', '--keys', 'issuer-keys', '--kid', 'K2', '--school', '实验中学', '--csv', 'issued.csv'], dir.path);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('已制卡 2 张');
    expect(readFileSync(join(dir.path, 'cards.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    const rows = parseCsv(readFileSync(join(dir.path, 'issued.csv'), 'utf8').replace(/^\uFEFF/, ''));
    const keyring = new Keyring([['K2', readFileSync(join(dir.path, 'issuer-keys/issuer-K2.pub'), 'utf8')]]);
    const v = verifyCredential(rows[1]!.fields[5], keyring, Date.now());
    expect(v).toMatchObject({ ok: true, credential: { kind: 'card', personId: '2026010001', cardVersion: 1 } });
  });

  it('cards issue refuses a bad roster with its rows in Chinese', async () => {
    writeFileSync(join(dir.path, 'bad-cards.csv'), '学号,姓名\n2026 01,张三\n');
    const r = await cli(['cards', 'issue', '--roster', 'bad-cards.csv', '--out', 'bad.pdf', '--keys', 'issuer-keys'], dir.path);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('第 2 行');
  });

  it('roster import is all or nothing, with a row-level Chinese report', async () => {
    writeFileSync(join(dir.path, 'bad.csv'), '学号,姓名,身份,年级,班级\n2026010001,张三,学生,初一,1班\n2026010002,,学生,初一,1班\n2026010003,王五,校长,初一,1班\n');
    const bad = await cli(['roster', 'import', 'bad.csv', '--config', configFile], dir.path);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('第 3 行缺少姓名');
    expect(bad.stderr).toContain('第 4 行的身份「校长」不认识');
    expect(bad.stderr).toContain('未导入任何数据');
    writeFileSync(join(dir.path, 'good.csv'), '学号,姓名,身份,年级,班级,住校,宿舍\n2026010001,张三,学生,初一,1班,是,宿舍A栋\n');
    const good = await cli(['roster', 'import', 'good.csv', '--config', configFile], dir.path);
    expect(good.stdout).toContain('新增 1');
    expect(good.code).toBe(0);
  });

  it('roster import reads .xlsx (dry run, then for real) and refuses a zip bomb with a clear reason', async () => {
    const xlsx = join(dir.path, 'teachers.xlsx');
    writeFileSync(xlsx, await writeWorkbook([{ name: '教职工', rows: [['工号', '姓名', '身份'], ['T301', '钱老师', '教师'], ['S302', '孙师傅', '职工']] }]));
    const dry = await cli(['roster', 'import', 'teachers.xlsx', '--dry-run', '--config', configFile], dir.path);
    expect(dry.code).toBe(0);
    const real = await cli(['roster', 'import', 'teachers.xlsx', '--config', configFile], dir.path);
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('新增 2');
    const bomb = await deflatedFiller(120 * 1024 * 1024);
    writeFileSync(join(dir.path, 'bomb.xlsx'), makeZip(workbookEntries([{ name: 'S', entry: { data: Buffer.alloc(0), compressed: bomb.compressed, declaredSize: bomb.size } }], sharedStringsXml(['a']))));
    const refused = await cli(['roster', 'import', 'bomb.xlsx', '--config', configFile], dir.path);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('文件解压后过大（xl/worksheets/sheet1.xml：120.0 MB，上限 48.0 MB），已在解压前拒绝');
    expect(refused.stderr).toContain('未导入任何数据');
  });

  it('a running edge picks up a roster imported from the command line', async () => {
    const shared = tempDir('campus-cli-live-');
    const issuer = new TestIssuer('K1');
    const env = await startAccessEdge({}, { dataDir: shared.path, issuer, clock: new FakeClock(Date.parse('2026-09-07T07:10:00+08:00')) });
    try {
      const cfg = join(shared.path, 'edge.json');
      writeFileSync(cfg, JSON.stringify({ dataDir: shared.path }));
      writeFileSync(join(shared.path, 'r.csv'), '学号,姓名,身份\nT777,周老师,教师\n');
      const before = await env.edge.access.runtime!.decide(env.edge.access.gates.get('east')!, 'in', issuer.card('T777'), null);
      expect(before!.reason).toBe('access.person_unknown');
      const r = await cli(['roster', 'import', 'r.csv', '--config', cfg], shared.path);
      expect(r.code).toBe(0);
      await waitFor(() => env.edge.access.people.get('T777'), 'the daemon to reload', 10_000);
      const after = await env.edge.access.runtime!.decide(env.edge.access.gates.get('east')!, 'in', issuer.card('T777'), null);
      expect(after!.reason).toBe('access.granted');
    } finally {
      await env.cleanup();
      shared.remove();
    }
  });
});
