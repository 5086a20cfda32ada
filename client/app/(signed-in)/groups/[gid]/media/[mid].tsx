import { router, useLocalSearchParams } from 'expo-router';
import { useVideoPlayer, VideoView } from 'expo-video';
import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ActivityIndicator, FlatList, Linking, Platform, Pressable, ScrollView, StyleSheet, Text, View, useWindowDimensions } from 'react-native';
import { useSafeAreaInsets } from 'react-native-safe-area-context';
import { reportReasons, type Comment, type Media, type ReportReason } from '@/api';
import { confirm } from '@/confirm';
import { filterFromParams, filterParams, useGallery, type FilterParams } from '@/gallery';
import { useSession } from '@/session';
import { Thumb } from '@/Thumb';
import { failureLabels, reasonLabels } from '@/labels';
import { useGroup } from '@/useGroup';
import { Button, Field, Notice, Row, Sheet, colors, errorMessage, formatDuration, formatWallClock } from '@/ui';
import { formatBytes } from '@/uploads';

export default function Viewer() {
  // Opened from part of the gallery (one member's items, ?by=UID; from a
  // month on, ?until=TIME; one kind; the liked ones), it swipes along that part.
  const { gid, mid, by, until, kind, liked } = useLocalSearchParams<{ gid: string; mid: string } & FilterParams>();
  const { api, user } = useSession();
  const only = useMemo(() => filterFromParams({ by, until, kind, liked }), [by, until, kind, liked]);
  const gallery = useGallery(gid, only);
  const { isModerator } = useGroup(gid);
  const { width, height } = useWindowDimensions();
  const insets = useSafeAreaInsets();
  const [single, setSingle] = useState<Media | null>(null);
  const [current, setCurrent] = useState(mid);
  const [details, setDetails] = useState<Media | null>(null);
  const [zoom, setZoom] = useState(1);
  // The point of the screen (as fractions of it) that stays put while zooming:
  // the pointer or the pinch, else the middle.
  const [focus, setFocus] = useState({ x: 0.5, y: 0.5 });
  const zoomAt = useCallback((next: (z: number) => number, at = { x: 0.5, y: 0.5 }) => {
    setFocus(at);
    setZoom(next);
  }, []);
  const [reporting, setReporting] = useState(false);
  const [commenting, setCommenting] = useState(false);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const list = useRef<FlatList<Media>>(null);

  // The address follows the item shown, so that a reload or a shared link
  // opens that one (replacing the entry: back still returns to the grid).
  useEffect(() => {
    if (current && current !== mid) router.setParams({ mid: current });
  }, [current, mid]);

  // Opened from a link rather than the grid: show the one item.
  const inGallery = gallery.items.some((m) => m.id === current);
  useEffect(() => {
    if (!inGallery && current) api.media(current).then(setSingle, (err) => setError(errorMessage(err)));
  }, [api, current, inGallery]);
  const items = useMemo(() => (inGallery ? gallery.items : single ? [single] : []), [inGallery, gallery.items, single]);
  const index = Math.max(0, items.findIndex((m) => m.id === current));
  const item = items[index];

  // The original's signed URL comes with the single item; fetch it for the one on screen.
  useEffect(() => {
    setDetails(null);
    setZoom(1);
    setNotice('');
    if (!current) return;
    let live = true;
    api.media(current).then((m) => live && setDetails(m), () => undefined);
    return () => {
      live = false;
    };
  }, [api, current]);

  const go = useCallback(
    (delta: number) => {
      const next = items[index + delta];
      if (!next) return;
      setCurrent(next.id);
      list.current?.scrollToIndex({ index: index + delta, animated: true });
      if (index + delta >= items.length - 3) gallery.loadMore();
    },
    [items, index, gallery],
  );

  const close = useCallback(
    () => (router.canGoBack() ? router.back() : router.replace({ pathname: '/groups/[gid]', params: { gid, ...filterParams(only) } })),
    [gid, only],
  );

  useEffect(() => {
    if (Platform.OS !== 'web') return;
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement)?.tagName === 'INPUT' || (e.target as HTMLElement)?.tagName === 'TEXTAREA') return;
      if (e.key === 'ArrowRight') go(1);
      else if (e.key === 'ArrowLeft') go(-1);
      else if (e.key === 'Escape' && reporting) setReporting(false);
      else if (e.key === 'Escape' && commenting) setCommenting(false);
      else if (e.key === 'Escape') close();
      else if (e.key === '+' || e.key === '=') zoomAt((z) => Math.min(4, z * 2));
      else if (e.key === '-') zoomAt((z) => Math.max(1, z / 2));
    };
    // Trackpad pinches arrive as ctrl+wheel; a plain wheel zooms too while zoomed.
    const onWheel = (e: WheelEvent) => {
      if (!e.ctrlKey) return;
      e.preventDefault();
      zoomAt((z) => (e.deltaY < 0 ? Math.min(4, z * 2) : Math.max(1, z / 2)), { x: e.clientX / window.innerWidth, y: e.clientY / window.innerHeight });
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('wheel', onWheel, { passive: false });
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('wheel', onWheel);
    };
  }, [go, zoomAt, reporting, commenting, close]);

  const canDelete = !!item && (item.uploader.id === user?.id || isModerator);

  async function remove() {
    if (!item || !(await confirm('Move to the trash?', "It disappears for everyone in the group. Its uploader and the group's admins can restore it from the trash until it is deleted for good (after 30 days, unless the server keeps it otherwise).", 'Move to trash'))) return;
    try {
      await api.deleteMedia(item.id);
      // On to the next item (the previous one at the end) before this one
      // leaves the list; back to the gallery when none is left.
      const next = items[index + 1] ?? items[index - 1];
      if (next) setCurrent(next.id);
      gallery.remove(item.id);
      if (!next) close();
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  const original = details?.id === item?.id ? details?.original_url : undefined;

  // A like shows at once; the server's answer follows.
  async function toggleLike() {
    if (!item) return;
    const liked = !item.liked_by_me;
    const update = (m: Media, on: boolean) => gallery.upsert([{ ...m, liked_by_me: on, like_count: Math.max(0, m.like_count + (on ? 1 : -1)) }]);
    update(item, liked);
    if (single?.id === item.id) setSingle({ ...item, liked_by_me: liked, like_count: Math.max(0, item.like_count + (liked ? 1 : -1)) });
    try {
      await (liked ? api.like(item.id) : api.unlike(item.id));
    } catch (err) {
      update({ ...item, liked_by_me: liked, like_count: item.like_count + (liked ? 1 : -1) }, !liked);
      setError(errorMessage(err));
    }
  }

  return (
    <View style={styles.root}>
      {items.length === 0 ? (
        <View style={styles.center}>{error ? <Text style={styles.text}>{error}</Text> : <ActivityIndicator color="#fff" />}</View>
      ) : (
        <FlatList
          ref={list}
          data={items}
          horizontal
          pagingEnabled
          scrollEnabled={zoom === 1}
          showsHorizontalScrollIndicator={false}
          keyExtractor={(m) => m.id}
          initialScrollIndex={index}
          getItemLayout={(_, i) => ({ length: width, offset: width * i, index: i })}
          onMomentumScrollEnd={(e) => {
            const i = Math.round(e.nativeEvent.contentOffset.x / width);
            if (items[i] && items[i].id !== current) setCurrent(items[i].id);
          }}
          onEndReached={gallery.loadMore}
          windowSize={3}
          renderItem={({ item: m }) => (
            <View style={{ width, height }}>
              {m.id === current ? (
                <Slide
                  media={m}
                  original={original}
                  zoom={zoom}
                  focus={focus}
                  width={width}
                  height={height}
                  onToggleZoom={(at) => zoomAt((z) => (z === 1 ? 2 : 1), at)}
                />
              ) : m.preview_url ? (
                <Thumb uri={m.preview_url} alt={`${m.kind === 'video' ? 'Video' : 'Photo'} by ${m.uploader.name}`} style={{ width, height }} fit="contain" />
              ) : null}
            </View>
          )}
        />
      )}

      <View style={[styles.top, { paddingTop: insets.top + 8 }]}>
        <Row wrap>
          <Pressable accessibilityRole="button" accessibilityLabel="Close" onPress={close} style={styles.iconButton}>
            <Text style={styles.icon}>✕</Text>
          </Pressable>
          <Text style={styles.text}>{items.length > 1 ? `${index + 1} / ${items.length}${gallery.done ? '' : '+'}` : ''}</Text>
        </Row>
        <Row wrap style={{ justifyContent: 'flex-end', flexShrink: 1 }}>
          {item?.kind === 'photo' ? (
            <>
              <ToolButton label="Zoom out" text="−" onPress={() => zoomAt((z) => Math.max(1, z / 2))} disabled={zoom === 1} />
              <ToolButton label="Zoom in" text="+" onPress={() => zoomAt((z) => Math.min(4, z * 2))} disabled={zoom >= 4} />
            </>
          ) : null}
          <ToolButton label={likeText(item)} text={likeText(item)} onPress={toggleLike} disabled={!item} />
          <ToolButton label={commentsText(item)} text={commentsText(item)} onPress={() => setCommenting(true)} disabled={!item} />
          <ToolButton label="Download original" text="Download" onPress={() => original && Linking.openURL(original)} disabled={!original} />
          <ToolButton label="Report" text="Report" onPress={() => setReporting(true)} disabled={!item} />
          {canDelete ? <ToolButton label="Delete" text="Delete" onPress={remove} /> : null}
        </Row>
      </View>

      {index > 0 ? <Arrow side="left" onPress={() => go(-1)} /> : null}
      {index < items.length - 1 ? <Arrow side="right" onPress={() => go(1)} /> : null}

      {item ? (
        <View style={[styles.bottom, { paddingBottom: insets.bottom + 12 }]} accessibilityRole="summary" testID="viewer-summary">
          <Text style={styles.textStrong}>{item.uploader.name}</Text>
          <Text style={styles.text}>
            {formatWallClock(item.taken_at_local)}
            {item.kind === 'video' && item.duration_ms ? ` · ${formatDuration(item.duration_ms)}` : ''}
            {item.width && item.height ? ` · ${item.width}×${item.height}` : ''} · {formatBytes(item.size)}
            {item.status !== 'ready' ? ` · ${item.status === 'processing' ? 'processing…' : failureLabels[item.failure_reason ?? 'processing_failed'].toLowerCase()}` : ''}
          </Text>
          {item.status === 'ready' && item.playback_status === 'pending' ? (
            <Text style={styles.text}>Playing the original: a version that plays on every device is being prepared.</Text>
          ) : null}
          {error ? <Text style={[styles.text, { color: '#ffb4a9' }]}>{error}</Text> : null}
          {notice ? <Text style={[styles.text, { color: '#b8e6c9' }]}>{notice}</Text> : null}
        </View>
      ) : null}

      {item && commenting ? (
        <CommentsSheet
          media={item}
          canModerate={isModerator}
          onClose={() => setCommenting(false)}
          onCount={(n) => gallery.upsert([{ ...item, comment_count: n }])}
        />
      ) : null}

      {item && reporting ? (
        <ReportSheet
          onClose={() => setReporting(false)}
          onSubmit={async (reason, text) => {
            await api.report(item.id, reason, text);
            setReporting(false);
            setNotice("Thanks. The group's admins will look at it.");
          }}
        />
      ) : null}
    </View>
  );
}

/** The like button says what it is and how many: "♡ Like", "♥ Liked · 3". */
const likeText = (m?: Media) => (m?.liked_by_me ? `♥ Liked · ${m.like_count}` : `♡ Like${m?.like_count ? ` · ${m.like_count}` : ''}`);
const commentsText = (m?: Media) => `Comments${m?.comment_count ? ` · ${m.comment_count}` : ''}`;

/** Photo formats every screen shows as they are, orientation included. */
const shownAsIs = ['image/jpeg', 'image/png', 'image/gif', 'image/avif'];

type Point = { x: number; y: number };

function Slide({ media, original, zoom, focus, width, height, onToggleZoom }: {
  media: Media;
  original?: string;
  zoom: number;
  focus: Point;
  width: number;
  height: number;
  onToggleZoom: (at: Point) => void;
}) {
  // Zooming keeps the image point under the focus where it is: from the
  // scroll position at the old zoom to the one at the new, within the image.
  const outer = useRef<ScrollView>(null);
  const inner = useRef<ScrollView>(null);
  const scrolled = useRef<Point>({ x: 0, y: 0 });
  const lastZoom = useRef(1);
  // The scroll can only be set once the larger content is laid out, which a
  // busy browser may do frames later than its size change says: it is set
  // again at each frame until the view is there (read from the page itself:
  // a late scroll event of the view before may still be on its way), for
  // three seconds at most, and at any later change of the content's size. On
  // the web the outer view scrolls both ways; on phones each view its own way.
  const pending = useRef<{ to: Point; frames: number } | null>(null);
  // Refs only: the same function for the slide's life.
  const applyPending = useCallback(() => {
    const step = () => {
      const p = pending.current;
      if (!p) return;
      const at = scrollPosition(outer.current);
      if (at && Math.abs(at.x - p.to.x) < 2 && Math.abs(at.y - p.to.y) < 2) {
        pending.current = null;
        return;
      }
      inner.current?.scrollTo({ x: p.to.x, animated: false });
      outer.current?.scrollTo({ x: p.to.x, y: p.to.y, animated: false });
      if (++p.frames < 180) requestAnimationFrame(step);
    };
    if (pending.current) pending.current.frames = 0;
    step();
  }, []);
  useEffect(() => {
    const z0 = lastZoom.current;
    lastZoom.current = zoom;
    if (zoom === 1) {
      scrolled.current = { x: 0, y: 0 };
      pending.current = null;
      return;
    }
    const px = focus.x * width;
    const py = focus.y * height;
    const clamp = (v: number, most: number) => Math.max(0, Math.min(most, v));
    const to = {
      x: clamp(((scrolled.current.x + px) / z0) * zoom - px, width * zoom - width),
      y: clamp(((scrolled.current.y + py) / z0) * zoom - py, height * zoom - height),
    };
    // A copy: the scroll events write into scrolled, and the view's first one
    // (still at the top) must not move the target.
    scrolled.current = { ...to };
    pending.current = { to, frames: 0 };
    requestAnimationFrame(applyPending);
  }, [zoom, focus, width, height, applyPending]);

  // The rendition that plays everywhere once it is made; the original until then.
  if (media.kind === 'video') return <VideoSlide uri={media.playback_url ?? original} poster={media.preview_url} width={width} height={height} />;
  if (!media.preview_url) {
    return (
      <View style={[styles.center, { width, height }]}>
        {media.status === 'processing' ? <ActivityIndicator color="#fff" /> : <Text style={styles.text}>{failureLabels[media.failure_reason ?? 'processing_failed']}.</Text>}
      </View>
    );
  }
  // The preview is a still of at most 1440 px: animations play from the
  // original, and past 2× the original shows its detail (when it is a format
  // the screen can show; HEIC stays the preview).
  // (A WebP may be animated too, but browsers ignore a WebP's EXIF
  // orientation: its upright preview is shown.)
  const animated = media.content_type === 'image/gif';
  const detailed = zoom >= 2 && shownAsIs.includes(media.content_type);
  const uri = original && (animated || detailed) ? original : media.preview_url;
  const image = (
    <Pressable
      onPress={(e) => {
        const { pageX, pageY } = e.nativeEvent;
        onToggleZoom(pageX || pageY ? { x: pageX / width, y: pageY / height } : { x: 0.5, y: 0.5 });
      }}
      accessibilityLabel={`Photo by ${media.uploader.name}. Activate to ${zoom === 1 ? 'zoom in' : 'zoom out'}.`} accessibilityRole="image">
      <Thumb uri={uri} alt="" style={{ width: width * zoom, height: height * zoom }} fit="contain" />
    </Pressable>
  );
  if (zoom === 1) return image;
  // Zoomed: scroll both ways to look around.
  return (
    <ScrollView ref={outer} style={{ width, height }} contentContainerStyle={{ width: width * zoom }} maximumZoomScale={4}
      onContentSizeChange={applyPending}
      onScrollBeginDrag={() => (pending.current = null)}
      onScroll={(e) => {
        const { x, y } = e.nativeEvent.contentOffset;
        scrolled.current.y = y;
        if (Platform.OS === 'web') scrolled.current.x = x;
      }} scrollEventThrottle={32}>
      <ScrollView ref={inner} horizontal contentContainerStyle={{ width: width * zoom, height: height * zoom }}
        onContentSizeChange={applyPending}
        onScroll={(e) => {
          if (Platform.OS !== 'web') scrolled.current.x = e.nativeEvent.contentOffset.x;
        }} scrollEventThrottle={32}>
        {image}
      </ScrollView>
    </ScrollView>
  );
}

/** Where a scroll view is now, on the web (its element says); null on phones, whose views only tell through events. */
function scrollPosition(view: ScrollView | null): Point | null {
  const node = (view as unknown as { getScrollableNode?: () => unknown } | null)?.getScrollableNode?.();
  if (typeof node !== 'object' || node === null || !('scrollLeft' in node)) return null;
  const { scrollLeft, scrollTop } = node as { scrollLeft: number; scrollTop: number };
  return { x: scrollLeft, y: scrollTop };
}

function VideoSlide({ uri, poster, width, height }: { uri?: string; poster?: string; width: number; height: number }) {
  const player = useVideoPlayer(uri ?? null, (p) => {
    p.loop = false;
  });
  if (!uri) {
    return (
      <View style={{ width, height }}>
        {poster ? <Thumb uri={poster} alt="Video poster" style={{ width, height }} fit="contain" /> : null}
        <ActivityIndicator color="#fff" style={StyleSheet.absoluteFill} />
      </View>
    );
  }
  return <VideoView player={player} style={{ width, height: height - 140, marginTop: 70 }} contentFit="contain" nativeControls accessibilityLabel="Video" />;
}

function ToolButton({ label, text, onPress, disabled }: { label: string; text: string; onPress: () => void; disabled?: boolean }) {
  return (
    <Pressable accessibilityRole="button" accessibilityLabel={label} onPress={onPress} disabled={disabled} style={[styles.tool, disabled && { opacity: 0.4 }]}>
      <Text style={styles.toolText}>{text}</Text>
    </Pressable>
  );
}

function Arrow({ side, onPress }: { side: 'left' | 'right'; onPress: () => void }) {
  return (
    <Pressable
      accessibilityRole="button"
      accessibilityLabel={side === 'left' ? 'Previous' : 'Next'}
      onPress={onPress}
      style={[styles.arrow, side === 'left' ? { left: 8 } : { right: 8 }]}
    >
      <Text style={styles.icon}>{side === 'left' ? '‹' : '›'}</Text>
    </Pressable>
  );
}

/** An item's comments: read, written, deleted (one's own; any, for the group's admins). */
function CommentsSheet({ media, canModerate, onClose, onCount }: { media: Media; canModerate: boolean; onClose: () => void; onCount: (n: number) => void }) {
  const { api, user } = useSession();
  const [comments, setComments] = useState<Comment[] | null>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    api.comments(media.id).then((p) => live && setComments(p.items), (err) => live && setError(errorMessage(err)));
    return () => {
      live = false;
    };
  }, [api, media.id]);
  const list = comments ?? [];
  return (
    <Sheet label="Comments">
          <Row style={{ justifyContent: 'space-between' }}>
            <Text style={styles.sheetTitle} accessibilityRole="header">
              Comments
            </Text>
            <Button small variant="secondary" title="Close" accessibilityLabel="Close the comments" onPress={onClose} />
          </Row>
          <ScrollView style={{ maxHeight: 320 }} contentContainerStyle={{ gap: 8 }}>
            {!comments ? <ActivityIndicator /> : null}
            {comments && list.length === 0 ? <Text style={{ color: colors.muted }}>No comments yet. Say something about this one.</Text> : null}
            {list.map((c) => (
              <View key={c.id} style={{ gap: 2 }} testID="comment">
                <Row style={{ justifyContent: 'space-between' }}>
                  <Text style={{ color: colors.text, fontWeight: '700' }}>{c.author.name}</Text>
                  {c.author.id === user?.id || canModerate ? (
                    <Button
                      small
                      variant="link"
                      title="Delete"
                      accessibilityLabel={`Delete the comment by ${c.author.name}`}
                      onPress={async () => {
                        try {
                          await api.deleteComment(c.id);
                          const rest = list.filter((x) => x.id !== c.id);
                          setComments(rest);
                          onCount(rest.length);
                        } catch (err) {
                          setError(errorMessage(err));
                        }
                      }}
                    />
                  ) : null}
                </Row>
                {/* Plain text, as typed: never markup. */}
                <Text style={{ color: colors.text }}>{c.text}</Text>
              </View>
            ))}
          </ScrollView>
          <Field label="Add a comment" value={text} onChangeText={setText} maxLength={1024} />
          <Notice>{error}</Notice>
          <Row style={{ justifyContent: 'flex-end' }}>
            <Button
              title="Send"
              disabled={!text.trim()}
              busy={busy}
              onPress={async () => {
                setBusy(true);
                setError('');
                try {
                  const c = await api.addComment(media.id, text);
                  const all = [...list, c];
                  setComments(all);
                  onCount(all.length);
                  setText('');
                } catch (err) {
                  setError(errorMessage(err));
                } finally {
                  setBusy(false);
                }
              }}
            />
          </Row>
    </Sheet>
  );
}

/**
 * A dialog over the viewer: an overlay in the viewer itself rather than a
 * Modal, so that it stays above the photo on every platform and Escape
 * closes it on the web.
 */
function ReportSheet({ onClose, onSubmit }: { onClose: () => void; onSubmit: (r: ReportReason, details: string) => Promise<void> }) {
  const [reason, setReason] = useState<ReportReason | null>(null);
  const [details, setDetails] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  return (
    <Sheet label="Report this item">
          <Text style={styles.sheetTitle} accessibilityRole="header">
            Report this item
          </Text>
          <Text style={{ color: colors.muted }}>{"The group's admins will see your report. The uploader will not see who reported it."}</Text>
          <View role="radiogroup" aria-label="Reason" style={{ gap: 6 }}>
            {reportReasons.map((r) => (
              <Pressable
                key={r}
                role="radio"
                aria-checked={reason === r}
                accessibilityLabel={reasonLabels[r]}
                onPress={() => setReason(r)}
                style={[styles.reason, reason === r && styles.reasonOn]}
              >
                <Text style={{ color: colors.text }}>
                  {reason === r ? '◉' : '○'} {reasonLabels[r]}
                </Text>
              </Pressable>
            ))}
          </View>
          <Field label="Details (optional)" value={details} onChangeText={setDetails} multiline />
          <Notice>{error}</Notice>
          <Row style={{ justifyContent: 'flex-end' }}>
            <Button title="Cancel" variant="secondary" onPress={onClose} />
            <Button
              title="Send report"
              disabled={!reason}
              busy={busy}
              onPress={async () => {
                setBusy(true);
                setError('');
                try {
                  await onSubmit(reason!, details.trim());
                  setReason(null);
                  setDetails('');
                } catch (err) {
                  setError(errorMessage(err));
                } finally {
                  setBusy(false);
                }
              }}
            />
          </Row>
    </Sheet>
  );
}

const styles = StyleSheet.create({
  root: { flex: 1, backgroundColor: '#000' },
  center: { flex: 1, alignItems: 'center', justifyContent: 'center' },
  top: {
    position: 'absolute',
    top: 0,
    left: 0,
    right: 0,
    flexDirection: 'row',
    justifyContent: 'space-between',
    alignItems: 'center',
    paddingHorizontal: 12,
    paddingBottom: 8,
    backgroundColor: 'rgba(0,0,0,0.45)',
    gap: 8,
  },
  bottom: { position: 'absolute', left: 0, right: 0, bottom: 0, paddingHorizontal: 16, paddingTop: 10, backgroundColor: 'rgba(0,0,0,0.45)', gap: 2 },
  text: { color: '#eee', fontSize: 14 },
  textStrong: { color: '#fff', fontSize: 15, fontWeight: '700' },
  iconButton: { padding: 8 },
  icon: { color: '#fff', fontSize: 26, fontWeight: '600' },
  tool: { paddingHorizontal: 10, paddingVertical: 6, borderRadius: 8, borderWidth: 1, borderColor: 'rgba(255,255,255,0.5)' },
  toolText: { color: '#fff', fontSize: 14, fontWeight: '600' },
  arrow: { position: 'absolute', top: '45%', width: 48, height: 64, alignItems: 'center', justifyContent: 'center', backgroundColor: 'rgba(0,0,0,0.35)', borderRadius: 10 },
  sheetTitle: { fontSize: 20, fontWeight: '700', color: colors.text },
  reason: { padding: 10, borderRadius: 8, borderWidth: 1, borderColor: colors.border },
  reasonOn: { borderColor: colors.accent, backgroundColor: '#fbeee8' },
});
