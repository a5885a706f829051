import { lazy } from 'react';
import { UsbOutlined } from '@ant-design/icons';
import { definePanelDomain } from '../types';

/** 终端管控: the USB guard on school PCs, for IT. */
export const endpointsPanel = definePanelDomain({
  id: 'endpoints',
  pages: [{ path: 'endpoints', menuLabel: 'panel.menu.endpoints', icon: <UsbOutlined />, roles: ['it'], Page: lazy(() => import('../../pages/endpoints/EndpointsPage')) }],
  landing: [{ role: 'it', path: 'endpoints' }],
});
