import { Redirect, usePathname } from 'expo-router';
import React from 'react';
import { useSession } from './session';
import { Loading } from './ui';

/** Shows children to a signed-in user; anyone else goes to sign in and comes back here after. */
export function SignedIn({ children }: { children: React.ReactNode }) {
  const { status, returning } = useSession();
  const path = usePathname();
  if (status === 'loading') return <Loading />;
  // A first visit is offered an account; someone who signed in here before, to sign in.
  if (status === 'signedOut') return <Redirect href={{ pathname: returning ? '/login' : '/register', params: path && path !== '/' ? { next: path } : {} }} />;
  return <>{children}</>;
}
