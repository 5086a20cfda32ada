// A group's gallery as the screens share it: the grid pages through it, the
// viewer swipes along it, uploads and deletions update it in place, and items
// still processing are checked again until they are ready.
import { router } from 'expo-router';
import React, { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { ApiError, type Api, type Media } from './api';
import { useSession } from './session';

export type GalleryState = {
  items: Media[];
  cursor?: string;
  loading: boolean;
  refreshing: boolean;
  done: boolean;
  error?: string;
  /** The server no longer knows the group for this account: removed, left, or deleted. */
  ended?: boolean;
};

/** A 404 for a group's own pages: access to it has ended. */
const accessEnded = (err: unknown) => err instanceof ApiError && err.status === 404;

const empty: GalleryState = { items: [], loading: false, refreshing: false, done: false };

/** Newest taken_at first, then newest id: the server's order, kept when items are added locally. */
export function byNewest(a: Media, b: Media): number {
  if (a.taken_at !== b.taken_at) return a.taken_at < b.taken_at ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** Puts fresh copies of items in place (or in order, if new) without duplicates. */
export function mergeMedia(items: Media[], fresh: Media[]): Media[] {
  const byId = new Map(items.map((m) => [m.id, m]));
  for (const m of fresh) byId.set(m.id, { ...byId.get(m.id), ...m });
  return [...byId.values()].sort(byNewest);
}

export class GalleryStore {
  private states = new Map<string, GalleryState>();
  private listeners = new Map<string, Set<() => void>>();

  constructor(private api: Api) {}

  setApi(api: Api) {
    if (api !== this.api) {
      this.api = api;
      this.states.clear();
    }
  }

  get(gid: string): GalleryState {
    return this.states.get(gid) ?? empty;
  }

  subscribe(gid: string, fn: () => void): () => void {
    if (!this.listeners.has(gid)) this.listeners.set(gid, new Set());
    this.listeners.get(gid)!.add(fn);
    return () => this.listeners.get(gid)?.delete(fn);
  }

  private set(gid: string, patch: Partial<GalleryState>) {
    this.states.set(gid, { ...this.get(gid), ...patch });
    for (const fn of this.listeners.get(gid) ?? []) fn();
  }

  async refresh(gid: string) {
    this.set(gid, { refreshing: true, error: undefined });
    try {
      const page = await this.api.gallery(gid);
      this.set(gid, { items: page.items, cursor: page.next_cursor || undefined, done: !page.next_cursor, refreshing: false });
    } catch (err) {
      if (accessEnded(err)) this.end(gid);
      else this.set(gid, { refreshing: false, error: (err as Error).message });
    }
  }

  /** Access ended: nothing of the group stays on screen. */
  end(gid: string) {
    this.set(gid, { items: [], cursor: undefined, error: undefined, refreshing: false, loading: false, ended: true });
  }

  /** Forgets a group (after its screens were left because access ended). */
  forget(gid: string) {
    this.states.delete(gid);
  }

  async loadMore(gid: string) {
    const s = this.get(gid);
    if (s.loading || s.done || s.refreshing) return;
    if (!s.cursor && s.items.length === 0) return this.refresh(gid);
    this.set(gid, { loading: true });
    try {
      const page = await this.api.gallery(gid, s.cursor);
      this.set(gid, {
        items: mergeMedia(this.get(gid).items, page.items),
        cursor: page.next_cursor || undefined,
        done: !page.next_cursor,
        loading: false,
      });
    } catch (err) {
      this.set(gid, { loading: false, error: (err as Error).message });
    }
  }

  /** Merges the newest page in: what others uploaded since appears without losing the scroll position. */
  async refreshHead(gid: string) {
    if (this.get(gid).refreshing) return;
    try {
      const page = await this.api.gallery(gid);
      this.set(gid, { items: mergeMedia(this.get(gid).items, page.items) });
    } catch (err) {
      if (accessEnded(err)) this.end(gid);
      else throw err;
    }
  }

  /** Items the server just answered with: it is reachable again, so an earlier error is over. */
  upsert(gid: string, media: Media[]) {
    this.set(gid, { items: mergeMedia(this.get(gid).items, media), error: undefined });
  }

  remove(gid: string, mid: string) {
    this.set(gid, { items: this.get(gid).items.filter((m) => m.id !== mid) });
  }

  /** Asks again about items still processing; returns whether any still are. */
  async poll(gid: string): Promise<boolean> {
    const pending = this.get(gid).items.filter((m) => m.status === 'processing').slice(0, 20);
    if (pending.length === 0) return false;
    const fresh = await Promise.all(pending.map((m) => this.api.media(m.id).catch(() => null)));
    const gone = pending.filter((_, i) => fresh[i] === null).map((m) => m.id);
    this.set(gid, {
      items: mergeMedia(
        this.get(gid).items.filter((m) => !gone.includes(m.id)),
        fresh.filter((m): m is Media => m !== null).map(({ original_url, ...m }) => m),
      ),
    });
    return this.get(gid).items.some((m) => m.status === 'processing');
  }
}

const GalleryContext = createContext<GalleryStore | null>(null);

export function GalleryProvider({ children }: { children: React.ReactNode }) {
  const { api } = useSession();
  const store = useRef<GalleryStore>(null as unknown as GalleryStore);
  if (!store.current) store.current = new GalleryStore(api);
  store.current.setApi(api);
  return <GalleryContext.Provider value={store.current}>{children}</GalleryContext.Provider>;
}

function useStore(): GalleryStore {
  const store = useContext(GalleryContext);
  if (!store) throw new Error('useGallery outside GalleryProvider');
  return store;
}

/**
 * Leaves a group's screens once access to it ended (removed, left elsewhere,
 * or the group deleted): its items go from the screen, and the list of groups
 * says why, once.
 */
export function useLeaveEnded(gid: string): () => void {
  const store = useStore();
  return useCallback(() => {
    store.forget(gid);
    // Out of every screen of the group, not just the top one.
    if (router.canDismiss()) router.dismissAll();
    router.replace({ pathname: '/', params: { ended: '1' } });
  }, [store, gid]);
}

export function useGallery(gid: string) {
  const store = useStore();
  const [state, setState] = useState(() => store.get(gid));
  useEffect(() => {
    setState(store.get(gid));
    return store.subscribe(gid, () => setState(store.get(gid)));
  }, [store, gid]);
  const leave = useLeaveEnded(gid);
  useEffect(() => {
    if (state.ended) leave();
  }, [state.ended, leave]);

  // Processing happens in the background on the server: look again every few
  // seconds while something is still processing, so thumbnails appear by themselves.
  const processing = state.items.some((m) => m.status === 'processing');
  useEffect(() => {
    if (!processing) return;
    const t = setInterval(() => store.poll(gid).catch(() => undefined), 2500);
    return () => clearInterval(t);
  }, [store, gid, processing]);

  // Others upload too: look for their new items now and then.
  useEffect(() => {
    const t = setInterval(() => store.refreshHead(gid).catch(() => undefined), 20000);
    return () => clearInterval(t);
  }, [store, gid]);

  return {
    ...state,
    refresh: useCallback(() => store.refresh(gid), [store, gid]),
    loadMore: useCallback(() => store.loadMore(gid), [store, gid]),
    upsert: useCallback((m: Media[]) => store.upsert(gid, m), [store, gid]),
    remove: useCallback((mid: string) => store.remove(gid, mid), [store, gid]),
  };
}
