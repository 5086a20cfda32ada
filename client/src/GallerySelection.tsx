// The gallery's select mode: what is selected, and what can be done with it
// (download or save, add to an album, take out of one, move to the trash).
import { Link } from 'expo-router';
import React, { useCallback, useEffect, useRef, useState } from 'react';
import { ScrollView, StyleSheet, Text, View } from 'react-native';
import type { Album, Media } from './api';
import { confirm } from './confirm';
import { saveItems, saveLabel } from './save';
import { selectRange, toggle, toggleDay } from './selection';
import { useSession } from './session';
import { Button, Field, Notice, Row, Sheet, colors, errorMessage } from './ui';

/** What is selected among the items shown, and the gestures that change it. */
export function useSelection(items: Media[]) {
  const [selecting, setSelecting] = useState(false);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const anchor = useRef<string | undefined>(undefined);
  const onTile = useCallback(
    (id: string, shift: boolean) => {
      const from = anchor.current;
      setSelected((s) => (shift ? selectRange(items, s, from, id) : toggle(s, id)));
      anchor.current = id;
    },
    [items],
  );
  const onDay = useCallback((day: string) => setSelected((s) => toggleDay(items, s, day)), [items]);
  const start = useCallback(() => setSelecting(true), []);
  const end = useCallback(() => {
    setSelecting(false);
    setSelected(new Set());
    anchor.current = undefined;
  }, []);
  return { selecting, selected, onTile, onDay, start, end, clear: () => setSelected(new Set()) };
}

type Props = {
  gid: string;
  items: Media[];
  selected: ReadonlySet<string>;
  albumId?: string;
  canTrash: boolean;
  onTrashed: (ids: string[]) => void;
  onTakenOut: () => void;
  onDone: () => void;
};

/** The actions on a selection, along the bottom of the gallery. */
export function SelectionBar({ gid, items, selected, albumId, canTrash, onTrashed, onTakenOut, onDone }: Props) {
  const { api } = useSession();
  const [busy, setBusy] = useState('');
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const [picking, setPicking] = useState(false);
  const ids = items.filter((m) => selected.has(m.id)).map((m) => m.id);
  const n = ids.length;

  async function run(name: string, action: () => Promise<string>) {
    setBusy(name);
    setError('');
    setMessage('');
    try {
      setMessage(await action());
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy('');
    }
  }

  // The sheet is the bar's sibling, so that it covers the screen, not the bar.
  return (
    <>
    <View style={styles.bar} role="toolbar" aria-label="Selection">
      <Row wrap style={{ alignItems: 'center' }}>
        <Text style={styles.count} testID="selected-count">
          {n === 0 ? 'Tap items to select them' : `${n} selected`}
        </Text>
        <Button small title={saveLabel} disabled={!n} busy={busy === 'save'} onPress={() => run('save', () => saveItems(api, gid, { media_ids: ids }))} />
        <Button small variant="secondary" title="Add to album" disabled={!n} onPress={() => setPicking(true)} />
        {albumId ? (
          <Button
            small
            variant="secondary"
            title="Take out of album"
            disabled={!n}
            busy={busy === 'out'}
            onPress={() =>
              run('out', async () => {
                const a = await api.changeAlbum(albumId, ids, false);
                onTakenOut();
                return `Taken out of ${a.name}; they stay in the group.`;
              })
            }
          />
        ) : null}
        {canTrash ? (
          <Button
            small
            variant="danger"
            title="Move to trash"
            disabled={!n}
            busy={busy === 'trash'}
            onPress={async () => {
              if (!(await confirm(`Move ${n} to the trash?`, "They disappear for everyone; their uploaders and the group's admins can restore them from the trash.", 'Move to trash'))) return;
              run('trash', async () => {
                const done: string[] = [];
                try {
                  for (const id of ids) {
                    await api.deleteMedia(id);
                    done.push(id);
                  }
                } finally {
                  onTrashed(done);
                }
                return `Moved ${done.length} to the trash.`;
              });
            }}
          />
        ) : null}
        <Button small variant="secondary" title="Done" onPress={onDone} />
      </Row>
      {message ? (
        <Row wrap>
          <Notice kind="ok">{message}</Notice>
          {message.startsWith('Moved') ? (
            <Link href={`/groups/${gid}/trash`} style={{ color: colors.accent }}>
              Open the trash
            </Link>
          ) : null}
        </Row>
      ) : null}
      <Notice>{error}</Notice>
    </View>
      {picking ? (
        <AlbumPicker
          gid={gid}
          onClose={() => setPicking(false)}
          onPick={(album) => {
            setPicking(false);
            run('album', async () => {
              const a = await api.changeAlbum(album.id, ids, true);
              return `Added to ${a.name}, which holds ${a.media_count} ${a.media_count === 1 ? 'item' : 'items'}.`;
            });
          }}
        />
      ) : null}
    </>
  );
}

/** Choose an album of the group, or make one. */
function AlbumPicker({ gid, onPick, onClose }: { gid: string; onPick: (a: Album) => void; onClose: () => void }) {
  const { api } = useSession();
  const [albums, setAlbums] = useState<Album[] | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    api.albums(gid).then(
      (p) => live && setAlbums(p.items),
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [api, gid]);
  return (
    <Sheet label="Add to album">
      <Row style={{ justifyContent: 'space-between' }}>
        <Text style={styles.title} accessibilityRole="header">
          Add to album
        </Text>
        <Button small variant="secondary" title="Close" accessibilityLabel="Close the albums" onPress={onClose} />
      </Row>
      <ScrollView style={{ maxHeight: 280 }} contentContainerStyle={{ gap: 6 }}>
        {(albums ?? []).map((a) => (
          <Button key={a.id} variant="secondary" title={`${a.name} · ${a.media_count}`} accessibilityLabel={`${a.name} · ${a.media_count}: add here`} onPress={() => onPick(a)} />
        ))}
        {albums && albums.length === 0 ? <Text style={{ color: colors.muted }}>No albums yet: make the first.</Text> : null}
      </ScrollView>
      <Field label="New album" value={name} onChangeText={setName} autoCapitalize="sentences" />
      <Button
        title="Make it and add"
        disabled={!name.trim()}
        onPress={async () => {
          try {
            onPick(await api.createAlbum(gid, name.trim()));
          } catch (err) {
            setError(errorMessage(err));
          }
        }}
      />
      <Notice>{error}</Notice>
    </Sheet>
  );
}

const styles = StyleSheet.create({
  bar: {
    position: 'absolute',
    left: 0,
    right: 0,
    bottom: 0,
    backgroundColor: colors.card,
    borderTopWidth: 1,
    borderTopColor: colors.border,
    paddingHorizontal: 12,
    paddingVertical: 10,
    gap: 6,
  },
  count: { fontSize: 15, fontWeight: '700', color: colors.text, marginRight: 8 },
  title: { fontSize: 20, fontWeight: '700', color: colors.text },
});
