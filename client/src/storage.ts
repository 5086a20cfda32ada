// Where a phone keeps its session: the token in the OS keychain/keystore, the
// server address beside it. (The web build keeps nothing: see storage.web.ts.)
import * as SecureStore from 'expo-secure-store';
import Constants from 'expo-constants';

const tokenKey = 'wmory.token';
const serverKey = 'wmory.server';

export const needsServerAddress = true;

export async function loadSession(): Promise<{ server: string; token: string | null }> {
  const fallback = (Constants.expoConfig?.extra?.serverUrl as string | undefined) ?? '';
  const [server, token] = await Promise.all([SecureStore.getItemAsync(serverKey), SecureStore.getItemAsync(tokenKey)]);
  return { server: server ?? fallback, token };
}

/** Whether someone has signed in on this phone before (first visits are offered an account). */
export async function isReturning(): Promise<boolean> {
  return (await SecureStore.getItemAsync(serverKey)) !== null;
}

/** The server address saved at sign-in says it already. */
export async function markReturning(): Promise<void> {}

export async function saveSession(server: string, token: string | null): Promise<void> {
  await SecureStore.setItemAsync(serverKey, server);
  if (token) await SecureStore.setItemAsync(tokenKey, token);
  else await SecureStore.deleteItemAsync(tokenKey);
}
