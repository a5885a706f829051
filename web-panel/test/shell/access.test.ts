import { describe, expect, it } from 'vitest';
import { landingPath, mayOpen, pagesFor } from '../../src/shell/access';
import { landingOrder, panelPages } from '../../src/shell/pages';
import { pathFromHash } from '../../src/shell/location';

const menuFor = (roles: Parameters<typeof pagesFor>[1]) => pagesFor(panelPages, roles).map((p) => p.path);

describe('role-filtered page table', () => {
  it('shows admin every page', () => {
    expect(menuFor(['admin'])).toEqual(panelPages.map((p) => p.path));
  });

  it('gives security the live events and the gate pages, but not people and cards', () => {
    expect(menuFor(['security'])).toEqual(['events', 'access/live', 'access/leaves', 'access/attendance', 'access/gates', 'facilities/report', 'facilities/orders']);
  });

  it('gives every staff member the fault report and their orders; inspectors the rounds; a contractor only its orders', () => {
    expect(menuFor(['staff'])).toEqual(['facilities/inspect', 'facilities/report', 'facilities/orders', 'facilities/stocktake']);
    expect(menuFor(['contractor'])).toEqual(['facilities/orders']);
    expect(menuFor(['facility']).filter((p) => p.startsWith('facilities/'))).toEqual(['facilities/inspect', 'facilities/report', 'facilities/orders', 'facilities/board', 'facilities/assets', 'facilities/stocktake', 'facilities/desk', 'facilities/kpi']);
  });

  it('gives facility the live events', () => {
    expect(menuFor(['facility'])).toContain('events');
    expect(menuFor(['facility']).some((p) => p.startsWith('access/'))).toBe(false);
  });

  it('gives IT the live events, devices and the endpoint guard', () => {
    expect(menuFor(['it'])).toEqual(['events', 'devices', 'endpoints', 'facilities/report', 'facilities/orders']);
  });

  it('unions the pages of several roles', () => {
    expect(menuFor(['security', 'it'])).toEqual(['events', 'devices', 'endpoints', 'access/live', 'access/leaves', 'access/attendance', 'access/gates', 'facilities/report', 'facilities/orders']);
  });

  it('keeps people and cards for the admin', () => {
    expect(menuFor(['admin'])).toContain('access/people');
  });

  it('opens nothing for a user without roles', () => {
    expect(mayOpen({ roles: ['security'] }, [])).toBe(false);
  });
});

describe('landing page by role', () => {
  const landFor = (roles: Parameters<typeof pagesFor>[1]) => landingPath(panelPages, landingOrder, roles);

  it('starts each job on its own page', () => {
    expect(landFor(['security'])).toBe('access/live');
    expect(landFor(['facility'])).toBe('energy/live');
    expect(landFor(['it'])).toBe('endpoints');
    expect(landFor(['admin'])).toBe('events');
    expect(landFor(['contractor'])).toBe('facilities/orders');
    expect(landFor(['staff'])).toBe('facilities/inspect');
  });

  it('serves several roles in the order security, facility, it, admin', () => {
    expect(landFor(['it', 'facility'])).toBe('energy/live');
    expect(landFor(['admin', 'security'])).toBe('access/live');
    expect(landFor(['it', 'admin'])).toBe('endpoints');
  });

  it('skips a landing page the user may not open, then falls back to the first page they may', () => {
    const pages = [
      { path: 'a', roles: ['it' as const] },
      { path: 'b', roles: ['security' as const] },
    ];
    expect(landingPath(pages, [{ role: 'security', path: 'missing' }, { role: 'security', path: 'a' }], ['security'])).toBe('b');
    expect(landingPath(pages, landingOrder, ['it'])).toBe('a');
    expect(landingPath(pages, landingOrder, [])).toBeUndefined();
  });
});

describe('pathFromHash', () => {
  it('reads the page path from the URL hash', () => {
    expect(pathFromHash('#/devices')).toBe('devices');
    expect(pathFromHash('#devices/')).toBe('devices');
    expect(pathFromHash('#/events?type=access')).toBe('events');
    expect(pathFromHash('')).toBe('');
  });
});
