import { UsbOutlined } from '@ant-design/icons';
import { definePanelDomain, lazyPage } from '../types';

/** 终端管控: the USB guard on school PCs, for IT. */
export const endpointsPanel = definePanelDomain({
  id: 'endpoints',
  pages: [{ path: 'endpoints', menuLabel: 'panel.menu.endpoints', icon: <UsbOutlined />, roles: ['it'], Page: lazyPage(() => import('../../pages/endpoints/EndpointsPage')) }],
  landing: [{ role: 'it', path: 'endpoints' }],
});
