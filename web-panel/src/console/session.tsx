import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, ConsoleApi, type SchoolRef, type SessionAnswer, type StaffAccount } from './api';

/** A change made in this browser session: its feed cursor tells when each edge has applied it. */
export interface MadeChange {
  what: string;
  cursor: number;
  schoolId: string;
  at: number;
}

type SessionState =
  | { status: 'checking' }
  | { status: 'signedOut' }
  | { status: 'signedIn'; account: StaffAccount; schools: SchoolRef[] };

interface ConsoleSession {
  state: SessionState;
  api: ConsoleApi;
  schoolId: string | null;
  chooseSchool(id: string): void;
  signIn(body: { username: string; password: string } | { phone: string; code: string }): Promise<void>;
  signOut(): Promise<void>;
  changes: MadeChange[];
  noteChange(change: Omit<MadeChange, 'at' | 'schoolId'>): void;
}

const Ctx = createContext<ConsoleSession | null>(null);

export function ConsoleSessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'checking' });
  const [schoolId, setSchoolId] = useState<string | null>(null);
  const [changes, setChanges] = useState<MadeChange[]>([]);
  const api = useMemo(() => new ConsoleApi(() => setState({ status: 'signedOut' })), []);

  const adopt = useCallback(
    (s: SessionAnswer) => {
      api.csrfToken = s.csrfToken;
      setState({ status: 'signedIn', account: s.account, schools: s.schools });
      setSchoolId((cur) => (cur && s.schools.some((x) => x.id === cur) ? cur : (s.account.schoolId ?? s.schools[0]?.id ?? null)));
    },
    [api],
  );

  useEffect(() => {
    api.get<SessionAnswer>('/session').then(adopt, (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) setState({ status: 'signedOut' });
      else setState({ status: 'signedOut' });
    });
  }, [api, adopt]);

  const value = useMemo<ConsoleSession>(
    () => ({
      state,
      api,
      schoolId,
      chooseSchool: setSchoolId,
      async signIn(body) {
        adopt(await api.post<SessionAnswer>('/session', body));
      },
      async signOut() {
        await api.delete('/session').catch(() => undefined);
        api.csrfToken = null;
        setChanges([]);
        setState({ status: 'signedOut' });
      },
      changes,
      noteChange: (c) => setChanges((list) => [{ ...c, schoolId: schoolId ?? '', at: Date.now() }, ...list].slice(0, 50)),
    }),
    [state, api, schoolId, adopt, changes],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useConsole(): ConsoleSession {
  const v = useContext(Ctx);
  if (!v) throw new Error('useConsole outside <ConsoleSessionProvider>');
  return v;
}
