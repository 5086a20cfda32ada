import { Stack, router } from 'expo-router';
import { StatusBar } from 'expo-status-bar';
import { Pressable, Text } from 'react-native';
import { SafeAreaProvider } from 'react-native-safe-area-context';
import { GalleryProvider } from '../src/gallery';
import { SessionProvider } from '../src/session';
import { colors } from '../src/ui';

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

export default function RootLayout() {
  return (
    <SafeAreaProvider>
      <SessionProvider>
        <GalleryProvider>
          <StatusBar style="dark" />
          <Stack
            screenOptions={({ route, navigation }) => {
              const home = homeOf(route.name, route.params as Record<string, string> | undefined);
              return {
                headerStyle: { backgroundColor: colors.card },
                headerTintColor: colors.text,
                headerTitleStyle: { fontWeight: '700' },
                contentStyle: { backgroundColor: colors.bg },
                title: 'wmory',
                headerLeft: home && !navigation.canGoBack() ? () => <HomeButton {...home} /> : undefined,
              };
            }}
          >
            <Stack.Screen name="groups/[gid]/media/[mid]" options={{ headerShown: false, presentation: 'fullScreenModal' }} />
          </Stack>
        </GalleryProvider>
      </SessionProvider>
    </SafeAreaProvider>
  );
}
