import { describe, expect, it, afterEach } from 'vitest';
import { writeFileSync, readFileSync, existsSync, readdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isUuidV7 } from '@campus/protocol';
import { Store, StoreOpenError, APPLICATION_ID, openDatabase } from '../src/store/index.js';

import { TrustedClock } from '../src/core/clock.js';
import { tempDir } from './helpers/edge.js';
import { ALL_MIGRATIONS } from '../src/migrations.js';

function open(dir: string, clock = new TrustedClock({ mode: 'always' })) {
  return Store.open({ migrations: ALL_MIGRATIONS, dataDir: dir, file: 'edge.db', backupDir: 'backups', synchronous: 'full', site: 'test-site', clock });
}

describe('store', () => {
  const dirs: Array<{ remove(): void }> = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.remove()));
  const dir = () => {
    const d = tempDir();
    dirs.push(d);
    return d.path;
  };

  it('creates a WAL database marked as ours at the latest version', () => {
    const d = dir();
    const s = open(d);
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    const applied = (s.db.prepare('SELECT id FROM schema_migrations ORDER BY rowid').all() as Array<{ id: string }>).map((r) => r.id);
    expect(applied).toEqual(ALL_MIGRATIONS.map((m) => m.id));
    s.close();
  });

  it('appends events with UUIDv7 ids, site, clock trust, and keeps them append-only', () => {
    const s = open(dir(), new TrustedClock({ mode: 'never' }));
    const e = s.events.append({ type: 'access.decision', reason: 'access.granted', source: 'test', subject: 'p1', data: { gate: 'east' } });
    expect(isUuidV7(e.id)).toBe(true);
    expect(e.site).toBe('test-site');
    expect(e.clockTrusted).toBe(false);
    expect(s.events.get(e.id)).toMatchObject({ id: e.id, data: { gate: 'east' }, subject: 'p1' });
    expect(() => s.db.prepare("UPDATE events SET reason = 'x'").run()).toThrow(/append-only/);
    s.close();
  });

  it('keeps log order and monotonic ids when the wall clock jumps backwards', () => {
    let wall = Date.UTC(2026, 8, 1, 8, 0, 0);
    const clock = new TrustedClock({ mode: 'always', wallNow: () => wall });
    const s = open(dir(), clock);
    const a = s.events.append({ type: 'x.y', reason: 'r', source: 't' });
    wall -= 3600_000; // NTP correction one hour back
    const b = s.events.append({ type: 'x.y', reason: 'r', source: 't' });
    expect(b.id > a.id).toBe(true);
    expect(b.seq).toBeGreaterThan(a.seq);
    expect(b.occurredAt).toBeLessThan(a.occurredAt); // the observed wall time is kept honestly
    const listed = s.events.list({ limit: 10 });
    expect(listed.map((e) => e.id)).toEqual([b.id, a.id]);
    s.close();
  });

  it('appendMany is all-or-nothing', () => {
    const s = open(dir());
    s.events.append({ type: 'a.b', reason: 'r', source: 't' });
    expect(() =>
      s.events.appendMany([
        { type: 'a.b', reason: 'r', source: 't' },
        { type: 'a.b', reason: 'r', source: 't', data: { big: 1n } as never },
      ]),
    ).toThrow();
    expect(s.events.count()).toBe(1);
    s.close();
  });

  it('filters by type prefix literally (no LIKE wildcards leak)', () => {
    const s = open(dir());
    s.events.append({ type: 'access.decision', reason: 'r', source: 't' });
    s.events.append({ type: 'accessxdecision.z', reason: 'r', source: 't' });
    s.events.append({ type: 'energy.reading', reason: 'r', source: 't' });
    expect(s.events.list({ typePrefix: 'access.' }).map((e) => e.type)).toEqual(['access.decision']);
    expect(s.events.list({ typePrefix: 'acc_ss' })).toHaveLength(0);
    s.close();
  });

  it('refuses a file that is not SQLite and never touches it', () => {
    const d = dir();
    const file = join(d, 'edge.db');
    writeFileSync(file, 'these are the minutes of the parents meeting\n'.repeat(100));
    const before = readFileSync(file);
    expect(() => open(d)).toThrowError(StoreOpenError);
    try {
      open(d);
    } catch (e) {
      expect((e as StoreOpenError).code).toBe('not_sqlite');
      expect((e as Error).message).toMatch(/不是 SQLite/);
    }
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(existsSync(file + '-wal')).toBe(false);
  });

  it('refuses a foreign SQLite database and never touches it', () => {
    const d = dir();
    const file = join(d, 'edge.db');
    const other = new Database(file);
    other.exec('CREATE TABLE library_books (isbn TEXT)');
    other.close();
    const before = readFileSync(file);
    expect(() => open(d)).toThrow(/another application|其他程序/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a corrupt database and never touches it', () => {
    const d = dir();
    const s = open(d);
    for (let i = 0; i < 2000; i++) s.events.append({ type: 'a.b', reason: 'r', source: 't', data: { i, pad: 'x'.repeat(100) } });
    s.close();
    const file = join(d, 'edge.db');
    const buf = readFileSync(file);
    // Smash pages in the middle of the file, keeping the header intact.
    for (let i = 8192; i < 8192 + 4096 * 8 && i < buf.length; i++) buf[i] = (i * 7) & 0xff;
    writeFileSync(file, buf);
    expect(() => open(d)).toThrowError(/corrupt|已损坏/);
    expect(readFileSync(file).equals(buf)).toBe(true);
  });

  it('refuses a database written by a newer version', () => {
    const d = dir();
    const s = open(d);
    s.db.prepare("INSERT INTO schema_migrations (id, name, applied_at) VALUES ('core.999', 'from the future', 0)").run();
    s.close();
    expect(() => open(d)).toThrow(/newer version|更新版本/);
  });

  it('backs up the database before migrating it', () => {
    const d = dir();
    const file = join(d, 'edge.db');
    const backups = join(d, 'backups');
    const v1 = openDatabase({ file, backupDir: backups, migrations: ALL_MIGRATIONS.slice(0, 1) });
    v1.prepare("INSERT INTO settings (key, value) VALUES ('k', 'v')").run();
    v1.close();
    const v2 = openDatabase({
      file,
      backupDir: backups,
      migrations: [...ALL_MIGRATIONS.slice(0, 1), { id: 'test.001', name: 'test', sql: 'CREATE TABLE t2 (x INTEGER);' }],
    });
    expect((v2.prepare('SELECT id FROM schema_migrations WHERE id = ?').get('test.001') as { id: string }).id).toBe('test.001');
    v2.close();
    const files = readdirSync(backups);
    expect(files).toHaveLength(1);
    const bak = new Database(join(backups, files[0]!), { readonly: true });
    expect(bak.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: 1 });
    expect(bak.prepare('SELECT value FROM settings').get()).toEqual({ value: 'v' });
    bak.close();
  });

  it('makes a consistent online backup while writes continue', async () => {
    const d = dir();
    const s = open(d);
    for (let i = 0; i < 500; i++) s.events.append({ type: 'a.b', reason: 'r', source: 't' });
    const target = join(d, 'copy.db');
    const backup = s.backup(target);
    for (let i = 0; i < 100; i++) s.events.append({ type: 'a.b', reason: 'r', source: 't' });
    await backup;
    s.close();
    copyFileSync(target, join(d, 'restore.db'));
    const r = new Database(join(d, 'restore.db'), { readonly: true });
    expect(r.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((r.prepare('SELECT count(*) n FROM events').get() as { n: number }).n).toBeGreaterThanOrEqual(500);
    r.close();
  });
});

describe('WAL checkpointer thread', () => {
  it('moves committed writes into the main database file in the background', async () => {
    const d = tempDir();
    try {
      const s = Store.open({ migrations: ALL_MIGRATIONS, dataDir: d.path, file: 'edge.db', backupDir: 'b', synchronous: 'normal', site: 's', clock: new TrustedClock({ mode: 'always' }) });
      s.startFlushTimer(100);
      for (let i = 0; i < 1000; i++) s.events.append({ type: 'a.b', reason: 'r', source: 't' });
      // Read the main file alone, ignoring the WAL: only checkpointed rows are there.
      const inMainFile = () => {
        copyFileSync(join(d.path, 'edge.db'), join(d.path, 'main-only.db')); // no -wal beside the copy
        const ro = new Database(join(d.path, 'main-only.db'), { readonly: true });
        try {
          return (ro.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
        } catch {
          return 0; // not even the schema is checkpointed yet
        } finally {
          ro.close();
        }
      };
      let n = 0;
      for (let i = 0; i < 100 && n < 1000; i++) {
        await new Promise((r) => setTimeout(r, 50));
        n = inMainFile();
      }
      expect(n).toBe(1000);
      await s.close();
    } finally {
      d.remove();
    }
  });
});
