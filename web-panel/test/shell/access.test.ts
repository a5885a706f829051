import { describe, expect, it } from 'vitest';
import { mayOpen, pagesFor } from '../../src/shell/access';
import { panelPages } from '../../src/shell/pages';
import { pathFromHash } from '../../src/shell/location';

const menuFor = (roles: Parameters<typeof pagesFor>[1]) => pagesFor(panelPages, roles).map((p) => p.path);

describe('role-filtered page table', () => {
  it('shows admin every page', () => {
    expect(menuFor(['admin'])).toEqual(panelPages.map((p) => p.path));
  });

  it('gives security and facility the live events only', () => {
    expect(menuFor(['security'])).toEqual(['events']);
    expect(menuFor(['facility'])).toEqual(['events']);
  });

  it('gives IT the live events and devices', () => {
    expect(menuFor(['it'])).toEqual(['events', 'devices']);
  });

  it('unions the pages of several roles', () => {
    expect(menuFor(['security', 'it'])).toEqual(['events', 'devices']);
  });

  it('opens nothing for a user without roles', () => {
    expect(mayOpen({ roles: ['security'] }, [])).toBe(false);
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
