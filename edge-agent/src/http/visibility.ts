import type { UserRole } from '../store/users.js';

export type VisibilityRule = readonly [prefix: string, roles: readonly UserRole[]];

/** Events of the edge itself; each domain declares its own rules (DomainDefinition.visibility). */
export const CORE_VISIBILITY: readonly VisibilityRule[] = [
  ['security.', ['it']],
  ['system.', ['security', 'facility', 'it']],
  ['demo.', ['security', 'facility', 'it']],
];

/**
 * Which roles see which events, by type prefix (admin sees all; the longest matching
 * prefix wins). The live feed and the events API both filter through this, so a
 * facility user never sees a student's gate passage and a guard never sees USB events.
 */
export class Visibility {
  readonly #rules: VisibilityRule[];

  constructor(rules: readonly VisibilityRule[]) {
    this.#rules = [...rules].sort((a, b) => b[0].length - a[0].length);
  }

  rolesFor(type: string): UserRole[] {
    for (const [prefix, roles] of this.#rules) if (type.startsWith(prefix)) return ['admin', ...roles];
    return ['admin'];
  }

  maySee(userRoles: readonly UserRole[], type: string): boolean {
    const allowed = this.rolesFor(type);
    return userRoles.some((r) => allowed.includes(r));
  }

  /** Type prefixes a set of roles may see (for SQL filtering); null = everything. */
  visiblePrefixes(userRoles: readonly UserRole[]): string[] | null {
    if (userRoles.includes('admin')) return null;
    return this.#rules.filter(([, roles]) => roles.some((r) => userRoles.includes(r))).map(([p]) => p);
  }
}
