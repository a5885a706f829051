import { useSyncExternalStore } from 'react';

/** Below this width the panel is on a phone: top bar with a drawer menu, tables as cards. */
export const PHONE_QUERY = '(max-width: 767.98px)';

function subscribeTo(query: string) {
  return (onChange: () => void): (() => void) => {
    if (typeof window === 'undefined' || !window.matchMedia) return () => undefined;
    const m = window.matchMedia(query);
    m.addEventListener('change', onChange);
    return () => m.removeEventListener('change', onChange);
  };
}

const subscribers = new Map<string, (onChange: () => void) => () => void>();

/** Whether a CSS media query matches, right from the first render (no desktop flash on a phone). */
export function useMedia(query: string): boolean {
  let subscribe = subscribers.get(query);
  if (!subscribe) {
    subscribe = subscribeTo(query);
    subscribers.set(query, subscribe);
  }
  return useSyncExternalStore(
    subscribe,
    () => typeof window !== 'undefined' && !!window.matchMedia && window.matchMedia(query).matches,
    () => false,
  );
}

/** True on a phone-sized screen (below tablet width). */
export function usePhone(): boolean {
  return useMedia(PHONE_QUERY);
}
