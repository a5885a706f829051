import { useEffect, useRef, useState } from 'react';
import type { PersonRole, PersonView } from '@campus/protocol/access/index';
import { fetchPeople } from '../../../api/access';
import { useSession } from '../../../auth/session';
import { useAccessText } from './useAccessText';

const SEARCH_DELAY_MS = 300;
const MAX_OPTIONS = 20;

export interface PersonOption {
  value: string;
  label: string;
  /** "初一 1班" for a student in a class. */
  classLabel: string | null;
}

/** "初一 1班": the grade and the class, as the school says it. */
function classLabel(p: PersonView): string | null {
  if (!p.className) return null;
  return p.gradeName ? `${p.gradeName} ${p.className}` : p.className;
}

/**
 * People found on the roster by name or id (学号, 工号) as the user types, for a search
 * select. `role` narrows the search, e.g. to students for a leave.
 */
export function usePersonSearch(role?: PersonRole): { options: PersonOption[]; search: (q: string) => void; searching: boolean } {
  const { api } = useSession();
  const { t } = useAccessText();
  const [options, setOptions] = useState<PersonOption[]>([]);
  const [searching, setSearching] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef(0);
  useEffect(() => () => clearTimeout(timer.current), []);
  const search = (q: string) => {
    clearTimeout(timer.current);
    if (!q.trim()) return;
    timer.current = setTimeout(() => {
      const request = ++latest.current;
      setSearching(true);
      fetchPeople(api, { q: q.trim(), role, limit: MAX_OPTIONS, offset: 0 }).then(
        (page) => {
          if (request !== latest.current) return;
          setOptions(page.people.map((p) => ({ value: p.id, label: t('panel.access.personWithId', { name: p.name, id: p.id }), classLabel: classLabel(p) })));
          setSearching(false);
        },
        (err: unknown) => {
          if (request === latest.current) setSearching(false);
          console.warn('panel: person search failed', err);
        },
      );
    }, SEARCH_DELAY_MS);
  };
  return { options, search, searching };
}
