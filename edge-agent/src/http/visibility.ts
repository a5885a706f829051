import type { UserRole } from '../store/users.js';

/**
 * Which roles see which events, by type prefix (admin sees all). The live feed
 * and the events API both filter through this, so a facility user never sees a
 * student's gate passage and a guard never sees USB events.
 */
const RULES: Array<[prefix: string, roles: UserRole[]]> = [
  ['access.device', ['security', 'it']],
  ['access.', ['security']],
  ['attendance.', ['security']],
  ['visitor.', ['security']],
  ['energy.', ['facility']],
  ['alarm.', ['facility', 'security']],
  ['usb.', ['it']],
  ['endpoint.', ['it']],
  ['security.', ['it']],
  ['sync.', ['it']],
  ['system.', ['security', 'facility', 'it']],
  ['demo.', ['security', 'facility', 'it']],
];

export function rolesFor(type: string): UserRole[] {
  for (const [prefix, roles] of RULES) if (type.startsWith(prefix)) return ['admin', ...roles];
  return ['admin'];
}

export function maySee(userRoles: readonly UserRole[], type: string): boolean {
  const allowed = rolesFor(type);
  return userRoles.some((r) => allowed.includes(r));
}

/** Type prefixes a set of roles may see (for SQL filtering); null = everything. */
export function visiblePrefixes(userRoles: readonly UserRole[]): string[] | null {
  if (userRoles.includes('admin')) return null;
  return RULES.filter(([, roles]) => roles.some((r) => userRoles.includes(r))).map(([p]) => p);
}
