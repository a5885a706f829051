import { fileURLToPath } from 'node:url';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SYSTEM_EVENTS, topics, type NewEvent } from '@campus/protocol';
import { applyEnvOverrides } from './config/load.js';
import { parseConfig, type EdgeConfig, type EdgeConfigInput } from './edge-config.js';
import { createLogger, type Logger } from './core/log.js';
import { EventBus } from './core/bus.js';
import { TrustedClock, type SyncProbe } from './core/clock.js';
import { SystemTime, timeScope, type TimeService } from './core/time.js';
import { createMetrics, type Metrics } from './core/metrics.js';
import { Store, type StoredEvent } from './store/index.js';
import type { UserRole } from './store/users.js';
import { CampusBroker } from './broker/broker.js';
import { loadOrCreateTls } from './broker/tls.js';
import { HttpApi } from './http/server.js';
import { LoginLimiter } from './http/login-limiter.js';
import { authRoutes } from './http/routes/auth.js';
import { eventRoutes } from './http/routes/events.js';
import { adminRoutes } from './http/routes/admin.js';
import { Visibility, CORE_VISIBILITY } from './http/visibility.js';
import { SecurityEventRecorder } from './modules/security-events.js';
import type { AccessService } from './access/index.js';
import type { EnergyModule, EnergyModuleOptions } from './energy/index.js';
import type { AccessDomain } from './access/domain.js';
import type { EnergyDomain } from './energy/domain.js';
import { CloudRecords } from './sync/cloud-records.js';
import { DOMAINS } from './domains.js';
import type { DomainDeps, DomainInstance } from './modules/domain.js';
import type { EdgeModule } from './modules/module.js';
import { SchoolCalendar } from './school/calendar.js';
import { SchoolTime } from './school/time.js';
import { Counter } from 'prom-client';
import { hashPassword, randomSecret, verifyPassword } from './security/password.js';
import { VERSION } from './version.js';
import { ALL_MIGRATIONS } from './migrations.js';

export interface StartEdgeOptions {
  /** Logger to use; defaults to one built from config.log. */
  logger?: Logger;
  /** Extra users to create if missing (tests and the demo). */
  users?: Array<{ username: string; password: string; roles: UserRole[]; displayName?: string; locale?: 'zh-CN' | 'en' }>;
  /** Extra broker clients to create or update (tests and the demo). */
  mqttClients?: Array<{ clientId: string; password: string; role: 'device' | 'pc-agent' | 'operator' | 'observer'; displayName?: string }>;
  clockProbe?: SyncProbe;
  wallNow?: () => number;
  /** Extra modules (the demo campus); started after the core, stopped before it. */
  modules?: (edge: EdgeContext) => EdgeModule[];
  env?: NodeJS.ProcessEnv;
  /** Energy module options (a fake clock for schedule tests). */
  energy?: EnergyModuleOptions;
  /** The edge's time service (tests pass a fake clock); default: timers on the trusted clock. */
  time?: TimeService;
}

/** What modules receive: the edge's shared services, passed in, never global. */
export interface EdgeContext {
  config: EdgeConfig;
  log: Logger;
  bus: EventBus;
  clock: TrustedClock;
  store: Store;
  broker: CampusBroker;
  http: HttpApi;
  metrics: Metrics;
  /** Ports the broker listens on (resolved when configured as 0). */
  mqttPorts: { port: number; tlsPort: number | null; wssPort: number | null };
  /** Appends an event; it is then published on MQTT and pushed to panels. */
  appendEvent(e: NewEvent): StoredEvent;
  /** Gate access: people, gates, decisions, attendance. */
  access: AccessService;
  /**
   * The energy domain; its services are null unless energy.enabled. With energy off it is
   * loaded only when first needed: `await loadDomain('energy')` before reading this.
   */
  readonly energy: EnergyModule;
  /** The school's shared facts: one calendar and one school-local time. */
  school: { time: SchoolTime; calendar: SchoolCalendar };
  /** The edge's time service. */
  time: TimeService;
  /** The instance of every registered domain loaded so far (every enabled one; a disabled one once first needed), by name. */
  domains: ReadonlyMap<string, DomainInstance>;
  /** Loads a registered domain that is off (it is not started: its routes answer that it is not running). */
  loadDomain(name: string): Promise<DomainInstance>;
}

export interface Edge extends EdgeContext {
  httpUrl: string;
  mqtt: { port: number; tlsPort: number | null; wssPort: number | null; tlsFingerprint256: string | null; tlsCert: string | null };
  /** Set when the first admin was created with a generated password (shown once). */
  bootstrapPassword: string | null;
  stop(): Promise<void>;
}

const energyDef = DOMAINS.find((d) => d.name === 'energy');
/** The energy domain with the edge's options (a fake clock for schedule tests). */
const createEnergy = async (deps: DomainDeps<never>, opts: EnergyModuleOptions | undefined): Promise<DomainInstance> => new (await import('./energy/domain.js')).EnergyDomain(deps, opts);

export function defaultPanelDir(): string {
  return fileURLToPath(new URL('../../web-panel/dist', import.meta.url));
}

/**
 * The composition root: the ONLY place that builds and wires the edge. Order:
 * config → logger → clock → store → broker → HTTP → modules; stop in reverse.
 * Start-up refusals (bad config, foreign database) throw before anything listens.
 */
export async function startEdge(input: EdgeConfigInput | EdgeConfig, opts: StartEdgeOptions = {}): Promise<Edge> {
  const config = parseConfig(applyEnvOverrides(input, opts.env ?? {}));
  const log = opts.logger ?? createLogger({ level: config.log.level });
  const metrics = createMetrics();
  const bus = new EventBus(log.child({ mod: 'bus' }));
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });

  let store: Store | null = null;
  const clock = new TrustedClock({
    mode: config.clock.trust,
    wallNow: opts.wallNow,
    probe: opts.clockProbe,
    onChange: (c) => {
      metrics.clockTrusted.set(c.trusted ? 1 : 0);
      bus.emit('clock.changed', c);
      if (!store) return;
      if (c.jumpMs !== undefined && c.jumpMs < 0) {
        append({ type: SYSTEM_EVENTS.clockStatus, reason: 'clock.backwards', severity: 'warning', source: 'clock', data: { deltaMs: -c.jumpMs } });
      } else if (c.jumpMs === undefined) {
        append({ type: SYSTEM_EVENTS.clockStatus, reason: c.trusted ? 'clock.synchronized' : 'clock.untrusted', severity: c.trusted ? 'info' : 'warning', source: 'clock', data: { source: c.source } });
      }
    },
  });
  await clock.check();
  metrics.clockTrusted.set(clock.trusted() ? 1 : 0);

  const storeLog = log.child({ mod: 'store' });
  store = Store.open({ migrations: ALL_MIGRATIONS,
    dataDir,
    file: config.store.file,
    backupDir: config.store.backupDir,
    synchronous: config.store.synchronous,
    site: config.site.id,
    clock,
    dataKeyFile: config.store.dataKeyFile,
    onMigrate: (m) => storeLog.info(m, 'database migrated'),
  });
  const theStore = store;
  if (config.store.synchronous === 'normal') store.startFlushTimer(config.store.flushIntervalMs, (message) => storeLog.warn({ message }, 'WAL checkpoint failed'));
  const cleanup: Array<() => Promise<void> | void> = [() => theStore.close()];
  const fail = async (err: unknown): Promise<never> => {
    for (const c of cleanup.reverse()) await Promise.resolve(c()).catch(() => undefined);
    throw err;
  };

  let bootstrapPassword: string | null = null;
  try {
    if (store.users.count() === 0) {
      const pw = config.auth.bootstrapAdmin.password ?? randomSecret(12);
      if (!config.auth.bootstrapAdmin.password) bootstrapPassword = pw;
      store.users.create({ username: config.auth.bootstrapAdmin.username, displayName: '管理员', roles: ['admin'], passwordHash: await hashPassword(pw) });
    }
    for (const u of opts.users ?? []) {
      const existing = store.users.credentials(u.username);
      if (existing && (await verifyPassword(u.password, existing.passwordHash))) store.users.update(existing.user.id, { roles: u.roles });
      else if (existing) store.users.update(existing.user.id, { roles: u.roles, passwordHash: await hashPassword(u.password) });
      else store.users.create({ username: u.username, displayName: u.displayName ?? u.username, roles: u.roles, locale: u.locale, passwordHash: await hashPassword(u.password) });
    }
    for (const c of opts.mqttClients ?? []) {
      const existing = store.mqttClients.credentials(c.clientId);
      const same = existing && existing.record.role === c.role && existing.record.enabled && (await verifyPassword(c.password, existing.passwordHash));
      if (!same) store.mqttClients.upsert({ clientId: c.clientId, role: c.role, displayName: c.displayName ?? c.clientId, passwordHash: await hashPassword(c.password) });
    }
  } catch (err) {
    await fail(err);
  }

  let http: HttpApi | null = null;
  const append = (e: NewEvent): StoredEvent => theStore.events.append(e);
  theStore.events.onAppended((e) => {
    metrics.eventsAppended.inc({ type_prefix: e.type.split('.')[0] ?? e.type });
    bus.emit('event.appended', e);
  });

  const security = new SecurityEventRecorder(store.events, log.child({ mod: 'security' }), metrics, () => clock.now());
  const tls = config.mqtt.tls.enabled
    ? await loadOrCreateTls({ dataDir, certFile: config.mqtt.tls.certFile, keyFile: config.mqtt.tls.keyFile, siteName: config.site.name }).catch(fail)
    : null;
  const broker = new CampusBroker({
    host: config.mqtt.host,
    port: config.mqtt.port,
    tls: tls ? { port: config.mqtt.tls.port, cert: tls.cert, key: tls.key } : null,
    websocket: config.mqtt.websocket.enabled ? { port: config.mqtt.websocket.port, path: config.mqtt.websocket.path } : null,
    maxPayloadBytes: config.mqtt.maxPayloadBytes,
    maxTopicLevels: config.mqtt.maxTopicLevels,
    queueLimit: config.mqtt.queueLimit,
    connectTimeoutMs: config.mqtt.connectTimeoutMs,
    clients: store.mqttClients,
    log: log.child({ mod: 'broker' }),
    now: () => clock.now(),
    onRefused: (r) => security.record(r),
    onPresence: (p) => {
      metrics.mqttClients.set(broker.clientCount);
      bus.emit('client.presence', { ...p, at: clock.now() });
    },
    onMessage: (topic, payload, clientId, role) => {
      metrics.mqttMessagesIn.inc();
      bus.emit('mqtt.message', { topic, payload, clientId, role, at: clock.now() });
    },
  });
  const mqttPorts = await broker.listen().catch(fail);
  cleanup.push(() => broker.close());

  // The school's shared facts and the time service, one of each for every domain.
  const time = opts.time ?? new SystemTime(() => clock.now(), (err) => log.error({ err }, 'timer failed'));
  const schoolTime = new SchoolTime(config.school.timeZone);
  const calendar = new SchoolCalendar(store.db, schoolTime, config.school.schoolDays);
  calendar.seed(config.school.calendar);
  const school = { time: schoolTime, calendar };

  // Cloud-owned records as the change feed stored them; the domains that apply a kind hear of each page on the bus.
  const cloudRecords = new CloudRecords(store.db, store.vault);
  cloudRecords.sealLegacy();
  cloudRecords.onApplied((changes) => bus.emit('cloud.changes', { changes }));
  const cloudInvalid = new Counter({ name: 'campus_edge_sync_records_invalid_total', help: 'Cloud records the edge could not apply (logged)', labelNames: ['kind'], registers: [metrics.registry] });

  // Every registered domain has its config section, migrations and visibility (above); its implementation is loaded
  // only when it runs: an enabled domain is created here and started below; a disabled one when first needed (a request
  // under its /api/<name>/ routes, which then answer 503 while it is not running, the OpenAPI document, or loadDomain).
  const domainState = new Map<string, string>();
  const instances = new Map<string, DomainInstance>();
  const slots = DOMAINS.map((def) => {
    const section = (config as unknown as Record<string, unknown>)[def.configKey];
    const scope = timeScope(time);
    const deps: DomainDeps<never> = {
      config: section as never,
      site: config.site,
      dataDir,
      store: theStore,
      bus,
      broker,
      time: scope,
      clock,
      school,
      log: log.child({ mod: def.name }),
      metrics,
      appendEvent: append,
      cloud: { enabled: config.cloud.enabled, records: cloudRecords, invalid: (kind) => cloudInvalid.inc({ kind }) },
      mqttTls: tls && mqttPorts.tlsPort !== null ? { port: mqttPorts.tlsPort, fingerprint256: tls.fingerprint256 } : null,
    };
    const create = def === energyDef ? (d: DomainDeps<never>) => createEnergy(d, opts.energy) : (def.create as (d: DomainDeps<never>) => Promise<DomainInstance>);
    return { def, deps, scope, create, enabled: (def.enabled as (c: unknown) => boolean)(section), load: null as (() => Promise<void>) | null };
  });
  const visibility = new Visibility([...CORE_VISIBILITY, ...DOMAINS.flatMap((d) => d.visibility)]);

  const panelDir = config.http.panelDir ? resolve(config.http.panelDir) : defaultPanelDir();
  http = new HttpApi({
    store,
    log: log.child({ mod: 'http' }),
    metrics,
    maxBodyBytes: config.http.maxBodyBytes,
    panelDir,
    version: VERSION,
    cloudOwnsRecords: config.cloud.enabled,
    visibility,
    health: () => ({
      store: theStore.db.open ? null : 'database closed',
      broker: broker.aedes.closed ? 'broker closed' : null,
      // Each enabled domain: "starting" until its start() has returned, then its own health.
      ...Object.fromEntries(
        slots
          .filter((d) => d.enabled)
          .map(({ def }) => [`domain:${def.name}`, domainState.get(def.name) === 'started' ? (instances.get(def.name)?.health?.() ?? null) : (domainState.get(def.name) ?? 'starting')]),
      ),
    }),
  });
  const limiter = new LoginLimiter(config.auth.maxFailedLogins, config.auth.lockoutSeconds * 1000, () => clock.now());
  authRoutes(http.api, { store, limiter, sessionTtlMs: config.http.sessionTtlHours * 3600_000, secureCookies: config.http.secureCookies });
  eventRoutes(http.api, { store, visibility });
  adminRoutes(http.api, { store, broker, site: config.site, version: VERSION, clock, tlsFingerprint: tls?.fingerprint256 ?? null });
  // Each domain's routes under /api/<name>/, declared when its implementation is loaded.
  for (const slot of slots) {
    slot.load = http.api.lazy(`/api/${slot.def.name}`, async (api) => {
      const instance = await slot.create(slot.deps);
      instance.routes?.(api);
      instances.set(slot.def.name, instance);
    });
  }
  const loadDomain = async (name: string): Promise<DomainInstance> => {
    const slot = slots.find((d) => d.def.name === name);
    if (!slot) throw new Error(`no domain named ${name}`);
    await slot.load!();
    return instances.get(name)!;
  };
  // The enabled domains are loaded now, in registration order; one that cannot be loaded is shown in /healthz like one that fails to start.
  for (const slot of slots.filter((d) => d.enabled)) {
    await slot.load!().catch((err: unknown) => {
      domainState.set(slot.def.name, `failed: ${(err as Error).message}`);
      log.error({ err, module: slot.def.name }, 'module failed to load; the rest keep running');
    });
  }
  const theHttp = http;
  // Live fan-out of every committed event: MQTT and the panel.
  bus.on('event.appended', (e) => {
    theHttp.broadcastEvent(e);
    const { seq: _s, recordedAt: _r, ...env } = e;
    return broker.publish(topics.event(e.type), env, { qos: 0 }).catch((err: unknown) => log.warn({ err }, 'event publish failed'));
  });
  bus.on('client.presence', (p) => {
    theHttp.broadcastDevice({ clientId: p.clientId, online: p.online, lastSeen: p.at });
  });

  const access = (instances.get('access') as AccessDomain | undefined)?.service;
  if (!access) await fail(new Error(`access control could not be loaded: ${domainState.get('access') ?? 'unknown'}`));
  const ctx: EdgeContext = {
    config,
    log,
    bus,
    clock,
    store,
    broker,
    http,
    metrics,
    mqttPorts,
    appendEvent: append,
    access: access!,
    get energy(): EnergyModule {
      const d = instances.get('energy') as EnergyDomain | undefined;
      if (!d) throw new Error("the energy domain is off and not loaded yet: await loadDomain('energy') first");
      return d.module;
    },
    school,
    time,
    domains: instances,
    loadDomain,
  };
  const extras = opts.modules?.(ctx) ?? [];
  http.finish();
  const httpPort = await http.listen(config.http.host, config.http.port).catch(fail);
  cleanup.push(() => theHttp.close());

  const stopClockCheck = time.every(config.clock.checkIntervalSeconds * 1000, () => {
    clock.check().catch((err: unknown) => log.warn({ err }, 'clock check failed'));
    metrics.busListenerErrors.set(bus.errors);
    metrics.storeEvents.set(theStore.events.lastSeq());
    try {
      metrics.storeBytes.set(statSync(theStore.file).size);
    } catch {
      /* file moved: health will say so */
    }
  });
  cleanup.push(() => stopClockCheck());

  // Domains start in registration order (then the extras: the demo campus); one that fails
  // is logged and shown in /healthz while the rest keep running; stop runs in reverse.
  const started: Array<{ name: string; stop(): void | Promise<void> }> = [];
  const run = [
    ...slots
      .filter((d) => d.enabled && instances.has(d.def.name))
      .map(({ def, scope }) => {
        const instance = instances.get(def.name)!;
        return { name: def.name, start: () => instance.start(), stop: async () => {
          await instance.stop();
          scope.dispose();
        } };
      }),
    ...extras.map((m: EdgeModule) => ({ name: m.name, start: () => m.start(), stop: () => m.stop() })),
  ];
  for (const m of run) {
    try {
      await m.start();
      started.push(m);
      domainState.set(m.name, 'started');
      metrics.moduleUp.set({ module: m.name }, 1);
    } catch (err) {
      domainState.set(m.name, `failed: ${(err as Error).message}`);
      metrics.moduleUp.set({ module: m.name }, 0);
      log.error({ err, module: m.name }, 'module failed to start; the rest keep running');
    }
  }
  cleanup.push(async () => {
    for (const m of [...started].reverse()) {
      try {
        await m.stop();
      } catch (err) {
        log.error({ err, module: m.name }, 'module failed to stop');
      }
    }
  });

  append({ type: SYSTEM_EVENTS.started, reason: 'system.started', source: 'edge', data: { version: VERSION, clockTrusted: clock.trusted() } });
  if (!clock.trusted()) {
    append({ type: SYSTEM_EVENTS.clockStatus, reason: 'clock.untrusted', severity: 'warning', source: 'clock', data: { source: clock.source() } });
  }
  const hostForUrl = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  log.info({ http: httpPort, mqtt: mqttPorts.port, mqtts: mqttPorts.tlsPort, wss: mqttPorts.wssPort, dataDir }, 'edge started');

  let stopping: Promise<void> | null = null;
  // The context itself becomes the edge (a spread would read its lazy getters now).
  const edge: Edge = Object.assign(ctx, {
    httpUrl: `http://${hostForUrl}:${httpPort}`,
    mqtt: { port: mqttPorts.port, tlsPort: mqttPorts.tlsPort, wssPort: mqttPorts.wssPort, tlsFingerprint256: tls?.fingerprint256 ?? null, tlsCert: tls?.cert ?? null },
    bootstrapPassword,
    stop: () => {
      stopping ??= (async () => {
        try {
          append({ type: SYSTEM_EVENTS.stopped, reason: 'system.stopped', source: 'edge', data: {} });
        } catch {
          /* store may already be closed */
        }
        // Reverse order: modules, HTTP, clock, broker, store last (so nothing writes after close).
        const steps = [...cleanup].reverse();
        for (const step of steps) {
          try {
            await step();
          } catch (err) {
            log.error({ err }, 'shutdown step failed');
          }
        }
        log.info('edge stopped');
        log.flush?.();
      })();
      return stopping;
    },
  });
  return edge;
}

export function dataPath(config: EdgeConfig, ...parts: string[]): string {
  return join(resolve(config.dataDir), ...parts);
}

export function isInitialised(config: EdgeConfig): boolean {
  return existsSync(join(resolve(config.dataDir), config.store.file));
}
