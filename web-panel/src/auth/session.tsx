import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { bilingual } from '@campus/protocol/i18n';
import { ApiError, EdgeApi } from '../api/client';
import { currentSession, signIn, signOut } from '../api/endpoints';
import { sessionSchema } from '../api/schemas';
import { takeEarlySession } from './early';
import type { PanelUser } from '../api/types';
import { useLocale } from '../i18n/locale';

export type SessionState =
  | { status: 'checking' }
  | { status: 'signedOut' }
  | { status: 'unreachable'; error: ApiError }
  | { status: 'signedIn'; user: PanelUser };

interface SessionContextValue {
  session: SessionState;
  api: EdgeApi;
  signIn: (username: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** Asks the edge again whether the cookie is still good (after a failed live connect). */
  recheck: () => Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/** Holds who is signed in. Any 401 from the edge drops back to the sign-in page. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const { adoptProfileLocale } = useLocale();
  const [session, setSession] = useState<SessionState>({ status: 'checking' });
  const [api] = useState(
    () =>
      new EdgeApi({
        onUnauthorized: () => {
          api.setCsrfToken(null);
          setSession({ status: 'signedOut' });
        },
      }),
  );

  const recheck = useCallback(async () => {
    try {
      const s = await currentSession(api);
      api.setCsrfToken(s.csrfToken);
      adoptProfileLocale(s.user.locale);
      setSession({ status: 'signedIn', user: s.user });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setSession({ status: 'signedOut' });
      // A blip while signed in keeps the pages (they show their own errors and retry);
      // only a panel that never got a session says the edge is unreachable.
      else setSession((prev) => (prev.status === 'signedIn' ? prev : { status: 'unreachable', error: asApiError(err) }));
    }
  }, [api, adoptProfileLocale]);

  useEffect(() => {
    // The first check takes main.tsx's early answer when it is a valid session; anything
    // else (signed out, an error, no answer) asks through the API client as usual.
    void takeEarlySession().then((a) => {
      const parsed = a?.status === 200 ? sessionSchema.safeParse(a.body) : null;
      if (!parsed?.success) return recheck();
      api.setCsrfToken(parsed.data.csrfToken);
      adoptProfileLocale(parsed.data.user.locale);
      setSession({ status: 'signedIn', user: parsed.data.user });
    });
  }, [recheck, api, adoptProfileLocale]);

  const doSignIn = useCallback(
    async (username: string, password: string) => {
      const s = await signIn(api, username, password);
      api.setCsrfToken(s.csrfToken);
      adoptProfileLocale(s.user.locale);
      setSession({ status: 'signedIn', user: s.user });
    },
    [api, adoptProfileLocale],
  );

  const doSignOut = useCallback(async () => {
    try {
      await signOut(api);
    } catch {
      // Even if the edge cannot be told, this browser forgets the session.
    }
    api.setCsrfToken(null);
    setSession({ status: 'signedOut' });
  }, [api]);

  const value = useMemo(
    () => ({ session, api, signIn: doSignIn, signOut: doSignOut, recheck }),
    [session, api, doSignIn, doSignOut, recheck],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError(0, 'panel.unexpected', bilingual('panel.error.unexpected', { status: '—' }), err);
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside <SessionProvider>');
  return value;
}

/** For pages inside the shell, which only render once someone is signed in. */
export function useSignedInUser(): PanelUser {
  const { session } = useSession();
  if (session.status !== 'signedIn') throw new Error('useSignedInUser while not signed in');
  return session.user;
}
