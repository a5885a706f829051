import Database from 'better-sqlite3';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Migration } from './migrations.js';

export type Db = Database.Database;

/** 'CAMP' — marks a SQLite file as ours, so a foreign database is never migrated. */
export const APPLICATION_ID = 0x43414d50;
const SQLITE_MAGIC = 'SQLite format 3\u0000';

export class StoreOpenError extends Error {
  constructor(
    readonly code: 'not_sqlite' | 'foreign' | 'corrupt' | 'newer' | 'io' | 'data_key',
    message: string,
  ) {
    super(message);
    this.name = 'StoreOpenError';
  }
}

export interface OpenOptions {
  file: string;
  backupDir: string;
  synchronous?: 'normal' | 'full';
  /** Every migration of this build, in order (src/migrations.ts: ALL_MIGRATIONS). */
  migrations: readonly Migration[];
  now?: () => number;
  onMigrate?: (info: { from: number; to: number; applied: string[]; backup: string | null }) => void;
}

/**
 * Opens (or creates) the edge database. Refuses, without writing a byte, a file that
 * is not SQLite, a SQLite file that is not ours, a corrupt one, or one written by a
 * newer version. Backs the file up before migrating an existing database.
 */
export function openDatabase(opts: OpenOptions): Db {
  const migrations = opts.migrations;
  const exists = existsSync(opts.file) && statSync(opts.file).size > 0;
  if (exists) checkHeader(opts.file);

  let db: Db;
  try {
    db = new Database(opts.file, { fileMustExist: exists });
  } catch (e) {
    throw new StoreOpenError('io', `数据库无法打开 / cannot open database ${opts.file}: ${(e as Error).message}`);
  }
  try {
    const applied = exists ? verifyExisting(db, opts.file, migrations) : new Set<string>();
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${opts.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const pending = migrations.filter((m) => !applied.has(m.id));
    if (pending.length) {
      const backup = applied.size > 0 ? backupBeforeMigration(db, opts, applied.size) : null;
      migrate(db, pending, opts.now?.() ?? Date.now());
      opts.onMigrate?.({ from: applied.size, to: applied.size + pending.length, applied: pending.map((m) => m.id), backup });
    }
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

function checkHeader(file: string): void {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    if (n < 16 || buf.toString('latin1') !== SQLITE_MAGIC) {
      throw new StoreOpenError(
        'not_sqlite',
        `${file} 不是 SQLite 数据库，已拒绝打开（文件未改动）。请检查 dataDir / store.file 配置，或移走该文件。 / ${file} is not an SQLite database; refusing to open it (the file was not touched). Check dataDir / store.file, or move the file away.`,
      );
    }
  } finally {
    closeSync(fd);
  }
}

function verifyExisting(db: Db, file: string, migrations: readonly Migration[]): Set<string> {
  let appId: number;
  let tables: number;
  try {
    appId = db.pragma('application_id', { simple: true }) as number;
    tables = (db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
  } catch (e) {
    throw new StoreOpenError('corrupt', corruptMessage(file, (e as Error).message));
  }
  if (appId !== APPLICATION_ID && !(appId === 0 && tables === 0)) {
    throw new StoreOpenError(
      'foreign',
      `${file} 是其他程序的 SQLite 数据库，已拒绝打开（文件未改动）。 / ${file} is an SQLite database of another application; refusing to open it (the file was not touched).`,
    );
  }
  let check: string;
  try {
    check = (db.pragma('quick_check', { simple: true }) as string) ?? '';
  } catch (e) {
    throw new StoreOpenError('corrupt', corruptMessage(file, (e as Error).message));
  }
  if (check !== 'ok') throw new StoreOpenError('corrupt', corruptMessage(file, check));
  if (tables === 0) return new Set();
  let applied: string[];
  try {
    applied = (db.prepare('SELECT id FROM schema_migrations').all() as Array<{ id: string }>).map((r) => r.id);
  } catch (e) {
    throw new StoreOpenError('corrupt', corruptMessage(file, `schema_migrations unreadable: ${(e as Error).message}`));
  }
  const known = new Set(migrations.map((m) => m.id));
  const unknown = applied.filter((id) => !known.has(id));
  if (unknown.length) {
    throw new StoreOpenError(
      'newer',
      `${file} 由更新版本的软件写入（包含本程序不认识的数据库变更 ${unknown.join(', ')}）。请升级 campus-edge，不要降级。 / ${file} was written by a newer version (it has schema changes this build does not know: ${unknown.join(', ')}). Upgrade campus-edge; do not downgrade.`,
    );
  }
  return new Set(applied);
}

function corruptMessage(file: string, detail: string): string {
  return `${file} 已损坏，已拒绝打开（文件未改动）。请从备份恢复（campus-edge backup 生成的文件）。 / ${file} is corrupt; refusing to open it (the file was not touched). Restore it from a backup made by "campus-edge backup". Detail: ${detail}`;
}

function backupBeforeMigration(db: Db, opts: OpenOptions, appliedCount: number): string {
  mkdirSync(opts.backupDir, { recursive: true });
  const stamp = new Date(opts.now?.() ?? Date.now()).toISOString().replace(/[:.]/g, '-');
  const target = join(opts.backupDir, `${basename(opts.file)}.m${appliedCount}.${stamp}.bak`);
  db.exec(`VACUUM INTO '${target.replaceAll("'", "''")}'`);
  return target;
}

function migrate(db: Db, pending: Migration[], now: number): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  db.pragma(`application_id = ${APPLICATION_ID}`);
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)').run(m.id, m.name, now);
      const count = (db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n;
      db.pragma(`user_version = ${count}`);
    })();
  }
}
