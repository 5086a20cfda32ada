// Where to go after signing in, kept across the detour through the e-mail
// (sign up → verify in the link → sign in → the invite that started it all).
const key = 'wmory.next';
let memory: string | null = null;

const store = (): Storage | undefined => (typeof localStorage === 'undefined' ? undefined : localStorage);

/** Only paths inside the app: never an absolute URL someone put in a link. */
export function safeNext(next: unknown): string | null {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.includes('\\') ? next : null;
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
