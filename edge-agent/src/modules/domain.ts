import type { z } from 'zod';
import type { NewEvent } from '@campus/protocol';
import type { RecordKind } from '@campus/protocol/sync/records';
import type { ChangeApplier } from '@campus/cloud-sync/client';
import type { CampusBroker } from '../broker/broker.js';
import type { EventBus } from '../core/bus.js';
import type { TrustedClock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { ScopedTime } from '../core/time.js';
import type { ApiRouter } from '../http/router.js';
import type { SchoolCalendar } from '../school/calendar.js';
import type { SchoolTime } from '../school/time.js';
import type { Migration } from '../store/migrations.js';
import type { Store, StoredEvent } from '../store/index.js';
import type { UserRole } from '../store/users.js';

/** The school's shared facts, one copy for every domain: school-local time and the one calendar. */
export interface SchoolFacts {
  time: SchoolTime;
  calendar: SchoolCalendar;
}

/** Cloud-owned records as the change feed stored them (read-only for domains). */
export interface CloudRecordReader {
  get(kind: string, key: string): Record<string, unknown> | undefined;
  all(kind: string): Array<{ key: string; data: Record<string, unknown>; feedSeq: number }>;
}

/** What the edge tells a domain about the cloud link. */
export interface CloudLink {
  /** Cloud sync is configured: cloud-owned records come down the change feed (bus `cloud.changes`). */
  enabled: boolean;
  /** Every stored cloud record, for a replay at start (so a restart converges); the sync domain also applies feed pages to it. */
  records: CloudRecordReader & ChangeApplier & { count(): number };
  /** Counts a record a domain could not apply (exported as a metric with its kind). */
  invalid(kind: string): void;
}

/**
 * What every domain receives in `create(deps)`: the edge's shared services, narrow and
 * typed, never the whole edge and never another domain. Its own config section
 * arrives as `config`.
 */
export interface DomainDeps<C> {
  config: C;
  site: { id: string; name: string };
  dataDir: string;
  store: Store;
  bus: EventBus;
  broker: CampusBroker;
  /** Wall time and timers: a scope of the edge's time service, disposed when the domain stops. */
  time: ScopedTime;
  /** Whether wall time is trusted (NTP or the cloud); domains read `now` from `time`. */
  clock: Pick<TrustedClock, 'trusted' | 'now' | 'monotonicNow' | 'source' | 'correctFrom'>;
  school: SchoolFacts;
  log: Logger;
  metrics: Metrics;
  appendEvent(e: NewEvent): StoredEvent;
  cloud: CloudLink;
  /** The broker's TLS endpoint (null when MQTT over TLS is off). */
  mqttTls: { port: number; fingerprint256: string } | null;
}

/** A running domain. */
export interface DomainInstance {
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
  /** Declares its HTTP routes (each write route states its owner: see RouteSpec.owner). Called before start. */
  routes?(api: ApiRouter): void;
  /** A readiness problem for /healthz after start (null when fine). */
  health?(): string | null;
}

/** Which roles see events whose type starts with `prefix` (admin sees all). */
export type VisibilityRule = readonly [prefix: string, roles: readonly UserRole[]];

/**
 * Everything the edge needs to know about a domain, declared in the domain's own
 * folder (`src/<domain>/definition.ts`) and registered by one line in `src/domains.ts`.
 * The composition root loops over the registered domains: migrations, config
 * sections, visibility, cloud record kinds, routes, start and stop.
 *
 * A definition is cheap and static: it imports its config schema and migrations, never
 * its implementation. `create` loads the implementation (`await import('./domain.js')`),
 * so a box loads only the code of the domains it runs: an enabled domain is created at
 * start; a disabled one when first needed (a request under its `/api/<name>/` routes, the
 * OpenAPI document, or `Edge.loadDomain`).
 */
export interface DomainDefinition<Name extends string = string, Key extends string = string, S extends z.ZodType = z.ZodType, I extends DomainInstance = DomainInstance> {
  /** Stable id: module name in logs, metrics and /healthz. */
  readonly name: Name;
  /** The key of its config section (usually its name). */
  readonly configKey: Key;
  /** Its config section: strict schema with defaults and descriptions (docs/configuration.md is generated from it). */
  readonly config: S;
  /** Its migrations, ids "<domain>.<NNN>", applied after core and school ones in registration order. */
  readonly migrations: readonly Migration[];
  /** Which roles see its events in the live feed and the events API. */
  readonly visibility: readonly VisibilityRule[];
  /** Cloud record kinds it applies (it listens to the bus `cloud.changes` for them). */
  readonly cloudKinds: readonly RecordKind[];
  /** Whether it runs with this configuration. */
  enabled(config: z.output<S>): boolean;
  /**
   * Loads the implementation (dynamic `import()`) and builds the domain: the constructor
   * stores its dependencies, start() does the work. Its routes live under `/api/<name>/`.
   */
  create(deps: DomainDeps<z.output<S>>): Promise<I>;
}

/** Declares a domain with its types inferred (names stay literal for the config type). */
export function defineDomain<const Name extends string, const Key extends string, S extends z.ZodType, I extends DomainInstance>(
  d: DomainDefinition<Name, Key, S, I>,
): DomainDefinition<Name, Key, S, I> {
  return d;
}
