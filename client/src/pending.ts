// Where to go after signing in, kept across the detour through the e-mail
// (sign up → verify in the link → sign in → the invite that started it all).
const key = 'wmory.next';
let memory: string | null = null;

const store = (): Storage | undefined => (typeof localStorage === 'undefined' ? undefined : localStorage);

/**
 * Only paths inside the app: never an absolute URL someone put in a link. Browsers
 * drop tabs and line breaks from URLs ("/\t/evil" becomes "//evil"), so any
 * control character or space disqualifies a path as well.
 */
export function safeNext(next: unknown): string | null {
  if (typeof next !== 'string' || !/^\/[^/\\]/.test(next) || /[\s\x00-\x1f\x7f\\]/.test(next)) return null;
  return next;
}

export function rememberNext(next: unknown) {
  const s = safeNext(next);
  if (!s) return;
  memory = s;
  try {
    store()?.setItem(key, s);
  } catch {}
}

export function takeNext(fromParams?: unknown): string {
  let saved: string | null = memory;
  try {
    saved = store()?.getItem(key) ?? saved;
    store()?.removeItem(key);
  } catch {}
  memory = null;
  return safeNext(fromParams) ?? safeNext(saved) ?? '/';
}
