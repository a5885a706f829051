/**
 * The edge's registered domains — the ONE list to extend when a domain is added
 * (docs/architecture.md, "Adding a domain"). The composition root (edge.ts) loops over
 * it for migrations, config sections, event visibility, cloud record kinds, routes,
 * start and stop; order here is start order (stop is the reverse).
 */
import { accessDomain } from './access/domain.js';
import { busDomain } from './bus/domain.js';
import { endpointsDomain } from './endpoints/domain.js';
import { energyDomain } from './energy/domain.js';
import { facilitiesDomain } from './facilities/domain.js';
import { syncDomain } from './sync/module.js';

export const DOMAINS = [endpointsDomain, accessDomain, energyDomain, busDomain, facilitiesDomain, syncDomain] as const;

export type RegisteredDomain = (typeof DOMAINS)[number];
