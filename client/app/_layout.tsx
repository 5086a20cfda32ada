import { Stack } from 'expo-router';
import { StatusBar } from 'expo-status-bar';
import { SafeAreaProvider } from 'react-native-safe-area-context';
import { GalleryProvider } from '@/gallery';
import { stackScreenOptions } from '@/navigation';
import { SessionProvider } from '@/session';

export default function RootLayout() {
  return (
    <SafeAreaProvider>
      <SessionProvider>
        <GalleryProvider>
          <StatusBar style="dark" />
          <Stack screenOptions={stackScreenOptions}>
            {/* Everything behind sign-in has its own stack, under one guard. */}
            <Stack.Screen name="(signed-in)" options={{ headerShown: false }} />
          </Stack>
        </GalleryProvider>
      </SessionProvider>
    </SafeAreaProvider>
  );
}
