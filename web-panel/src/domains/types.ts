import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';
import type { Catalogue } from '@campus/protocol/i18n';
import type { PanelRole } from '../api/types';
import type { PageAccess } from '../shell/access';

/** One page of the panel: its menu entry, who may open it, and its code (loaded on first visit). */
export interface PanelPage extends PageAccess {
  /** The URL hash path: #/events */
  path: string;
  /** A message id of the panel's catalogue or of the domain's own `messages`. */
  menuLabel: string;
  icon: ReactNode;
  /** A desk screen (dense tables for a computer at the office): left out of the phone's menu; its address still opens it. */
  desk?: boolean;
  /** A dynamic import(), so each page is its own chunk and the sign-in page waits for none. */
  Page: LazyPage;
}

/** A route-level lazy page that can also be fetched ahead of its first render. */
export type LazyPage = LazyExoticComponent<ComponentType> & { preload: () => Promise<unknown> };

/**
 * `lazyPage(() => import('./MyPage'))`: its own chunk, loaded on first visit — or earlier
 * with `preload()`, e.g. for the page a reload or a deep link opens, so its chunk downloads
 * and compiles while the shell renders.
 */
export function lazyPage(load: () => Promise<{ default: ComponentType }>): LazyPage {
  let pending: Promise<{ default: ComponentType }> | null = null;
  const once = () => (pending ??= load());
  return Object.assign(lazy(once), { preload: once });
}

/**
 * What a domain (门禁, 能耗, 终端管控, ...) tells the panel about itself, declared in its own
 * folder (src/domains/<domain>/index.tsx) and registered with one line in src/domains/index.ts.
 */
export interface PanelDomain {
  id: string;
  /** Menu entries in menu order; the domains' order in the registration list orders the menu. */
  pages: readonly PanelPage[];
  /** The page a role's work starts on, when the role's work is this domain's. */
  landing?: ReadonlyArray<{ role: PanelRole; path: string }>;
  /** Menu labels the domain brings (zh-CN first); they load with the shell. */
  messages?: Catalogue;
}

/** Declares a domain (typed; a menu label no catalogue knows fails the panel's tests, see test/shell/domains.test.ts). */
export function definePanelDomain<const D extends PanelDomain>(domain: D): D {
  return domain;
}
