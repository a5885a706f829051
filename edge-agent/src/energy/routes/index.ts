import type { ApiRouter } from '../../http/router.js';
import type { EnergyModule } from '../energy-module.js';
import { alarmRoutes } from './alarm-routes.js';
import { circuitRoutes } from './circuit-routes.js';
import { liveRoutes } from './live-routes.js';
import { reportRoutes } from './report-routes.js';
import { scheduleRoutes } from './schedule-routes.js';

/** Every energy route; they answer 503 while the module is not running. */
export function energyRoutes(api: ApiRouter, energy: EnergyModule): void {
  liveRoutes(api, energy);
  reportRoutes(api, energy);
  circuitRoutes(api, energy);
  scheduleRoutes(api, energy);
  alarmRoutes(api, energy);
}
