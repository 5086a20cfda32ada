// A group's gallery as the screens share it: the grid pages through it, the
// viewer swipes along it, uploads and deletions update it in place, and items
// still processing are checked again until they are ready.
import { router } from 'expo-router';
import React, { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore } from 'react';
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

/** Which part of a gallery a list shows: one member's items, photos or videos, those the caller likes, items taken before a time. */
export type ListFilter = { uploader?: string; until?: string; kind?: 'photo' | 'video'; liked?: boolean; album?: string };

/** A filter as the address of a screen carries it (?by=UID&until=TIME&kind=video&liked=true). */
export type FilterParams = { by?: string; until?: string; kind?: string; liked?: string; album?: string };

export function filterFromParams(p: FilterParams): ListFilter {
  return {
    uploader: p.by || undefined,
    until: p.until || undefined,
    kind: p.kind === 'photo' || p.kind === 'video' ? p.kind : undefined,
    liked: p.liked === 'true' || undefined,
    album: p.album || undefined,
  };
}

export function filterParams(only: ListFilter): FilterParams {
  const out: FilterParams = {};
  if (only.uploader) out.by = only.uploader;
  if (only.until) out.until = only.until;
  if (only.kind) out.kind = only.kind;
  if (only.liked) out.liked = 'true';
  if (only.album) out.album = only.album;
  return out;
}

/**
 * A list the screens show: a group's whole gallery ("GID"), or part of it
 * ("GID?uploader=UID&until=TIME&kind=video&liked=true").
 */
export function listKey(gid: string, only: ListFilter = {}): string {
  const params = new URLSearchParams();
  if (only.uploader) params.set('uploader', only.uploader);
  if (only.until) params.set('until', only.until);
  if (only.kind) params.set('kind', only.kind);
  if (only.liked) params.set('liked', 'true');
  if (only.album) params.set('album', only.album);
  const q = params.toString();
  return q ? `${gid}?${q}` : gid;
}

function parseKey(key: string): { gid: string } & ListFilter {
  const [gid, q = ''] = key.split('?');
  const params = new URLSearchParams(q);
  return { gid, ...filterFromParams({ by: params.get('uploader') ?? undefined, until: params.get('until') ?? undefined, kind: params.get('kind') ?? undefined, liked: params.get('liked') ?? undefined, album: params.get('album') ?? undefined }) };
}

/** Whether an item belongs in a list. An item does not say which albums hold it: only the server adds to an album's list. */
function belongs(key: string, m: Media): boolean {
  const { gid, uploader, until, kind, liked, album } = parseKey(key);
  return (
    m.group_id === gid &&
    !album &&
    (!uploader || m.uploader.id === uploader) &&
    (!until || Date.parse(m.taken_at) < Date.parse(until)) &&
    (!kind || m.kind === kind) &&
    (!liked || m.liked_by_me)
  );
}

/** Whether the server still works on an item: its previews, or a video's rendition that plays everywhere. */
export function unsettled(m: Media): boolean {
  return m.status === 'processing' || m.playback_status === 'pending';
}

/** The items to look at again: those the server still works on, as many as one request names. */
export function stillProcessing(items: Media[]): string[] {
  return items.filter(unsettled).slice(0, 100).map((m) => m.id);
}

export class GalleryStore {
  private states = new Map<string, GalleryState>();
  private listeners = new Map<string, Set<() => void>>();

  constructor(private readonly api: Api) {}

  get(key: string): GalleryState {
    return this.states.get(key) ?? empty;
  }

  subscribe(key: string, fn: () => void): () => void {
    if (!this.listeners.has(key)) this.listeners.set(key, new Set());
    this.listeners.get(key)!.add(fn);
    return () => this.listeners.get(key)?.delete(fn);
  }

  private set(key: string, patch: Partial<GalleryState>) {
    this.states.set(key, { ...this.get(key), ...patch });
    for (const fn of this.listeners.get(key) ?? []) fn();
  }

  /** The lists held of a group: its gallery, and one member's items in it. */
  private listsOf(gid: string): string[] {
    return [...this.states.keys()].filter((k) => parseKey(k).gid === gid);
  }

  private page(key: string, cursor?: string) {
    const { gid, ...only } = parseKey(key);
    return this.api.gallery(gid, cursor, 60, only);
  }

  async refresh(key: string) {
    this.set(key, { refreshing: true, error: undefined });
    try {
      const page = await this.page(key);
      this.set(key, { items: page.items, cursor: page.next_cursor || undefined, done: !page.next_cursor, refreshing: false });
    } catch (err) {
      if (accessEnded(err)) this.end(key);
      else this.set(key, { refreshing: false, error: (err as Error).message });
    }
  }

  /** Access ended: nothing of the group stays on screen. */
  end(key: string) {
    this.set(key, { items: [], cursor: undefined, error: undefined, refreshing: false, loading: false, ended: true });
  }

  /** Forgets a group's lists (after its screens were left because access ended). */
  forget(gid: string) {
    for (const k of this.listsOf(gid)) this.states.delete(k);
  }

  async loadMore(key: string) {
    const s = this.get(key);
    if (s.loading || s.done || s.refreshing) return;
    if (!s.cursor && s.items.length === 0) return this.refresh(key);
    this.set(key, { loading: true });
    try {
      const page = await this.page(key, s.cursor);
      this.set(key, {
        items: mergeMedia(this.get(key).items, page.items),
        cursor: page.next_cursor || undefined,
        done: !page.next_cursor,
        loading: false,
      });
    } catch (err) {
      this.set(key, { loading: false, error: (err as Error).message });
    }
  }

  /** Merges the newest page in: what others uploaded since appears without losing the scroll position. */
  async refreshHead(key: string) {
    if (this.get(key).refreshing) return;
    try {
      const page = await this.page(key);
      this.set(key, { items: mergeMedia(this.get(key).items, page.items) });
    } catch (err) {
      if (accessEnded(err)) this.end(key);
      else throw err;
    }
  }

  /**
   * Items the server just answered with, put in every list of the group they
   * belong in: the server is reachable again, so an earlier error is over.
   */
  upsert(gid: string, media: Media[]) {
    const lists = new Set([gid, ...this.listsOf(gid)]);
    for (const k of lists) {
      const shown = new Set(this.get(k).items.map((m) => m.id));
      const fresh = media.filter((m) => belongs(k, m) || shown.has(m.id));
      if (fresh.length) this.set(k, { items: mergeMedia(this.get(k).items, fresh), error: undefined });
    }
  }

  /** An item is gone (deleted, or hidden): from every list of its group. */
  remove(gid: string, mid: string) {
    for (const k of this.listsOf(gid)) this.set(k, { items: this.get(k).items.filter((m) => m.id !== mid) });
  }

  /**
   * Asks again, in one request, about the items of a list still processing;
   * those the answer leaves out are gone. Returns whether any still process.
   */
  async poll(key: string): Promise<boolean> {
    const ids = stillProcessing(this.get(key).items);
    if (ids.length === 0) return false;
    const { gid } = parseKey(key);
    const page = await this.api.gallery(gid, undefined, ids.length, { ids });
    const found = new Set(page.items.map((m) => m.id));
    for (const mid of ids) if (!found.has(mid)) this.remove(gid, mid);
    this.upsert(gid, page.items);
    return this.get(key).items.some(unsettled);
  }
}

const GalleryContext = createContext<GalleryStore | null>(null);

export function GalleryProvider({ children }: { children: React.ReactNode }) {
  const { api } = useSession();
  // Another account (or server) starts from nothing.
  const store = useMemo(() => new GalleryStore(api), [api]);
  return <GalleryContext.Provider value={store}>{children}</GalleryContext.Provider>;
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

/** A group's gallery, or part of it, as the screens share it. */
export function useGallery(gid: string, only: ListFilter = {}) {
  const store = useStore();
  const key = listKey(gid, only);
  const state = useSyncExternalStore(
    useCallback((changed: () => void) => store.subscribe(key, changed), [store, key]),
    () => store.get(key),
  );
  const leave = useLeaveEnded(gid);
  useEffect(() => {
    if (state.ended) leave();
  }, [state.ended, leave]);

  // Processing happens in the background on the server: look again every few
  // seconds while something is still processing, so thumbnails appear by
  // themselves, and now and then while videos' renditions are being made
  // (they take longer, and the original plays meanwhile).
  const processing = state.items.some((m) => m.status === 'processing');
  const rendering = state.items.some(unsettled);
  useEffect(() => {
    if (!rendering) return;
    const t = setInterval(() => store.poll(key).catch(() => undefined), processing ? 2500 : 10000);
    return () => clearInterval(t);
  }, [store, key, processing, rendering]);

  // Others upload too: look for their new items now and then.
  useEffect(() => {
    const t = setInterval(() => store.refreshHead(key).catch(() => undefined), 20000);
    return () => clearInterval(t);
  }, [store, key]);

  return {
    ...state,
    refresh: useCallback(() => store.refresh(key), [store, key]),
    loadMore: useCallback(() => store.loadMore(key), [store, key]),
    upsert: useCallback((m: Media[]) => store.upsert(gid, m), [store, gid]),
    remove: useCallback((mid: string) => store.remove(gid, mid), [store, gid]),
  };
}
