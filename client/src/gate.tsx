import { Redirect, usePathname } from 'expo-router';
import React from 'react';
import { useSession } from './session';
import { Loading } from './ui';

/** Shows children to a signed-in user; anyone else goes to sign in and comes back here after. */
export function SignedIn({ children }: { children: React.ReactNode }) {
  const { status } = useSession();
  const path = usePathname();
  if (status === 'loading') return <Loading />;
  if (status === 'signedOut') return <Redirect href={{ pathname: '/login', params: path && path !== '/' ? { next: path } : {} }} />;
  return <>{children}</>;
}
