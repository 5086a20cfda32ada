// The web app is served by wmory itself: it talks to its own origin and the
// HttpOnly session cookie authenticates it, so no token is ever readable by script.
export const needsServerAddress = false;

export async function loadSession(): Promise<{ server: string; token: string | null }> {
  return { server: '', token: null };
}

export async function saveSession(_server: string, _token: string | null): Promise<void> {}
