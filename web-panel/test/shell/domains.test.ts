import { allMessages } from '@campus/protocol/i18n';
import { describe, expect, it } from 'vitest';
import { panelDomains } from '../../src/domains';
import { definePanelDomain, lazyPage } from '../../src/domains/types';
import { landingOrder, pageTable, panelPages } from '../../src/shell/pages';
import '../../src/i18n/messages';

describe('pages registered per domain', () => {
  it('builds the page table from the registered domains, in their order', () => {
    expect(panelDomains.map((d) => d.id)).toEqual(['core', 'endpoints', 'access', 'energy', 'bus', 'facilities']);
    expect(panelPages.map((p) => p.path)).toEqual(panelDomains.flatMap((d) => d.pages.map((p) => p.path)));
    // Roles without a landing priority (the bus crew's) come first: their work is only the bus.
    expect(landingOrder).toEqual([
      { role: 'transport', path: 'bus/trip' },
      { role: 'transport_manager', path: 'bus/trip' },
      { role: 'security', path: 'access/live' },
      { role: 'facility', path: 'energy/live' },
      { role: 'it', path: 'endpoints' },
      { role: 'admin', path: 'events' },
    ]);
  });

  it('names every menu entry in both languages', () => {
    const known = allMessages();
    for (const p of panelPages) expect(known[p.menuLabel], p.menuLabel).toMatchObject({ 'zh-CN': expect.any(String), en: expect.any(String) });
  });

  it('adds a domain with one more entry in the list: its pages, its landing page', () => {
    const bus = definePanelDomain({
      id: 'bus',
      messages: { 'panel.menu.bus.trips': { 'zh-CN': '校车行程', en: 'Bus trips' } },
      pages: [{ path: 'bus/trips', menuLabel: 'panel.menu.bus.trips', icon: null, roles: ['facility'], Page: lazyPage(() => Promise.resolve({ default: () => null })) }],
      landing: [{ role: 'it', path: 'bus/trips' }],
    });
    const table = pageTable([...panelDomains, bus]);
    expect(table.pages.at(-1)!.path).toBe('bus/trips');
    expect(table.landing.filter((l) => l.role === 'it').map((l) => l.path)).toEqual(['endpoints', 'bus/trips']);
  });

  it('loads a page chunk once, whether preloaded or rendered first', async () => {
    let loads = 0;
    const page = lazyPage(() => {
      loads++;
      return Promise.resolve({ default: () => null });
    });
    await Promise.all([page.preload(), page.preload()]);
    expect(loads).toBe(1);
  });

  it('refuses two domains that claim the same page', () => {
    expect(() => pageTable([...panelDomains, panelDomains[0]!])).toThrow('two domains declare the page "events"');
  });
});
