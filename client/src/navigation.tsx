// How every stack of screens looks, and where a screen's way home leads.
import { router } from 'expo-router';
import { Pressable, Text } from 'react-native';
import { colors } from './ui';

/**
 * Where a screen's way home leads when there is nothing to go back to (after
 * a reload, or arriving from an invite or an e-mailed link): a group's pages
 * lead to its gallery, everything else to the list of groups.
 */
function homeOf(name: string, params: Record<string, string> | undefined): { href: string; label: string } | null {
  // Signed out, signing in or up is the start itself.
  if (name === 'index' || name === 'login' || name === 'register') return null;
  if (name.startsWith('groups/[gid]/') && name !== 'groups/[gid]/index' && params?.gid) return { href: `/groups/${params.gid}`, label: 'Gallery' };
  return { href: '/', label: 'Your groups' };
}

function HomeButton({ href, label }: { href: string; label: string }) {
  return (
    <Pressable accessibilityRole="link" accessibilityLabel={label} onPress={() => router.replace(href)} style={{ paddingHorizontal: 12, paddingVertical: 6 }}>
      <Text style={{ color: colors.accent, fontWeight: '600', fontSize: 15 }}>‹ {label}</Text>
    </Pressable>
  );
}

/** The options of every screen in a stack: the app's header, and a way home. */
export function stackScreenOptions({ route, navigation }: { route: { name: string; params?: object }; navigation: { canGoBack(): boolean } }) {
  const home = homeOf(route.name, route.params as Record<string, string> | undefined);
  return {
    headerStyle: { backgroundColor: colors.card },
    headerTintColor: colors.text,
    headerTitleStyle: { fontWeight: '700' as const },
    contentStyle: { backgroundColor: colors.bg },
    title: 'wmory',
    headerLeft: home && !navigation.canGoBack() ? () => <HomeButton {...home} /> : undefined,
  };
}
