export { EnergyModule, type EnergyModuleDeps, type EnergyModuleOptions, type EnergyServices } from './energy-module.js';
export { energyRoutes } from './routes/index.js';
export { EnergyConfigSchema, type EnergyConfig, type EnergyConfigInput } from './config.js';
export { type TimerClock } from './time/timers.js';
