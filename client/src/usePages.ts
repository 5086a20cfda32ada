import { useCallback, useEffect, useState } from 'react';
import type { Page } from './api';
import { errorMessage } from './ui';

/**
 * A list the server gives page by page (newest first, say): the first page on
 * mount, the next ones on request. fetch must keep its identity while its
 * list is the same (useCallback).
 */
export function usePages<T>(fetch: (cursor?: string) => Promise<Page<T>>) {
  const [items, setItems] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const load = useCallback(
    async (after?: string) => {
      setBusy(true);
      try {
        const page = await fetch(after);
        setItems((old) => (after ? [...(old ?? []), ...page.items] : page.items));
        setCursor(page.next_cursor || undefined);
      } catch (err) {
        setError(errorMessage(err));
      } finally {
        setBusy(false);
      }
    },
    [fetch],
  );
  useEffect(() => {
    load();
  }, [load]);
  return { items, error, busy, more: cursor ? () => load(cursor) : undefined };
}
