import type { ComponentType } from 'react';
import type { ConsoleMessageId } from './messages';

/** Staff roles of the cloud (cloud-sync/src/server/staff/roles.ts); the console names them only as strings. */
export type ConsoleRole =
  | 'school_admin'
  | 'office'
  | 'head_teacher'
  | 'teacher'
  | 'transport_manager'
  | 'nurse'
  | 'facility_supervisor'
  | 'it'
  | 'district_admin'
  | 'district_viewer';

export interface ConsolePage {
  /** Path under /console/. */
  path: string;
  label: ConsoleMessageId;
  /** Roles that see it in the menu (the API checks again on every call). */
  roles: readonly ConsoleRole[];
  load: () => Promise<{ default: ComponentType }>;
}

const OFFICE: readonly ConsoleRole[] = ['school_admin', 'office'];
/** The school bus (校车): the transport manager and the school admin (cloud-sync BUS_STAFF). */
const BUS: readonly ConsoleRole[] = ['school_admin', 'transport_manager'];

/** The console's pages, registered for the cloud host; the menu shows those a role may use. */
export const consolePages: ConsolePage[] = [
  // The landing page of the bus, health and facility roles: what they can do, and where.
  { path: 'home', label: 'console.menu.home', roles: ['transport_manager', 'nurse', 'facility_supervisor'], load: () => import('./home/RoleHomePage') },
  { path: 'people', label: 'console.menu.people', roles: OFFICE, load: () => import('./people/PeoplePage') },
  { path: 'edges', label: 'console.menu.edges', roles: ['school_admin', 'it', 'district_admin', 'district_viewer'], load: () => import('./edges/EdgesPage') },
  { path: 'cards', label: 'console.menu.cards', roles: OFFICE, load: () => import('./records/CardsPage') },
  { path: 'calendar', label: 'console.menu.calendar', roles: OFFICE, load: () => import('./records/CalendarPage') },
  { path: 'timetables', label: 'console.menu.timetables', roles: OFFICE, load: () => import('./records/TimetablesPage') },
  { path: 'leaves', label: 'console.menu.leaves', roles: OFFICE, load: () => import('./records/LeavesPage') },
  { path: 'guardians', label: 'console.menu.guardians', roles: OFFICE, load: () => import('./records/GuardiansPage') },
  { path: 'my-class', label: 'console.menu.my_class', roles: ['head_teacher'], load: () => import('./classes/MyClassPage') },
  { path: 'usb', label: 'console.menu.usb', roles: ['school_admin', 'it'], load: () => import('./records/UsbPage') },
  { path: 'open-data', label: 'console.menu.open', roles: ['school_admin'], load: () => import('./open/OpenDataPage') },
  { path: 'accounts', label: 'console.menu.accounts', roles: ['school_admin', 'district_admin'], load: () => import('./accounts/AccountsPage') },
  { path: 'bus', label: 'console.menu.bus', roles: BUS, load: () => import('./bus/BusRecordsPage') },
  { path: 'bus-requests', label: 'console.menu.bus_requests', roles: BUS, load: () => import('./bus/BusRequestsPage') },
  { path: 'bus-live', label: 'console.menu.bus_live', roles: BUS, load: () => import('./bus/BusLivePage') },
  { path: 'bus-reports', label: 'console.menu.bus_reports', roles: BUS, load: () => import('./bus/BusReportsPage') },
  { path: 'district', label: 'console.menu.district', roles: ['district_admin', 'district_viewer', 'school_admin'], load: () => import('./district/DistrictPage') },
];

export const pagesFor = (roles: readonly string[]): ConsolePage[] => consolePages.filter((p) => p.roles.some((r) => roles.includes(r)));
