// The web app is served by wmory itself: it talks to its own origin and the
// HttpOnly session cookie authenticates it, so no token is ever readable by script.
export const needsServerAddress = false;

export async function loadSession(): Promise<{ server: string; token: string | null }> {
  return { server: '', token: null };
}

export async function saveSession(_server: string, _token: string | null): Promise<void> {}

// Whether someone has signed in with this browser before: a first visit is
// offered to create an account, a returning one to sign in.
const returningKey = 'wmory.returning';

export async function isReturning(): Promise<boolean> {
  try {
    return globalThis.localStorage?.getItem(returningKey) === '1';
  } catch {
    return false;
  }
}

export async function markReturning(): Promise<void> {
  try {
    globalThis.localStorage?.setItem(returningKey, '1');
  } catch {
    // Storage refused (private mode): the next visit is a first one again.
  }
}
