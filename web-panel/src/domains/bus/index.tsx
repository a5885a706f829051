import { CarOutlined } from '@ant-design/icons';
import { busMenuMessages } from '../../i18n/bus-messages';
import { definePanelDomain, lazyPage } from '../types';

/** 校车: the attendant's screen at the bus door (phone first). */
export const busPanel = definePanelDomain({
  id: 'bus',
  messages: busMenuMessages,
  pages: [{ path: 'bus/trip', menuLabel: 'panel.menu.bus.trip', icon: <CarOutlined />, roles: ['transport', 'transport_manager'], Page: lazyPage(() => import('../../pages/bus/BusTripPage')) }],
  landing: [
    { role: 'transport', path: 'bus/trip' },
    { role: 'transport_manager', path: 'bus/trip' },
  ],
});
