import { join, isAbsolute, dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Clock } from '../core/clock.js';
import { openDatabase, type Db, type OpenOptions } from './open.js';
import { EventLog } from './events.js';
import { UserRepo } from './users.js';
import { SessionRepo } from './sessions.js';
import { AuditLog } from './audit.js';
import { MqttClientRepo } from './mqtt-clients.js';
import { DataVault, VaultError } from '../security/vault.js';
import { StoreOpenError } from './open.js';

export { StoreOpenError, APPLICATION_ID, openDatabase } from './open.js';
export type { Db } from './open.js';
export * from './events.js';
export * from './users.js';
export * from './sessions.js';
export * from './audit.js';
export * from './mqtt-clients.js';

/** The checkpointer thread (CommonJS, evaluated): checkpoints after other connections commit. */
const CHECKPOINTER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
// It only checkpoints: no page cache to speak of.
db.pragma('cache_size = -64');
let seen = -1;
const tick = () => {
  try {
    const version = db.pragma('data_version', { simple: true });
    if (version !== seen) {
      seen = version;
      db.pragma('wal_checkpoint(PASSIVE)');
    }
  } catch (e) {
    parentPort.postMessage(String((e && e.message) || e));
  }
};
const timer = setInterval(tick, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  tick();
  db.close();
  parentPort.close();
});
`;

/** The edge store: one SQLite database, typed repositories over it. */
export class Store {
  readonly events: EventLog;
  readonly users: UserRepo;
  readonly sessions: SessionRepo;
  readonly audit: AuditLog;
  readonly mqttClients: MqttClientRepo;

  constructor(
    readonly db: Db,
    readonly file: string,
    site: string,
    clock: Clock,
    /** Seals minors' sensitive data at rest (phone numbers, photos, the cloud's records). */
    readonly vault: DataVault,
  ) {
    const now = () => clock.now();
    this.events = new EventLog(db, site, clock);
    this.users = new UserRepo(db, now);
    this.sessions = new SessionRepo(db, now);
    this.audit = new AuditLog(db, now);
    this.mqttClients = new MqttClientRepo(db, now);
  }

  static open(opts: {
    dataDir: string;
    file: string;
    backupDir: string;
    synchronous: 'normal' | 'full';
    site: string;
    clock: Clock;
    /** Every migration of this build, in order (src/migrations.ts: ALL_MIGRATIONS). */
    migrations: OpenOptions['migrations'];
    dataKeyFile?: string;
    onMigrate?: OpenOptions['onMigrate'];
  }): Store {
    const file = isAbsolute(opts.file) ? opts.file : join(opts.dataDir, opts.file);
    const backupDir = isAbsolute(opts.backupDir) ? opts.backupDir : join(opts.dataDir, opts.backupDir);
    mkdirSync(dirname(file), { recursive: true });
    let vault: DataVault;
    try {
      vault = DataVault.open({ dataDir: opts.dataDir, keyFile: opts.dataKeyFile });
    } catch (e) {
      throw new StoreOpenError('data_key', (e as Error).message);
    }
    const db = openDatabase({ file, backupDir, migrations: opts.migrations, synchronous: opts.synchronous, now: () => opts.clock.now(), onMigrate: opts.onMigrate });
    const store = new Store(db, file, opts.site, opts.clock, vault);
    try {
      store.checkDataKey();
    } catch (e) {
      db.close();
      throw e;
    }
    return store;
  }

  /** The database remembers a value sealed with its key: another key is refused before it can write anything. */
  private checkDataKey(): void {
    const CHECK = 'campus-edge data key';
    const stored = this.setting('vault.check');
    if (stored === undefined) return this.setSetting('vault.check', this.vault.seal(CHECK));
    let ok = false;
    try {
      ok = this.vault.unseal(stored) === CHECK;
    } catch (e) {
      if (!(e instanceof VaultError)) throw e;
    }
    if (!ok) {
      throw new StoreOpenError(
        'data_key',
        `数据密钥与数据库不匹配 / the data key does not match this database: 请从备份恢复原来的数据密钥文件（privacy.dataKeyFile，默认 数据目录/vault/data.key）/ restore the original data key file (privacy.dataKeyFile, default <dataDir>/vault/data.key) from your backup. 数据库未被修改 / the database was not changed.`,
      );
    }
  }

  private checkpointer: Worker | null = null;

  /**
   * Checkpoints the WAL from a worker thread with its own connection. With
   * synchronous=NORMAL SQLite syncs the WAL at checkpoints, so this bounds what a
   * power cut can lose; running it off the main thread keeps checkpoint I/O out of
   * gate decisions and event appends (the main connection's auto-checkpoint is only
   * a backstop if the worker falls behind).
   */
  startFlushTimer(intervalMs: number, onError: (message: string) => void = () => undefined): void {
    if (this.checkpointer) return;
    this.db.pragma('wal_autocheckpoint = 20000');
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.checkpointer = new Worker(CHECKPOINTER_SOURCE, {
      eval: true,
      workerData: { driver, file: this.file, intervalMs },
      // A thread that runs one pragma a second needs a sliver of a heap, not V8's defaults.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
    });
    this.checkpointer.on('message', (m: string) => onError(m));
    this.checkpointer.on('error', (err) => onError(err.message));
    this.checkpointer.unref();
  }

  private async stopFlushTimer(): Promise<void> {
    const w = this.checkpointer;
    if (!w) return;
    this.checkpointer = null;
    // Keep the process alive until the final checkpoint is done (the thread is unref'd while idle).
    w.ref();
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    w.postMessage('stop');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise<void>((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    await w.terminate();
  }

  /** A consistent online backup (SQLite backup API), safe while the daemon writes. */
  async backup(target: string): Promise<void> {
    await this.db.backup(target);
  }

  setting(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setSetting(key: string, value: string): void {
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** Synchronous unless the checkpointer thread has to be stopped first. */
  close(): void | Promise<void> {
    if (this.checkpointer) return this.stopFlushTimer().then(() => this.closeDb());
    this.closeDb();
  }

  private closeDb(): void {
    if (this.db.open) {
      try {
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        this.db.close();
      }
    }
  }
}
