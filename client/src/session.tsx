// Who is signed in, to which server, and the API client for them.
import React, { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { Api, ApiError, type Quota, type User } from './api';
import { isReturning, loadSession, markReturning, needsServerAddress, saveSession } from './storage';

type Status = 'loading' | 'signedOut' | 'signedIn';

type SessionValue = {
  status: Status;
  /** Someone has signed in here before: signed out, they are asked to sign in rather than to create an account. */
  returning: boolean;
  api: Api;
  server: string;
  user?: User;
  quota?: Quota;
  signIn(email: string, password: string, server?: string): Promise<void>;
  signOut(): Promise<void>;
  refresh(): Promise<void>;
};

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: React.ReactNode }) {
  const [status, setStatus] = useState<Status>('loading');
  const [returning, setReturning] = useState(false);
  const [server, setServer] = useState('');
  const [user, setUser] = useState<User>();
  const [quota, setQuota] = useState<Quota>();
  // State setters never change: this is the same function for the provider's life.
  const signedOut = useCallback(() => {
    setStatus('signedOut');
    setUser(undefined);
    setQuota(undefined);
  }, []);
  const [api, setApi] = useState(() => new Api({ baseUrl: '', onUnauthenticated: signedOut }));

  const load = useCallback(async (a: Api) => {
    try {
      const me = await a.me();
      setUser(me.user);
      setQuota(me.quota);
      setStatus('signedIn');
      setReturning(true);
      markReturning().catch(() => undefined);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) signedOut();
      else if (err instanceof ApiError && err.status === 403) signedOut();
      else throw err;
    }
  }, [signedOut]);

  useEffect(() => {
    let cancelled = false;
    loadSession().then(async ({ server: s, token }) => {
      if (cancelled) return;
      setReturning(await isReturning().catch(() => false));
      const a = new Api({ baseUrl: s, token, onUnauthenticated: signedOut });
      setServer(s);
      setApi(a);
      if (needsServerAddress && !token) return signedOut();
      await load(a).catch(() => signedOut());
    });
    return () => {
      cancelled = true;
    };
  }, [load, signedOut]);

  // Stable while the client is: screens can load with it in an effect.
  const refresh = useCallback(() => load(api), [load, api]);

  const value = useMemo<SessionValue>(
    () => ({
      status,
      returning,
      api,
      server,
      user,
      quota,
      async signIn(email, password, newServer) {
        const base = needsServerAddress ? (newServer ?? server) : '';
        const a = new Api({ baseUrl: base, onUnauthenticated: signedOut });
        const res = await a.login(email, password);
        if (needsServerAddress) a.token = res.token;
        await saveSession(base, needsServerAddress ? res.token : null);
        setServer(base);
        setApi(a);
        setUser(res.user);
        await load(a);
      },
      async signOut() {
        await api.logout().catch(() => undefined);
        await saveSession(server, null);
        signedOut();
      },
      refresh,
    }),
    [status, returning, api, server, user, quota, load, signedOut, refresh],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
