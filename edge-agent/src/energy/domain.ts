import { defineDomain, type DomainDeps, type DomainInstance } from '../modules/domain.js';
import type { ApiRouter } from '../http/router.js';
import { EnergyConfigSchema, type EnergyConfig } from './config.js';
import { EnergyModule, type EnergyModuleOptions } from './energy-module.js';
import { ENERGY_MIGRATIONS } from './migrations.js';
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

export const energyDomain = defineDomain({
  name: 'energy',
  configKey: 'energy',
  config: EnergyConfigSchema.describe(
    'Energy and electrical safety (能耗与用电安全): Modbus meters and relay circuits, schedules with the school calendar, telemetry, alarms, reports. Guide: firmware-notes/energy-setup.md.',
  ),
  migrations: ENERGY_MIGRATIONS,
  visibility: [
    ['energy.', ['facility']],
    ['alarm.', ['facility', 'security']],
  ],
  cloudKinds: [],
  // The module's routes exist either way (they answer 503 when it is off): the demo starts it on its own buildings.
  enabled: (c) => c.enabled,
  create: (deps) => new EnergyDomain(deps),
});
