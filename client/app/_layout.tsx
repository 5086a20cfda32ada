import { Stack } from 'expo-router';
import { StatusBar } from 'expo-status-bar';
import { SafeAreaProvider } from 'react-native-safe-area-context';
import { GalleryProvider } from '../src/gallery';
import { SessionProvider } from '../src/session';
import { colors } from '../src/ui';

export default function RootLayout() {
  return (
    <SafeAreaProvider>
      <SessionProvider>
        <GalleryProvider>
          <StatusBar style="dark" />
          <Stack
            screenOptions={{
              headerStyle: { backgroundColor: colors.card },
              headerTintColor: colors.text,
              headerTitleStyle: { fontWeight: '700' },
              contentStyle: { backgroundColor: colors.bg },
              title: 'wmory',
            }}
          >
            <Stack.Screen name="groups/[gid]/media/[mid]" options={{ headerShown: false, presentation: 'fullScreenModal' }} />
          </Stack>
        </GalleryProvider>
      </SessionProvider>
    </SafeAreaProvider>
  );
}
