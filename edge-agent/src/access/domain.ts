import type { DomainDeps, DomainInstance } from '../modules/domain.js';
import type { ApiRouter } from '../http/router.js';
import type { CloudProjections } from './cloud/projections.js';
import type { AccessConfig } from './config.js';
import { accessRoutes } from './routes/index.js';
import { AccessService } from './service.js';

/** Gate and dormitory access as a running domain. */
export class AccessDomain implements DomainInstance {
  readonly service: AccessService;
  /** Cloud-owned records projected into the directory (null in standalone mode or before start). */
  projections: CloudProjections | null = null;
  #offChanges: (() => void) | null = null;

  constructor(private readonly deps: DomainDeps<AccessConfig>) {
    this.service = new AccessService({
      config: deps.config,
      dataDir: deps.dataDir,
      store: deps.store,
      clock: deps.clock,
      time: deps.time,
      school: deps.school,
      log: deps.log,
      appendEvent: (e) => deps.appendEvent(e),
    });
  }

  routes(api: ApiRouter): void {
    accessRoutes(api, { access: this.service });
  }

  async start(): Promise<void> {
    await this.service.start();
    if (this.deps.cloud.enabled) await this.#startProjections();
  }

  /**
   * The cloud owns rosters, cards, leaves, passes and calendar days: each applied feed page
   * is projected into the directory, and everything stored is replayed once at start so a
   * restart (or a projection that failed) converges. Loaded only with cloud sync on.
   */
  async #startProjections(): Promise<void> {
    const { CloudProjections } = await import('./cloud/projections.js');
    const projections = new CloudProjections(this.service, this.deps.cloud.records, this.deps.log.child({ part: 'cloud' }), (kind) => this.deps.cloud.invalid(kind));
    this.projections = projections;
    projections.replay();
    const { HealthReminder } = await import('./cloud/health-reminder.js');
    const reminder = new HealthReminder({
      records: this.deps.cloud.records,
      dateOf: (ms) => this.deps.school.time.local(ms).date,
      person: (id) => this.service.people.get(id),
      appendEvent: (e) => this.deps.appendEvent(e),
    });
    const offChanges = this.deps.bus.on('cloud.changes', ({ changes }) => {
      projections.apply(changes);
      reminder.changed(changes);
    });
    const offEvents = this.deps.bus.on('event.appended', (e) => void reminder.onEvent(e));
    this.#offChanges = () => {
      offChanges();
      offEvents();
    };
  }

  async stop(): Promise<void> {
    this.#offChanges?.();
    this.#offChanges = null;
    await this.service.stop();
  }

  health(): string | null {
    return this.service.ready ? null : 'access control not running';
  }
}
