import type { PanelRole } from '../api/types';

/** What the access rules need to know about a page. */
export interface PageAccess {
  /** Roles that may open the page besides admin, who may open every page. */
  roles: readonly PanelRole[];
}

export function mayOpen(page: PageAccess, userRoles: readonly PanelRole[]): boolean {
  return userRoles.includes('admin') || page.roles.some((r) => userRoles.includes(r));
}

export function pagesFor<P extends PageAccess>(pages: readonly P[], userRoles: readonly PanelRole[]): P[] {
  return pages.filter((p) => mayOpen(p, userRoles));
}

/** The page a role's work starts on, in the order a user with several roles is served. */
export type LandingOrder = ReadonlyArray<{ role: PanelRole; path: string }>;

/**
 * Where a user lands after sign-in or on the panel root: the page of the first of their
 * roles in `order` that they may open, else the first page they may open at all.
 */
export function landingPath<P extends PageAccess & { path: string }>(pages: readonly P[], order: LandingOrder, userRoles: readonly PanelRole[]): string | undefined {
  for (const { role, path } of order) {
    if (!userRoles.includes(role)) continue;
    const page = pages.find((p) => p.path === path);
    if (page && mayOpen(page, userRoles)) return page.path;
  }
  return pagesFor(pages, userRoles)[0]?.path;
}
