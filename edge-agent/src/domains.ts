/**
 * The edge's registered domains — the ONE list to extend when a domain is added
 * (docs/architecture.md, "Adding a domain"). The composition root (edge.ts) loops over
 * it for migrations, config sections, event visibility, cloud record kinds, routes,
 * start and stop; order here is start order (stop is the reverse). Each entry is the
 * domain's cheap definition: its implementation is loaded only when the domain runs
 * or is first needed (modules/domain.ts).
 */
import { accessDomain } from './access/definition.js';
import { busDomain } from './bus/definition.js';
import { endpointsDomain } from './endpoints/definition.js';
import { energyDomain } from './energy/definition.js';
import { facilitiesDomain } from './facilities/definition.js';
import { syncDomain } from './sync/definition.js';

export const DOMAINS = [endpointsDomain, accessDomain, energyDomain, busDomain, facilitiesDomain, syncDomain] as const;

export type RegisteredDomain = (typeof DOMAINS)[number];
