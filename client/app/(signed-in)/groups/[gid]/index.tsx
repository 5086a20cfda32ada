import { Link, Stack, router, useLocalSearchParams } from 'expo-router';
import React, { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ActivityIndicator, FlatList, Platform, Pressable, RefreshControl, StyleSheet, Text, View, useWindowDimensions } from 'react-native';
import type { Album, Api, Media, Member, Month, Page } from '@/api';
import { SelectionBar, useSelection } from '@/GallerySelection';
import { confirm } from '@/confirm';
import { saveItems } from '@/save';
import { daySelected } from '@/selection';
import { filterFromParams, filterParams, useGallery, type FilterParams, type ListFilter } from '@/gallery';
import { gridRows, initials, jumpTargets, personColor, type GridRow } from '@/grid';
import { failureLabels } from '@/labels';
import { canDropFiles, onDroppedFiles, pickMedia, takePhoto } from '@/pick';
import { useSession } from '@/session';
import { Thumb } from '@/Thumb';
import { canReopenFiles, resumeBook } from '@/resumes';
import { hashFile, sendFile, sendPart } from '@/transfer';
import { UnfinishedUploads, UploadPanel } from '@/UploadPanel';
import { UploadQueue, type PickedFile, type QueueSnapshot, type ResumeRecord } from '@/uploads';
import { useGroup } from '@/useGroup';
import { Body, Button, Field, Notice, Row, colors, errorMessage, formatDuration } from '@/ui';

export default function Gallery() {
  // ?by=UID shows the items one member added; ?until=TIME the gallery from a
  // month on; ?kind=photo|video one kind; ?liked=true the caller's liked items.
  const { gid, by, until, kind, liked, album } = useLocalSearchParams<{ gid: string } & FilterParams>();
  const only = useMemo(() => filterFromParams({ by, until, kind, liked, album }), [by, until, kind, liked, album]);
  const { api, quota, user, refresh: refreshMe } = useSession();
  const { group, error: groupError, reload: reloadGroup, isModerator } = useGroup(gid);
  const gallery = useGallery(gid, only);
  // Opened on an album (?album=AID): its name, and what can be done with it.
  const albums = useList(useCallback((a: Api) => (album ? a.albums(gid) : null), [gid, album]));
  const [renaming, setRenaming] = useState<string | undefined>(undefined);
  const [renamed, setRenamed] = useState<Album | undefined>(undefined);
  const listed: Album | undefined = albums.find((a) => a.id === album);
  const shownAlbum = renamed?.id === album ? renamed : listed;
  const [saving, setSaving] = useState('');
  const [saveError, setSaveError] = useState('');
  // Asked again when the counts change; the months as items become ready
  // (processing reads their capture time, which places them).
  const memberCount = group?.member_count ?? 0;
  const members = useList(useCallback((a: Api) => (memberCount > 1 ? a.members(gid) : null), [gid, memberCount]));
  const readyCount = gallery.items.filter((m) => m.status === 'ready').length;
  const months = useList(useCallback((a: Api) => (readyCount > 0 ? a.galleryMonths(gid) : null), [gid, readyCount]));
  const { width } = useWindowDimensions();
  const [dragging, setDragging] = useState(false);
  const [pickError, setPickError] = useState('');
  const [queueState, setQueueState] = useState<QueueSnapshot>({ items: [], sent: 0, total: 0, done: 0, uploaded: 0, duplicates: 0, failed: 0, active: false });

  // What the person just uploaded: once the batch is over the gallery says
  // how many were added and can show exactly those, wherever their dates put them.
  const [addedInBatch, setAddedInBatch] = useState<string[]>([]);
  const [added, setAdded] = useState<string[]>([]);
  const [onlyAdded, setOnlyAdded] = useState(false);
  const { upsert: upsertGallery, refresh: refreshGallery } = gallery;
  const [queue] = useState(
    () =>
      new UploadQueue(
        {
          authorize: (f) => api.authorizeUpload(gid, f),
          complete: (id) => api.completeUpload(id),
          abandon: (id) => api.abandonUpload(id),
          send: sendFile,
          hash: hashFile,
          parts: {
            gid,
            authorize: (f) => api.authorizeResumable(gid, f),
            sign: (id, numbers) => api.signParts(id, numbers),
            progress: (id) => api.uploadProgress(id),
            send: sendPart,
            media: (id) => api.media(id),
            book: resumeBook,
          },
        },
        3,
        (m) => {
          upsertGallery([m]);
          setAddedInBatch((ids) => [...ids, m.id]);
        },
      ),
  );
  useEffect(() => {
    const unsubscribe = queue.subscribe(setQueueState);
    return () => {
      unsubscribe();
      queue.dispose();
    };
  }, [queue]);
  // Each item added changes the count above the grid: it follows the tiles.
  useEffect(() => {
    if (queueState.uploaded > 0) reloadGroup();
  }, [queueState.uploaded, reloadGroup]);
  // When a batch finishes, the quota meter and the counts are out of date.
  const wasActive = useRef(false);
  useEffect(() => {
    if (wasActive.current && !queueState.active) {
      refreshMe().catch(() => undefined);
      reloadGroup();
      // Each batch's own: one that added nothing clears the last one's.
      setAdded(addedInBatch);
      setOnlyAdded(false);
      setAddedInBatch([]);
    }
    wasActive.current = queueState.active;
  }, [queueState.active, refreshMe, reloadGroup, addedInBatch]);

  useEffect(() => {
    refreshGallery();
  }, [refreshGallery]);
  // Opening the group is looking at it: its "new" count starts again.
  useEffect(() => {
    api.markSeen(gid).catch(() => undefined);
  }, [api, gid]);
  const showBy = (uid?: string) => router.setParams({ by: uid });
  const showOnly = (show: Show) => router.setParams({ kind: show === 'photo' || show === 'video' ? show : undefined, liked: show === 'liked' ? 'true' : undefined });
  const jumpTo = (to?: string) => router.setParams({ until: to });
  const refreshAll = () => {
    refreshGallery();
    reloadGroup();
  };

  const add = useCallback((files: PickedFile[]) => files.length && queue.add(files), [queue]);

  // Large files left unfinished by an earlier visit (a reload, the app
  // closed): offered again, and resumed when picked again.
  const [unfinished, setUnfinished] = useState<ResumeRecord[]>([]);
  const inQueue = queueState.items.map((i) => `${i.name}|${i.size}`).join('/');
  useEffect(() => {
    let live = true;
    resumeBook.list().then((all) => {
      const queued = new Set(inQueue.split('/'));
      if (live) setUnfinished(all.filter((r) => r.key.startsWith(`${gid}|`) && !queued.has(`${r.name}|${r.size}`)));
    });
    return () => {
      live = false;
    };
  }, [gid, inQueue]);
  const discard = async (r: ResumeRecord) => {
    await api.abandonUpload(r.uploadId).catch(() => undefined);
    await resumeBook.forget(r.key);
    setUnfinished((list) => list.filter((x) => x.key !== r.key));
  };
  const resume = (r: ResumeRecord) => r.uri && add([{ name: r.name, size: r.size, type: r.type, body: { uri: r.uri }, uri: r.uri }]);
  useEffect(() => onDroppedFiles(add, setDragging), [add]);

  async function pick(from: () => Promise<PickedFile[]>) {
    setPickError('');
    try {
      add(await from());
    } catch (err) {
      setPickError(errorMessage(err));
    }
  }

  // On a phone the actions stay on one row.
  const compact = width < 520;
  // Tiles of about 160 px, at least three across, filling the width.
  const contentWidth = Math.min(width, 1200);
  const columns = Math.max(3, Math.floor(contentWidth / 160));
  const gap = 3;
  const tile = Math.floor((contentWidth - 16 - gap * (columns - 1)) / columns);

  const shown = useMemo(() => (onlyAdded ? gallery.items.filter((m) => added.includes(m.id)) : gallery.items), [onlyAdded, gallery.items, added]);
  const selection = useSelection(shown);
  const { selecting, selected, onTile, onDay } = selection;
  const select = useMemo(() => (selecting ? { selected, onTile, onDay, items: shown } : undefined), [selecting, selected, onTile, onDay, shown]);

  async function downloadAll() {
    setSaving('all');
    setSaveError('');
    try {
      setSaving(await saveItems(api, gid, album ? { album_id: album } : {}));
    } catch (err) {
      setSaving('');
      setSaveError(errorMessage(err));
    }
  }

  async function deleteAlbum() {
    if (!shownAlbum || !(await confirm(`Delete the album ${shownAlbum.name}?`, 'Its photos and videos stay in the group.', 'Delete album'))) return;
    try {
      await api.deleteAlbum(shownAlbum.id);
      router.replace({ pathname: '/groups/[gid]/albums', params: { gid } });
    } catch (err) {
      setSaveError(errorMessage(err));
    }
  }

  const header = (
    <View style={{ gap: 10, paddingVertical: 12 }}>
      <Row wrap style={{ justifyContent: 'space-between' }}>
        <View style={{ flexShrink: 1 }}>
          <Text style={styles.title} accessibilityRole="header">
            {album ? (shownAlbum?.name ?? ' ') : (group?.name ?? ' ')}
          </Text>
          {album && shownAlbum ? (
            <Text style={styles.meta}>
              An album of {group?.name} · {shownAlbum.media_count} {shownAlbum.media_count === 1 ? 'item' : 'items'}
            </Text>
          ) : group ? (
            <Text style={styles.meta}>
              {group.media_count} {group.media_count === 1 ? 'item' : 'items'} · {group.member_count} {group.member_count === 1 ? 'member' : 'members'}
            </Text>
          ) : null}
        </View>
        <Row wrap style={{ flexShrink: 1 }}>
          {album ? null : (
            <>
              <Button small={compact} title="Upload" onPress={() => pick(pickMedia)} accessibilityLabel="Upload photos and videos" />
              {takePhoto ? <Button small={compact} title="Camera" variant="secondary" onPress={() => pick(takePhoto!)} /> : null}
              <Link href={`/groups/${gid}/members`} asChild>
                <Button small={compact} role="link" title="Members" variant="secondary" />
              </Link>
              <Link href={`/groups/${gid}/reports`} asChild>
                <Button small={compact} role="link" title={isModerator ? 'Reports' : 'My reports'} variant="secondary" />
              </Link>
              <Link href={`/groups/${gid}/activity`} asChild>
                <Button small={compact} role="link" title="What's new" variant="secondary" />
              </Link>
            </>
          )}
          <Link href={`/groups/${gid}/albums`} asChild>
            <Button small={compact} role="link" title="Albums" variant="secondary" />
          </Link>
          {album ? null : (
            <Link href={`/groups/${gid}/trash`} asChild>
              <Button small={compact} role="link" title="Trash" variant="secondary" />
            </Link>
          )}
          {selection.selecting ? null : <Button small={compact} title="Select" variant="secondary" onPress={selection.start} />}
          <Button small={compact} title={album ? 'Download album' : 'Download all'} variant="secondary" busy={saving === 'all'} onPress={downloadAll} />
          {album && shownAlbum && (shownAlbum.created_by === user?.id || isModerator) ? (
            <>
              <Button small={compact} title="Rename" variant="secondary" onPress={() => setRenaming(shownAlbum.name)} />
              <Button small={compact} title="Delete album" variant="danger" onPress={deleteAlbum} />
            </>
          ) : null}
          {isModerator && !album ? (
            <Link href={`/groups/${gid}/audit`} asChild>
              <Button small={compact} role="link" title="Audit log" variant="secondary" />
            </Link>
          ) : null}
          {Platform.OS === 'web' ? <Button small={compact} title="Refresh" variant="secondary" onPress={refreshAll} busy={gallery.refreshing} /> : null}
        </Row>
      </Row>
      {canDropFiles && width >= 700 ? <Text style={styles.meta}>Tip: drop photos and videos anywhere on this page to upload them.</Text> : null}
      {renaming !== undefined && shownAlbum ? (
        <Row wrap style={{ alignItems: 'flex-end' }}>
          <View style={{ flexGrow: 1, maxWidth: 360 }}>
            <Field label="Album name" value={renaming} onChangeText={setRenaming} autoCapitalize="sentences" />
          </View>
          <Button
            small
            title="Save name"
            disabled={!renaming.trim()}
            onPress={async () => {
              try {
                setRenamed(await api.renameAlbum(shownAlbum.id, renaming.trim()));
                setRenaming(undefined);
              } catch (err) {
                setSaveError(errorMessage(err));
              }
            }}
          />
          <Button small variant="secondary" title="Cancel" onPress={() => setRenaming(undefined)} />
        </Row>
      ) : null}
      <Notice>{groupError || pickError || gallery.error || saveError}</Notice>
      {saving && saving !== 'all' ? <Notice kind="ok">{saving}</Notice> : null}
      <UnfinishedUploads records={unfinished} onResume={canReopenFiles ? resume : undefined} onDiscard={discard} />
      <UploadPanel
        queue={queueState}
        quota={quota}
        onRetry={(id) => queue.retry(id)}
        onRetryAll={() => queue.retryAll()}
        onClear={() => queue.clearFinished()}
      />
      {added.length > 0 ? (
        <Row wrap style={styles.added}>
          <Text style={styles.addedText} accessibilityRole="text">
            {onlyAdded ? `Showing the ${added.length} you just added` : `${added.length} added`}
          </Text>
          <Button small variant="link" title={onlyAdded ? 'Show everything' : added.length === 1 ? 'Show it' : 'Show them'} onPress={() => setOnlyAdded((o) => !o)} />
          <Button small variant="link" title="Dismiss" onPress={() => { setAdded([]); setOnlyAdded(false); }} />
        </Row>
      ) : null}
      <ShowFilter selected={only.liked ? 'liked' : (only.kind ?? 'all')} onSelect={showOnly} />
      {members.length > 1 ? <WhoFilter members={members} selected={by || undefined} onSelect={showBy} /> : null}
      {!album && (months.length > 2 || until) ? <MonthJump months={months} until={until || undefined} onJump={jumpTo} /> : null}
      {!gallery.refreshing && gallery.items.length === 0 && gallery.done ? (
        <Body muted>
          {album
            ? 'This album is empty: select photos and videos in the gallery, and add them to it.'
            : only.liked
            ? 'Nothing liked here yet: tap ♡ Like on the photos and videos you love, and find them here.'
            : by || only.kind
              ? 'Nothing like that here yet.'
              : 'Nothing here yet. Upload the first photos, and invite the others from Members.'}
        </Body>
      ) : null}
    </View>
  );

  const rows = useMemo(() => gridRows(shown, columns), [shown, columns]);

  return (
    <View style={{ flex: 1, backgroundColor: colors.bg }}>
      <Stack.Screen options={{ title: album ? `${group?.name ?? ''} · ${shownAlbum?.name ?? 'Album'}` : (group?.name ?? 'Gallery') }} />
      <FlatList
        style={{ flex: 1 }}
        contentContainerStyle={{ width: '100%', maxWidth: 1200, alignSelf: 'center', paddingHorizontal: 8, paddingBottom: selection.selecting ? 160 : 40 }}
        data={rows}
        keyExtractor={(r) => r.key}
        ListHeaderComponent={header}
        renderItem={({ item }) => <GridRowView row={item} size={tile} gap={gap} gid={gid} only={only} select={select} />}
        onEndReached={gallery.loadMore}
        onEndReachedThreshold={1.5}
        initialNumToRender={8}
        windowSize={7}
        refreshControl={<RefreshControl refreshing={gallery.refreshing} onRefresh={refreshAll} />}
        ListFooterComponent={gallery.loading ? <ActivityIndicator color={colors.accent} style={{ margin: 20 }} /> : null}
      />
      {selection.selecting ? (
        <SelectionBar
          gid={gid}
          items={shown}
          selected={selection.selected}
          albumId={album || undefined}
          canTrash={isModerator || shown.every((m) => !selection.selected.has(m.id) || m.uploader.id === user?.id)}
          onTrashed={(ids) => {
            for (const id of ids) gallery.remove(id);
            selection.clear();
            reloadGroup();
          }}
          onTakenOut={() => {
            selection.clear();
            refreshGallery();
          }}
          onDone={selection.end}
        />
      ) : null}
      {dragging ? (
        <View style={styles.drop} pointerEvents="none">
          <Text style={styles.dropText}>Drop to upload to {group?.name}</Text>
        </View>
      ) : null}
    </View>
  );
}

/**
 * A list the screen shows beside the gallery (the members, the months), asked
 * for again whenever `load` changes; `load` answers null while there is
 * nothing to ask.
 */
function useList<T>(load: (api: Api) => Promise<Page<T>> | null): T[] {
  const { api } = useSession();
  const [items, setItems] = useState<T[]>([]);
  useEffect(() => {
    let live = true;
    load(api)?.then(
      (page) => live && setItems(page.items),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, load]);
  return items;
}

/** Jump to a month (or year) of a long gallery, and back to the newest: the choice stays in the address (?until=). */
function MonthJump({ months, until, onJump }: { months: Month[]; until?: string; onJump: (until?: string) => void }) {
  return (
    <View style={styles.whoFilter} role="radiogroup" aria-label="Jump to a month">
      <Text style={styles.meta}>Jump to</Text>
      <Chip label="Newest" selected={!until} onPress={() => onJump(undefined)} />
      {jumpTargets(months).map((j) => (
        <Chip key={j.key} label={`${j.label} · ${j.count}`} selected={until === j.until} onPress={() => onJump(j.until)} />
      ))}
    </View>
  );
}

type Show = 'all' | 'photo' | 'video' | 'liked';

/** Everything, photos, videos, or what the caller likes: the choice stays in the address (?kind=, ?liked=). */
function ShowFilter({ selected, onSelect }: { selected: Show; onSelect: (show: Show) => void }) {
  const choices: [Show, string][] = [['all', 'Everything'], ['photo', 'Photos'], ['video', 'Videos'], ['liked', '♥ Liked']];
  return (
    <View style={styles.whoFilter} role="radiogroup" aria-label="Show">
      <Text style={styles.meta}>Show</Text>
      {choices.map(([show, label]) => (
        <Chip key={show} label={label} selected={selected === show} onPress={() => onSelect(show)} />
      ))}
    </View>
  );
}

/** Everyone's items, or one member's: the choice stays in the address (?by=). */
function WhoFilter({ members, selected, onSelect }: { members: Member[]; selected?: string; onSelect: (uid?: string) => void }) {
  return (
    <View style={styles.whoFilter} role="radiogroup" aria-label="Added by">
      <Text style={styles.meta}>Added by</Text>
      <Chip label="Everyone" selected={!selected} onPress={() => onSelect(undefined)} />
      {members.map((m) => (
        <Chip key={m.user_id} label={m.name} selected={selected === m.user_id} onPress={() => onSelect(m.user_id)} color={personColor(m.user_id)} />
      ))}
    </View>
  );
}

function Chip({ label, selected, onPress, color }: { label: string; selected: boolean; onPress: () => void; color?: string }) {
  return (
    <Pressable
      role="radio"
      aria-checked={selected}
      aria-label={label}
      onPress={onPress}
      style={[styles.chip, selected && styles.chipSelected]}
    >
      {color ? <View style={[styles.dot, { backgroundColor: color }]} /> : null}
      <Text style={[styles.chipText, selected && styles.chipTextSelected]} numberOfLines={1}>
        {label}
      </Text>
    </Pressable>
  );
}

/** In select mode: what is selected, and the taps that change it. */
type Select = { selected: ReadonlySet<string>; onTile: (id: string, shift: boolean) => void; onDay: (day: string) => void; items: Media[] };

/** A day's heading, or a row of tiles. */
const GridRowView = React.memo(function GridRowView({ row, size, gap, gid, only, select }: { row: GridRow; size: number; gap: number; gid: string; only: ListFilter; select?: Select }) {
  if (row.kind === 'day') {
    const all = select ? daySelected(select.items, select.selected, row.day) : false;
    return (
      <View style={styles.day}>
        <Text style={styles.dayText} accessibilityRole="header">
          {row.label}
        </Text>
        <Text style={styles.meta}>{row.count === 1 ? '1 item' : `${row.count} items`}</Text>
        {select ? (
          <Button small variant="link" title={all ? 'Clear day' : 'Select day'} accessibilityLabel={`${all ? 'Clear day' : 'Select day'}: ${row.label}`} onPress={() => select.onDay(row.day)} />
        ) : null}
      </View>
    );
  }
  return (
    <View style={{ flexDirection: 'row', gap, marginBottom: gap }}>
      {row.items.map((m) => (
        <Tile key={m.id} media={m} size={size} gid={gid} only={only} select={select} />
      ))}
    </View>
  );
});

const Tile = React.memo(function Tile({ media, size, gid, only, select }: { media: Media; size: number; gid: string; only: ListFilter; select?: Select }) {
  // The link's name says what a sighted person sees: kind, who, a video's length, the state.
  const failure = failureLabels[media.failure_reason ?? 'processing_failed'];
  const label = `${media.kind === 'video' ? 'Video' : 'Photo'} by ${media.uploader.name}${media.kind === 'video' && media.duration_ms ? `, ${formatDuration(media.duration_ms)}` : ''}${media.status === 'processing' ? ', processing' : media.status === 'failed' ? `, ${failure.toLowerCase()}` : ''}${media.like_count ? `, ${media.like_count} ${media.like_count === 1 ? 'like' : 'likes'}` : ''}${media.comment_count ? `, ${media.comment_count} ${media.comment_count === 1 ? 'comment' : 'comments'}` : ''}`;
  const ready = media.status === 'ready' && !!media.thumbnail_url;
  if (select) {
    const on = select.selected.has(media.id);
    return (
      <Pressable
        role="checkbox"
        aria-checked={on}
        accessibilityLabel={label}
        onPress={(e) => select.onTile(media.id, !!(e.nativeEvent as { shiftKey?: boolean }).shiftKey)}
        style={{ width: size, height: size }}
        testID={`tile-${media.status}`}
      >
        {ready ? (
          <Thumb uri={media.thumbnail_url!} alt="" style={{ width: size, height: size, backgroundColor: colors.placeholder, opacity: on ? 0.7 : 1 }} recyclingKey={media.id} />
        ) : (
          <View style={[styles.placeholder, { width: size, height: size }]} />
        )}
        <View style={[styles.check, on && styles.checkOn]} pointerEvents="none" aria-hidden>
          <Text style={styles.checkText}>{on ? '✓' : ''}</Text>
        </View>
      </Pressable>
    );
  }
  return (
    <View style={{ width: size, height: size }}>
      <Link href={{ pathname: '/groups/[gid]/media/[mid]', params: { gid, mid: media.id, ...filterParams(only) } }} asChild>
        <Pressable
          accessibilityRole="link"
          accessibilityLabel={label}
          style={{ width: size, height: size }}
          testID={`tile-${media.status}`}
        >
          {ready ? (
            <Thumb uri={media.thumbnail_url!} alt="" style={{ width: size, height: size, backgroundColor: colors.placeholder }} recyclingKey={media.id} />
          ) : (
            <View style={[styles.placeholder, { width: size, height: size }]}>
              {media.status === 'processing' ? <ActivityIndicator color={colors.muted} /> : <Text style={styles.failed}>{failure}</Text>}
            </View>
          )}
          {media.kind === 'video' ? (
            <View style={styles.badge}>
              <Text style={styles.badgeText}>▶ {formatDuration(media.duration_ms)}</Text>
            </View>
          ) : null}
        </Pressable>
      </Link>
      {/* Likes and comments at a glance; the link's name says them already. */}
      {media.like_count > 0 || media.comment_count > 0 ? (
        <View style={[styles.badge, styles.together]} pointerEvents="none" aria-hidden>
          <Text style={styles.badgeText}>
            {media.like_count > 0 ? `♥ ${media.like_count}` : ''}
            {media.like_count > 0 && media.comment_count > 0 ? '  ' : ''}
            {media.comment_count > 0 ? `💬 ${media.comment_count}` : ''}
          </Text>
        </View>
      ) : null}
      {/* Who added it, at a glance; outside the link, whose name says it already. */}
      <View style={[styles.who, { backgroundColor: personColor(media.uploader.id) }]} pointerEvents="none" aria-hidden>
        <Text style={styles.whoText}>{initials(media.uploader.name)}</Text>
      </View>
    </View>
  );
});

const styles = StyleSheet.create({
  whoFilter: { flexDirection: 'row', flexWrap: 'wrap', alignItems: 'center', gap: 6 },
  day: { flexDirection: 'row', alignItems: 'baseline', gap: 8, paddingTop: 14, paddingBottom: 8 },
  dayText: { fontSize: 16, fontWeight: '700', color: colors.text },
  chip: {
    flexDirection: 'row',
    alignItems: 'center',
    gap: 6,
    borderWidth: 1,
    borderColor: colors.border,
    backgroundColor: colors.card,
    borderRadius: 16,
    paddingHorizontal: 10,
    paddingVertical: 5,
    maxWidth: 180,
  },
  chipSelected: { backgroundColor: colors.text, borderColor: colors.text },
  chipText: { fontSize: 13, color: colors.text },
  chipTextSelected: { color: colors.card, fontWeight: '600' },
  dot: { width: 10, height: 10, borderRadius: 5 },
  who: { position: 'absolute', left: 6, bottom: 6, minWidth: 22, height: 22, borderRadius: 11, alignItems: 'center', justifyContent: 'center', paddingHorizontal: 4 },
  whoText: { color: '#fff', fontSize: 10, fontWeight: '700' },
  check: { position: 'absolute', top: 6, right: 6, width: 24, height: 24, borderRadius: 12, borderWidth: 2, borderColor: '#fff', backgroundColor: 'rgba(0,0,0,0.25)', alignItems: 'center', justifyContent: 'center' },
  checkOn: { backgroundColor: colors.accent, borderColor: colors.accent },
  checkText: { color: '#fff', fontSize: 14, fontWeight: '800', lineHeight: 16 },
  added: { alignItems: 'center', gap: 8 },
  addedText: { fontSize: 14, fontWeight: '600', color: colors.text },
  title: { fontSize: 24, fontWeight: '700', color: colors.text },
  meta: { fontSize: 13, color: colors.muted },
  placeholder: { backgroundColor: colors.placeholder, alignItems: 'center', justifyContent: 'center' },
  failed: { fontSize: 11, color: colors.muted, textAlign: 'center', padding: 6 },
  badge: { position: 'absolute', right: 6, bottom: 6, backgroundColor: 'rgba(0,0,0,0.6)', borderRadius: 6, paddingHorizontal: 6, paddingVertical: 2 },
  badgeText: { color: '#fff', fontSize: 12, fontWeight: '600' },
  together: { right: undefined, left: 6 },
  drop: {
    position: 'absolute',
    top: 0,
    left: 0,
    right: 0,
    bottom: 0,
    backgroundColor: 'rgba(217,87,43,0.15)',
    borderWidth: 3,
    borderColor: colors.accent,
    borderStyle: 'dashed',
    alignItems: 'center',
    justifyContent: 'center',
  },
  dropText: { fontSize: 22, fontWeight: '700', color: colors.accent },
});
