import { join, isAbsolute, dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Clock } from '../core/clock.js';
import { openDatabase, type Db, type OpenOptions } from './open.js';
import { EventLog } from './events.js';
import { UserRepo } from './users.js';
import { SessionRepo } from './sessions.js';
import { AuditLog } from './audit.js';
import { MqttClientRepo } from './mqtt-clients.js';

export { StoreOpenError, APPLICATION_ID, openDatabase } from './open.js';
export type { Db } from './open.js';
export * from './events.js';
export * from './users.js';
export * from './sessions.js';
export * from './audit.js';
export * from './mqtt-clients.js';

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
  ) {
    const now = () => clock.now();
    this.events = new EventLog(db, site, clock);
    this.users = new UserRepo(db, now);
    this.sessions = new SessionRepo(db, now);
    this.audit = new AuditLog(db, now);
    this.mqttClients = new MqttClientRepo(db, now);
  }

  static open(opts: { dataDir: string; file: string; backupDir: string; synchronous: 'normal' | 'full'; site: string; clock: Clock; onMigrate?: OpenOptions['onMigrate'] }): Store {
    const file = isAbsolute(opts.file) ? opts.file : join(opts.dataDir, opts.file);
    const backupDir = isAbsolute(opts.backupDir) ? opts.backupDir : join(opts.dataDir, opts.backupDir);
    mkdirSync(dirname(file), { recursive: true });
    const db = openDatabase({ file, backupDir, synchronous: opts.synchronous, now: () => opts.clock.now(), onMigrate: opts.onMigrate });
    return new Store(db, file, opts.site, opts.clock);
  }

  private flushTimer: NodeJS.Timeout | null = null;
  private lastFlushedSeq = 0;

  /**
   * With synchronous=NORMAL, SQLite syncs the WAL at checkpoints: checkpointing on a
   * timer (only after writes) bounds what a power cut can lose.
   */
  startFlushTimer(intervalMs: number): void {
    this.flushTimer = setInterval(() => {
      const seq = this.events.lastSeq();
      if (seq === this.lastFlushedSeq || !this.db.open) return;
      this.lastFlushedSeq = seq;
      this.db.pragma('wal_checkpoint(PASSIVE)');
    }, intervalMs);
    this.flushTimer.unref();
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

  close(): void {
    if (this.flushTimer) clearInterval(this.flushTimer);
    if (this.db.open) {
      try {
        this.db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        this.db.close();
      }
    }
  }
}
