import type { ApiRouter } from '../../http/router.js';
import { attendanceRoutes } from './attendance.js';
import { calendarRoutes } from './calendar.js';
import { gateRoutes } from './gates.js';
import { leaveAndPassRoutes } from './leaves-passes.js';
import { peopleRoutes } from './people.js';
import type { AccessRouteDeps } from './shared.js';

/** Every /api/access route (documented in docs/access-api.md). */
export function accessRoutes(api: ApiRouter, deps: AccessRouteDeps): void {
  peopleRoutes(api, deps);
  gateRoutes(api, deps);
  calendarRoutes(api, deps);
  leaveAndPassRoutes(api, deps);
  attendanceRoutes(api, deps);
}
