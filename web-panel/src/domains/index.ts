import { accessPanel } from './access';
import { busPanel } from './bus';
import { corePanel } from './core';
import { endpointsPanel } from './endpoints';
import { energyPanel } from './energy';
import { facilitiesPanel } from './facilities';
import type { PanelDomain } from './types';

/**
 * The panel's domains, in menu order. Adding a domain: declare its pages in
 * src/domains/<domain>/index.tsx and add one line here.
 */
export const panelDomains: readonly PanelDomain[] = [
  corePanel,
  endpointsPanel,
  accessPanel,
  energyPanel,
  busPanel,
  facilitiesPanel,
];
