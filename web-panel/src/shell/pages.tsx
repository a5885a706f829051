import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';
import { ApiOutlined, BellOutlined, UsbOutlined } from '@ant-design/icons';
import { AuditOutlined, ControlOutlined, IdcardOutlined, ScanOutlined, ScheduleOutlined } from '@ant-design/icons';
import { AlertOutlined, BarChartOutlined, CalendarOutlined, ClockCircleOutlined, PoweroffOutlined, ThunderboltOutlined } from '@ant-design/icons';
import type { PanelMessageId } from '../i18n/messages';
import type { LandingOrder, PageAccess } from './access';

/**
 * The panel's one page table: the menu, the access check and the router all read it.
 * A new module (门禁, 考勤, 能耗, 终端管控) attaches by adding an entry here.
 */
export interface PanelPage extends PageAccess {
  /** The URL hash path: #/events */
  path: string;
  menuLabel: PanelMessageId;
  icon: ReactNode;
  /** Loaded on first visit, so the sign-in page does not wait for tables and charts. */
  Page: LazyExoticComponent<ComponentType>;
}

export const panelPages: readonly PanelPage[] = [
  {
    path: 'events',
    menuLabel: 'panel.menu.events',
    icon: <BellOutlined />,
    roles: ['security', 'facility', 'it'],
    Page: lazy(() => import('../pages/events/LiveEventsPage')),
  },
  {
    path: 'devices',
    menuLabel: 'panel.menu.devices',
    icon: <ApiOutlined />,
    roles: ['it'],
    Page: lazy(() => import('../pages/devices/DevicesPage')),
  },
  { path: 'endpoints', menuLabel: 'panel.menu.endpoints', icon: <UsbOutlined />, roles: ['it'], Page: lazy(() => import('../pages/endpoints/EndpointsPage')) },
  { path: 'access/live', menuLabel: 'panel.menu.access.live', icon: <ScanOutlined />, roles: ['security'], Page: lazy(() => import('../pages/access/live/GateLivePage')) },
  { path: 'access/leaves', menuLabel: 'panel.menu.access.leaves', icon: <AuditOutlined />, roles: ['security'], Page: lazy(() => import('../pages/access/leaves/LeavesPassesPage')) },
  { path: 'access/attendance', menuLabel: 'panel.menu.access.attendance', icon: <ScheduleOutlined />, roles: ['security'], Page: lazy(() => import('../pages/access/attendance/AttendancePage')) },
  { path: 'access/people', menuLabel: 'panel.menu.access.people', icon: <IdcardOutlined />, roles: [], Page: lazy(() => import('../pages/access/people/PeoplePage')) },
  { path: 'access/gates', menuLabel: 'panel.menu.access.gates', icon: <ControlOutlined />, roles: ['security'], Page: lazy(() => import('../pages/access/gates/GateStatusPage')) },
  { path: 'energy/live', menuLabel: 'panel.menu.energy.live', icon: <ThunderboltOutlined />, roles: ['facility'], Page: lazy(() => import('../pages/energy/LivePowerPage')) },
  { path: 'energy/charts', menuLabel: 'panel.menu.energy.charts', icon: <BarChartOutlined />, roles: ['facility'], Page: lazy(() => import('../pages/energy/ChartsPage')) },
  { path: 'energy/waste', menuLabel: 'panel.menu.energy.waste', icon: <ClockCircleOutlined />, roles: ['facility'], Page: lazy(() => import('../pages/energy/AfterHoursPage')) },
  { path: 'energy/circuits', menuLabel: 'panel.menu.energy.circuits', icon: <PoweroffOutlined />, roles: ['facility'], Page: lazy(() => import('../pages/energy/CircuitsPage')) },
  { path: 'energy/schedules', menuLabel: 'panel.menu.energy.schedules', icon: <CalendarOutlined />, roles: ['facility'], Page: lazy(() => import('../pages/energy/SchedulesPage')) },
  { path: 'energy/alarms', menuLabel: 'panel.menu.energy.alarms', icon: <AlertOutlined />, roles: ['facility'], Page: lazy(() => import('../pages/energy/AlarmsPage')) },
];

/**
 * Each job's first page: the gate for security, live power for facility, the endpoint
 * guard for IT, the event log for the admin. Deep links to any other page still open it.
 */
export const landingOrder: LandingOrder = [
  { role: 'security', path: 'access/live' },
  { role: 'facility', path: 'energy/live' },
  { role: 'it', path: 'endpoints' },
  { role: 'admin', path: 'events' },
];
