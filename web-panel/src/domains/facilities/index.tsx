import { AppstoreOutlined, AuditOutlined, BarChartOutlined, DashboardOutlined, FileSearchOutlined, QrcodeOutlined, ToolOutlined, WarningOutlined } from '@ant-design/icons';
import { facilitiesMenuMessages } from '../../i18n/facilities-messages';
import { definePanelDomain, lazyPage } from '../types';

/**
 * 后勤: phone screens for inspectors (巡检), requesters (报修), workers and contractors
 * (我的工单), asset tags and stock-take; the supervisor's board and KPIs at the desk.
 */
export const facilitiesPanel = definePanelDomain({
  id: 'facilities',
  messages: facilitiesMenuMessages,
  pages: [
    { path: 'facilities/inspect', menuLabel: 'panel.menu.facilities.inspect', icon: <QrcodeOutlined />, roles: ['staff', 'facility'], Page: lazyPage(() => import('../../pages/facilities/InspectPage')) },
    { path: 'facilities/report', menuLabel: 'panel.menu.facilities.report', icon: <WarningOutlined />, roles: ['staff', 'facility', 'security', 'it'], Page: lazyPage(() => import('../../pages/facilities/ReportPage')) },
    { path: 'facilities/orders', menuLabel: 'panel.menu.facilities.orders', icon: <ToolOutlined />, roles: ['staff', 'facility', 'contractor', 'security', 'it'], Page: lazyPage(() => import('../../pages/facilities/OrdersPage')) },
    { path: 'facilities/board', menuLabel: 'panel.menu.facilities.board', icon: <DashboardOutlined />, roles: ['facility'], Page: lazyPage(() => import('../../pages/facilities/BoardPage')) },
    { path: 'facilities/assets', menuLabel: 'panel.menu.facilities.assets', icon: <FileSearchOutlined />, roles: ['facility'], Page: lazyPage(() => import('../../pages/facilities/AssetsPage')) },
    { path: 'facilities/stocktake', menuLabel: 'panel.menu.facilities.stocktake', icon: <AuditOutlined />, roles: ['staff', 'facility'], Page: lazyPage(() => import('../../pages/facilities/StocktakePage')) },
    { path: 'facilities/desk', menuLabel: 'panel.menu.facilities.desk', icon: <AppstoreOutlined />, roles: ['facility'], desk: true, Page: lazyPage(() => import('../../pages/facilities/DeskPage')) },
    { path: 'facilities/kpi', menuLabel: 'panel.menu.facilities.kpi', icon: <BarChartOutlined />, roles: ['facility'], Page: lazyPage(() => import('../../pages/facilities/KpiPage')) },
  ],
  // No landing entries: staff and contractors land on their first page (报修 / 巡检 / 我的工单) anyway,
  // and the shell ranks landing roles it knows (security, facility, it, admin) only.
});
