import Database from 'better-sqlite3';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, tempDir } from '../helpers/edge.js';
import { FakeClock, TestIssuer, b64, startAccessEdge } from './helpers.js';

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const ROSTER = ['学号,姓名,身份,年级,班级,电话,子女学号,关系', '2026010001,张三,学生,初一,1班,13900001111,,', 'P001,张爸爸,家长,,,13800002222,2026010001,父亲'].join('\r\n');

/** Minors’ sensitive data: sealed on disk, readable through the API, reads of photos audited. */
describe('personal data at rest', () => {
  const dir = tempDir('campus-privacy-');
  let env: Awaited<ReturnType<typeof startAccessEdge>>;
  const issuer = new TestIssuer();
  const dbBytes = () => Buffer.concat(['edge.db', 'edge.db-wal'].flatMap((f) => (readdirSync(dir.path).includes(f) ? [readFileSync(join(dir.path, f))] : [])));

  beforeAll(async () => {
    env = await startAccessEdge({}, { issuer, dataDir: dir.path, clock: new FakeClock(Date.parse('2026-09-07T07:20:00+08:00')), edge: { users: [{ username: 'guard1', password: 'guard-password-1', roles: ['security'] }] } });
    expect((await env.admin.req('POST', '/api/access/roster/import', { fileName: 'roster.csv', contentBase64: b64(ROSTER) })).status).toBe(200);
  });
  afterAll(async () => {
    await env.cleanup();
    dir.remove();
  });

  it('keeps phone numbers sealed in SQLite and shows them to staff through the API', async () => {
    expect((await env.admin.req('GET', '/api/access/people/P001')).json.person.phone).toBe('13800002222');
    const db = new Database(join(dir.path, 'edge.db'), { readonly: true });
    const rows = db.prepare("SELECT phone FROM access_persons WHERE phone IS NOT NULL").pluck().all() as string[];
    db.close();
    expect(rows).toHaveLength(2);
    expect(rows.every((p) => p.startsWith('ev1:'))).toBe(true);
    expect(dbBytes().includes(Buffer.from('13800002222'))).toBe(false);
  });

  it('keeps photos sealed on disk, serves the original, and audits who looked (once an hour)', async () => {
    expect((await env.admin.req('PUT', '/api/access/people/2026010001/photo', { contentBase64: PNG.toString('base64') })).status).toBe(204);
    const onDisk = readFileSync(join(dir.path, 'photos', '2026010001.png'));
    expect(onDisk.subarray(0, 8).equals(PNG.subarray(0, 8))).toBe(false);
    const guard = new ApiClient(env.edge.httpUrl);
    await guard.login('guard1', 'guard-password-1');
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${env.edge.httpUrl}/api/access/people/2026010001/photo`, { headers: { cookie: guard.cookie } });
      expect(Buffer.from(await r.arrayBuffer()).equals(PNG)).toBe(true);
    }
    const views = env.edge.store.audit.list(200).filter((a) => a.action === 'access.photo.view');
    expect(views).toEqual([expect.objectContaining({ actor: 'guard1', target: '2026010001' })]);
  });

  it('seals what an older edge left in clear at the next start', async () => {
    await env.edge.stop();
    const db = new Database(join(dir.path, 'edge.db'));
    db.prepare("UPDATE access_persons SET phone = '13700003333' WHERE id = 'P001'").run();
    db.close();
    writeFileSync(join(dir.path, 'photos', '2026010001.png'), PNG);
    env = await startAccessEdge({}, { issuer, dataDir: dir.path, clock: new FakeClock(Date.parse('2026-09-07T07:30:00+08:00')) });
    expect((await env.admin.req('GET', '/api/access/people/P001')).json.person.phone).toBe('13700003333');
    const check = new Database(join(dir.path, 'edge.db'), { readonly: true });
    expect(check.prepare("SELECT phone FROM access_persons WHERE id = 'P001'").pluck().get()).toMatch(/^ev1:/);
    check.close();
    expect(readFileSync(join(dir.path, 'photos', '2026010001.png')).subarray(0, 4).toString()).toBe('CEV1');
  });
});
