/**
 * Gate and dormitory access control: people and places, calendar and timetables, the
 * decision engine, the gate runtime over the device drivers, attendance, routes.
 */
export { AccessConfigSchema, type AccessConfig, type AccessConfigInput } from './config.js';
export { ACCESS_MIGRATIONS } from './migrations.js';
export { AccessModule } from './module.js';
export { AccessService, type AccessDeps } from './service.js';
export { accessRoutes } from './routes/index.js';
export { importRoster } from './roster/import.js';
export { SchoolTime } from '../school/time.js';
