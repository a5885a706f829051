import type { DomainDeps, DomainInstance } from '../modules/domain.js';
import type { ApiRouter } from '../http/router.js';
import type { EnergyConfig } from './config.js';
import { EnergyModule, type EnergyModuleOptions } from './energy-module.js';
import { energyRoutes } from './routes/index.js';

/** Energy and electrical safety as a running domain. */
export class EnergyDomain implements DomainInstance {
  readonly module: EnergyModule;

  constructor(deps: DomainDeps<EnergyConfig>, opts: EnergyModuleOptions = {}) {
    this.module = new EnergyModule(
      { config: deps.config, site: deps.site.id, log: deps.log, store: deps.store, broker: deps.broker, metrics: deps.metrics, time: deps.time, school: deps.school },
      opts,
    );
  }

  routes(api: ApiRouter): void {
    energyRoutes(api, this.module);
  }

  start(): Promise<void> {
    return this.module.start();
  }

  stop(): Promise<void> {
    return this.module.stop();
  }

  health(): string | null {
    return this.module.services ? null : 'energy not running';
  }
}
