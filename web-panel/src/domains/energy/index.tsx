import { AlertOutlined, BarChartOutlined, CalendarOutlined, ClockCircleOutlined, PoweroffOutlined, ThunderboltOutlined } from '@ant-design/icons';
import { energyMenuMessages } from '../../i18n/energy-messages';
import { definePanelDomain, lazyPage } from '../types';

/** 能耗与用电安全: live power, statistics, after-hours use, circuits, schedules, alarms. */
export const energyPanel = definePanelDomain({
  id: 'energy',
  messages: energyMenuMessages,
  pages: [
    { path: 'energy/live', menuLabel: 'panel.menu.energy.live', icon: <ThunderboltOutlined />, roles: ['facility'], Page: lazyPage(() => import('../../pages/energy/LivePowerPage')) },
    { path: 'energy/charts', menuLabel: 'panel.menu.energy.charts', icon: <BarChartOutlined />, roles: ['facility'], Page: lazyPage(() => import('../../pages/energy/ChartsPage')) },
    { path: 'energy/waste', menuLabel: 'panel.menu.energy.waste', icon: <ClockCircleOutlined />, roles: ['facility'], Page: lazyPage(() => import('../../pages/energy/AfterHoursPage')) },
    { path: 'energy/circuits', menuLabel: 'panel.menu.energy.circuits', icon: <PoweroffOutlined />, roles: ['facility'], Page: lazyPage(() => import('../../pages/energy/CircuitsPage')) },
    { path: 'energy/schedules', menuLabel: 'panel.menu.energy.schedules', icon: <CalendarOutlined />, roles: ['facility'], Page: lazyPage(() => import('../../pages/energy/SchedulesPage')) },
    { path: 'energy/alarms', menuLabel: 'panel.menu.energy.alarms', icon: <AlertOutlined />, roles: ['facility'], Page: lazyPage(() => import('../../pages/energy/AlarmsPage')) },
  ],
  landing: [{ role: 'facility', path: 'energy/live' }],
});
