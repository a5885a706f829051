import type { ApiRouter } from '../http/router.js';
import type { DomainDeps, DomainInstance } from '../modules/domain.js';
import type { BusConfig } from './config.js';
import { busRoutes } from './routes.js';
import { BusService } from './service.js';
import '@campus/protocol/bus/index';

/** The school bus as a running domain (the bus box profile: bus.enabled). */
export class BusDomain implements DomainInstance {
  service: BusService | null = null;

  constructor(private readonly deps: DomainDeps<BusConfig>) {}

  routes(api: ApiRouter): void {
    busRoutes(api, this);
  }

  async start(): Promise<void> {
    const service = new BusService(this.deps);
    await service.start();
    this.service = service;
  }

  async stop(): Promise<void> {
    await this.service?.stop();
  }

  health(): string | null {
    return this.service ? this.service.health() : 'school bus not running';
  }
}
