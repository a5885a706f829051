import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { NewEvent } from '@campus/protocol';
import '@campus/protocol/access/index';
import type { Logger } from '../core/log.js';
import type { Clock } from '../core/clock.js';
import type { TimeService } from '../core/time.js';
import type { Store, StoredEvent } from '../store/index.js';
import { DataVault } from '../security/vault.js';
import { Attendance } from './attendance.js';
import type { SchoolCalendar } from '../school/calendar.js';
import { Curfews } from './calendar.js';
import type { AccessConfig } from './config.js';
import { AccessEngine } from './engine.js';
import { GateHardware } from './gates/hardware.js';
import { GateRuntime } from './gates/runtime.js';
import { loadAccessKeys, type AccessKeys } from './keys.js';
import { Leaves } from './leaves.js';
import { DEFAULT_ZONE_ROLES, type Gate, type Zone } from './model.js';
import { Passback } from './passback.js';
import { Passes } from './passes.js';
import { People } from './people.js';
import { DecisionRecorder } from './recorder.js';
import type { SchoolTime } from '../school/time.js';
import './messages.js';

export interface AccessDeps {
  config: AccessConfig;
  dataDir: string;
  store: Store;
  clock: Clock;
  /** Timers (attendance sweep, directory reload): the edge's time service, never raw setInterval. */
  time: Pick<TimeService, 'every' | 'after'>;
  log: Logger;
  appendEvent(e: NewEvent): StoredEvent;
  /** The school's shared facts: one calendar and one school-local time for every domain. */
  school: { time: SchoolTime; calendar: SchoolCalendar };
}

/**
 * The access domain assembled: the in-memory directory (people, leaves, passes,
 * anti-passback, calendar) over SQLite, the decision engine, the gate runtime and its
 * hardware, attendance. Routes and the CLI talk to this; nothing here is global.
 */
export class AccessService {
  readonly config: AccessConfig;
  readonly time: SchoolTime;
  readonly people: People;
  readonly leaves: Leaves;
  readonly passes: Passes;
  readonly passback: Passback;
  readonly calendar: SchoolCalendar;
  readonly curfews: Curfews;
  readonly attendance: Attendance;
  readonly zones = new Map<string, Zone>();
  readonly gates = new Map<string, Gate>();
  readonly photosDir: string;
  keys: AccessKeys | null = null;
  runtime: GateRuntime | null = null;
  engine: AccessEngine | null = null;
  hardware: GateHardware | null = null;
  #ready = false;
  #timers: Array<() => void> = [];
  #dataVersion = 0;

  constructor(private readonly d: AccessDeps) {
    this.config = d.config;
    const db = d.store.db;
    const now = () => d.clock.now();
    this.time = d.school.time;
    this.people = new People(db, now, d.store.vault);
    this.leaves = new Leaves(db, now);
    this.passes = new Passes(db, now, d.store.vault);
    this.passback = new Passback(db);
    this.calendar = d.school.calendar;
    this.curfews = new Curfews(db);
    this.attendance = new Attendance(db, this.people, this.leaves, this.calendar, (events) => d.store.events.appendMany(events));
    this.photosDir = join(d.dataDir, 'photos');
    for (const z of d.config.zones) {
      this.zones.set(z.id, { ...z, roles: new Set(z.roles ?? DEFAULT_ZONE_ROLES[z.kind]) });
    }
    for (const g of d.config.gates) {
      this.gates.set(g.id, { id: g.id, no: g.no, name: g.name, zone: this.zones.get(g.zone)!, directions: new Set(g.directions) });
    }
  }

  get ready(): boolean {
    return this.#ready;
  }

  get db(): Store['db'] {
    return this.d.store.db;
  }

  /** An entry in the edge's audit log (who read or changed what). */
  audit(e: Parameters<Store['audit']['record']>[0]): void {
    this.d.store.audit.record(e);
  }

  /** Seals minors' sensitive data at rest (phone numbers, photos). */
  get vault(): Store['vault'] {
    return this.d.store.vault;
  }

  get log(): Logger {
    return this.d.log;
  }

  now(): number {
    return this.d.clock.now();
  }

  append(e: NewEvent): StoredEvent {
    return this.d.appendEvent(e);
  }

  /** Data written before encryption at rest existed (an upgraded edge) is sealed once, at start. */
  #sealLegacy(): void {
    const phones = this.people.sealLegacy() + this.passes.sealLegacy();
    let photos = 0;
    for (const name of readdirSync(this.photosDir)) {
      if (!/\.(jpg|png)$/.test(name)) continue;
      const file = join(this.photosDir, name);
      if (DataVault.isSealedFileAt(file)) continue;
      writeFileSync(`${file}.tmp`, this.vault.sealFile(readFileSync(file)), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
      photos++;
    }
    if (phones + photos > 0) this.d.log.info({ phones, photos }, 'sealed personal data written before encryption at rest');
  }

  async start(): Promise<void> {
    const keysDir = isAbsolute(this.config.keysDir) ? this.config.keysDir : resolve(this.d.dataDir, this.config.keysDir);
    this.keys = await loadAccessKeys(this.config, keysDir);
    mkdirSync(this.photosDir, { recursive: true, mode: 0o700 });
    this.#sealLegacy();
    this.loadDirectory();
    const recorder = new DecisionRecorder((e) => this.d.appendEvent(e), this.people, this.config.unidentifiedEventWindowMs);
    const engine = new AccessEngine({
      keyring: this.keys.keyring,
      keyKinds: this.keys.keyKinds,
      people: this.people,
      leaves: this.leaves,
      passes: this.passes,
      passback: this.passback,
      calendar: this.calendar,
      curfews: this.curfews,
      fireAlarmActive: () => runtime.fireActive(),
      clockToleranceMs: this.config.clockToleranceMs,
    });
    this.engine = engine;
    const runtime: GateRuntime = new GateRuntime({
      gates: this.gates,
      engine,
      recorder,
      people: this.people,
      passes: this.passes,
      passback: this.passback,
      attendance: this.attendance,
      now: () => this.d.clock.now(),
      after: (ms, fn) => this.d.time.after(ms, fn),
      append: (e) => this.d.appendEvent(e),
      log: this.d.log,
      offlineAfterMs: this.config.deviceOfflineAfterMs,
    });
    this.runtime = runtime;
    this.hardware = new GateHardware(this.config, this.d.log.child({ mod: 'gates' }), runtime, (ms, fn) => this.d.time.every(ms, fn));
    runtime.attach(this.hardware);
    this.hardware.start();
    this.#ready = true;
    this.#every(this.config.attendanceSweepSeconds * 1000, () => {
      const now = this.d.clock.now();
      this.attendance.sweep(now);
      this.leaves.prune(now);
      this.passes.prune(now);
    });
    // Another process (the CLI's roster import, a sync worker) wrote to the database: reload the maps.
    this.#dataVersion = this.#readDataVersion();
    this.#every(2000, () => {
      const v = this.#readDataVersion();
      if (v !== this.#dataVersion) {
        this.#dataVersion = v;
        this.loadDirectory();
        this.d.log.info('access directory reloaded after an external change');
      }
    });
    this.d.log.info(
      { people: this.people.size, passes: this.passes.size, gates: this.gates.size, readers: this.config.readers.length, keys: this.keys.keyring.kids },
      'access control started',
    );
  }

  async stop(): Promise<void> {
    this.#ready = false;
    for (const cancel of this.#timers.splice(0)) cancel();
    this.runtime?.stop();
    await this.hardware?.stop();
  }

  /** (Re)loads every hot map from SQLite. */
  loadDirectory(): void {
    this.people.load();
    this.leaves.load();
    this.passes.load();
    this.passback.load();
    this.calendar.load();
    this.curfews.load();
  }

  /** Dormitory zones by id and by name, for roster import. */
  dormitories(): Map<string, string> {
    const m = new Map<string, string>();
    for (const z of this.zones.values()) {
      if (z.kind !== 'dormitory') continue;
      m.set(z.id, z.id);
      m.set(z.name, z.id);
    }
    return m;
  }

  #readDataVersion(): number {
    return this.d.store.db.pragma('data_version', { simple: true }) as number;
  }

  #every(ms: number, fn: () => void): void {
    this.#timers.push(
      this.d.time.every(ms, () => {
        try {
          fn();
        } catch (err) {
          this.d.log.error({ err }, 'access timer failed');
        }
      }),
    );
  }
}
