import { Redirect, Stack, usePathname } from 'expo-router';
import { stackScreenOptions } from '@/navigation';
import { useSession } from '@/session';
import { Loading } from '@/ui';

/**
 * The guard of every screen behind sign-in: a signed-in person sees them;
 * anyone else goes to sign in (or, on a first visit, to sign up) and comes
 * back here after.
 */
export default function SignedInLayout() {
  const { status, returning } = useSession();
  const path = usePathname();
  if (status === 'loading') return <Loading />;
  if (status === 'signedOut') return <Redirect href={{ pathname: returning ? '/login' : '/register', params: path && path !== '/' ? { next: path } : {} }} />;
  return (
    <Stack screenOptions={stackScreenOptions}>
      <Stack.Screen name="groups/[gid]/media/[mid]" options={{ headerShown: false, presentation: 'fullScreenModal' }} />
    </Stack>
  );
}
