import type { Edge } from '../../../src/edge.js';
import type { EnergyServices } from '../../../src/energy/energy-module.js';

/** The energy services of a running test edge (throws when the module is not running). */
export function energyServices(edge: Edge): EnergyServices {
  const s = edge.energy.services;
  if (!s) throw new Error('energy module is not running on this edge');
  return s;
}
