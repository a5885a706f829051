import { ApiOutlined, BellOutlined } from '@ant-design/icons';
import { definePanelDomain, lazyPage } from '../types';

/** The edge itself: the live event log everyone reads, and the broker's devices for IT. */
export const corePanel = definePanelDomain({
  id: 'core',
  pages: [
    { path: 'events', menuLabel: 'panel.menu.events', icon: <BellOutlined />, roles: ['security', 'facility', 'it'], Page: lazyPage(() => import('../../pages/events/LiveEventsPage')) },
    { path: 'devices', menuLabel: 'panel.menu.devices', icon: <ApiOutlined />, roles: ['it'], Page: lazyPage(() => import('../../pages/devices/DevicesPage')) },
  ],
  landing: [{ role: 'admin', path: 'events' }],
});
