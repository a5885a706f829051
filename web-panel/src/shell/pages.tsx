import { panelDomains } from '../domains';
import type { PanelDomain, PanelPage } from '../domains/types';
import type { PanelRole } from '../api/types';
import type { LandingOrder } from './access';
import { pathFromHash } from './location';

export type { PanelPage } from '../domains/types';

/** Whose first page wins for a user with several roles: the gate before the boiler room. */
export const ROLE_LANDING_PRIORITY: readonly PanelRole[] = ['security', 'facility', 'it', 'admin'];

/** The menu, the access check and the router all read this one table, built from the registered domains. */
export function pageTable(domains: readonly PanelDomain[]): { pages: PanelPage[]; landing: LandingOrder } {
  const pages = domains.flatMap((d) => d.pages);
  const seen = new Set<string>();
  for (const p of pages) {
    if (seen.has(p.path)) throw new Error(`panel: two domains declare the page "${p.path}"`);
    seen.add(p.path);
  }
  const landing = domains
    .flatMap((d) => d.landing ?? [])
    .sort((a, b) => ROLE_LANDING_PRIORITY.indexOf(a.role) - ROLE_LANDING_PRIORITY.indexOf(b.role));
  return { pages, landing };
}

const table = pageTable(panelDomains);

export const panelPages: readonly PanelPage[] = table.pages;

/**
 * Each job's first page: the gate for security, live power for facility, the endpoint
 * guard for IT, the event log for the admin. Deep links to any other page still open it.
 */
export const landingOrder: LandingOrder = table.landing;

/** Starts loading the code of the page an address (`#/access/live`) names, if it names one. */
export function preloadPageOf(hash: string): void {
  void panelPages.find((p) => p.path === pathFromHash(hash))?.Page.preload().catch(() => undefined);
}
