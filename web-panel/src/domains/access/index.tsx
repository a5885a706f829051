import { AuditOutlined, ControlOutlined, IdcardOutlined, ScanOutlined, ScheduleOutlined } from '@ant-design/icons';
import { accessMenuMessages } from '../../i18n/access-messages';
import { definePanelDomain, lazyPage } from '../types';

/** 门禁与考勤: the guard's gate page, leaves and passes, attendance, the roster, the gates. */
export const accessPanel = definePanelDomain({
  id: 'access',
  messages: accessMenuMessages,
  pages: [
    { path: 'access/live', menuLabel: 'panel.menu.access.live', icon: <ScanOutlined />, roles: ['security'], Page: lazyPage(() => import('../../pages/access/live/GateLivePage')) },
    { path: 'access/leaves', menuLabel: 'panel.menu.access.leaves', icon: <AuditOutlined />, roles: ['security'], Page: lazyPage(() => import('../../pages/access/leaves/LeavesPassesPage')) },
    { path: 'access/attendance', menuLabel: 'panel.menu.access.attendance', icon: <ScheduleOutlined />, roles: ['security'], Page: lazyPage(() => import('../../pages/access/attendance/AttendancePage')) },
    { path: 'access/people', menuLabel: 'panel.menu.access.people', icon: <IdcardOutlined />, roles: [], Page: lazyPage(() => import('../../pages/access/people/PeoplePage')) },
    { path: 'access/gates', menuLabel: 'panel.menu.access.gates', icon: <ControlOutlined />, roles: ['security'], Page: lazyPage(() => import('../../pages/access/gates/GateStatusPage')) },
  ],
  landing: [{ role: 'security', path: 'access/live' }],
});
