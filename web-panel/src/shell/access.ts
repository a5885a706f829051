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
