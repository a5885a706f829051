import { useCallback, useSyncExternalStore } from 'react';

/**
 * Pages live in the URL hash (#/events), so the edge can serve the one index.html
 * at "/" without knowing the panel's routes, and reload/bookmarks still land right.
 */
export function pathFromHash(hash: string): string {
  return hash.replace(/^#\/?/, '').split(/[?#]/)[0]!.replace(/\/+$/, '');
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** `go` opens a page as a new history entry; `land` replaces the current one (Back skips it). */
export function usePagePath(): [path: string, go: (path: string) => void, land: (path: string) => void] {
  const path = useSyncExternalStore(subscribe, () => pathFromHash(window.location.hash));
  const go = useCallback((next: string) => {
    window.location.hash = `/${next}`;
  }, []);
  const land = useCallback((next: string) => {
    window.location.replace(`#/${next}`);
  }, []);
  return [path, go, land];
}
