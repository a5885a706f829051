import { useEffect, useRef, useState } from 'react';
import { fetchPerson } from '../../../api/access';
import { useSession } from '../../../auth/session';

/**
 * Names of the people a list names by id only (a pass's host, a pickup's students),
 * each asked once per page load. An id the edge does not know stays an id.
 */
const known = new Map<string, string>();
const asked = new Set<string>();

export function usePersonNames(ids: ReadonlyArray<string | null>): ReadonlyMap<string, string> {
  const { api } = useSession();
  const [, setVersion] = useState(0);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const wanted = [...new Set(ids.filter((id): id is string => !!id && !asked.has(id)))];
  const key = wanted.join('\n');
  useEffect(() => {
    if (!key) return;
    for (const id of key.split('\n')) {
      asked.add(id);
      fetchPerson(api, id).then(
        (p) => {
          known.set(id, p.name);
          if (mounted.current) setVersion((v) => v + 1);
        },
        (err: unknown) => console.warn('panel: person name not loaded', id, err),
      );
    }
  }, [api, key]);
  return known;
}
