import type { DomainDeps, DomainInstance } from '../modules/domain.js';
import type { ApiRouter } from '../http/router.js';
import type { EndpointsConfig } from './config.js';
import { UsbPolicyProjection } from './cloud-policy.js';
import { EndpointsModule } from './module.js';
import { endpointRoutes } from './routes.js';

/** The USB endpoint guard as a running domain: PC agents, signed policies, USB events, device requests. */
export class EndpointsDomain implements DomainInstance {
  readonly module: EndpointsModule;
  #offCloud: (() => void) | null = null;

  constructor(private readonly deps: DomainDeps<EndpointsConfig>) {
    this.module = new EndpointsModule({
      config: deps.config,
      dataDir: deps.dataDir,
      store: deps.store,
      bus: deps.bus,
      broker: deps.broker,
      tls: deps.mqttTls,
      now: () => deps.time.now(),
      every: (ms, fn) => deps.time.every(ms, fn),
      log: deps.log,
      metrics: deps.metrics,
      append: (e) => deps.appendEvent(e),
    });
  }

  routes(api: ApiRouter): void {
    endpointRoutes(api, this.module);
  }

  async start(): Promise<void> {
    await this.module.start();
    if (!this.deps.cloud.enabled) return;
    // USB policies the cloud owns become signed policy versions pushed to the PCs they target.
    const usb = new UsbPolicyProjection(() => this.module.service, this.deps.store, this.deps.log.child({ part: 'cloud' }), (kind) => this.deps.cloud.invalid(kind));
    await usb.replay(this.deps.cloud.records.all('usb_policy')).catch((err: unknown) => this.deps.log.warn({ err }, 'usb_policy replay failed'));
    this.#offCloud = this.deps.bus.on('cloud.changes', ({ changes }) => usb.apply(changes));
  }

  async stop(): Promise<void> {
    this.#offCloud?.();
    this.#offCloud = null;
    await this.module.stop();
  }

  health(): string | null {
    return this.module.failure;
  }
}
