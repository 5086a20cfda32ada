import { Stack, useLocalSearchParams } from 'expo-router';
import React, { useCallback, useState } from 'react';
import { Text, View } from 'react-native';
import type { TrashedMedia } from '@/api';
import { confirm } from '@/confirm';
import { useGallery } from '@/gallery';
import { useSession } from '@/session';
import { Thumb } from '@/Thumb';
import { usePages } from '@/usePages';
import { useGroup } from '@/useGroup';
import { Body, Button, Card, Loading, Notice, Row, Screen, Title, colors, errorMessage, formatDate } from '@/ui';

/** What was deleted in the group, for its uploaders and the group's admins to restore, until it is deleted for good. */
export default function Trash() {
  const { gid } = useLocalSearchParams<{ gid: string }>();
  const { api } = useSession();
  const { group, isModerator, reload } = useGroup(gid);
  const gallery = useGallery(gid);
  const { items, error, busy, more } = usePages(useCallback((after?: string) => api.trash(gid, after), [api, gid]));
  const [gone, setGone] = useState<string[]>([]);
  const [working, setWorking] = useState('');
  const [problem, setProblem] = useState('');
  const [done, setDone] = useState('');
  const shown = (items ?? []).filter((m) => !gone.includes(m.id));

  async function act(m: TrashedMedia, restore: boolean) {
    if (!restore && !(await confirm('Delete for good?', `${m.filename} is deleted now, for everyone. This cannot be undone.`, 'Delete for good'))) return;
    setWorking(m.id);
    setProblem('');
    try {
      if (restore) {
        gallery.upsert([await api.restoreMedia(m.id)]);
        reload();
      } else {
        await api.purgeMedia(m.id);
      }
      setGone((g) => [...g, m.id]);
      setDone(restore ? `${m.filename} is back in the gallery.` : `${m.filename} was deleted for good.`);
    } catch (err) {
      setProblem(errorMessage(err));
    } finally {
      setWorking('');
    }
  }

  return (
    <Screen>
      <Stack.Screen options={{ title: `${group?.name ?? ''} · Trash` }} />
      <Title>Trash</Title>
      <Body muted>
        {isModerator ? 'Items deleted in this group' : 'Your items that were deleted'} wait here until the day shown, then are deleted for good. Until then they can be restored.
      </Body>
      <Notice>{error || problem}</Notice>
      {done ? <Notice kind="ok">{done}</Notice> : null}
      {!items ? (
        <Loading />
      ) : (
        <Card>
          {shown.map((m) => (
            <Row key={m.id} style={{ borderTopWidth: 1, borderTopColor: colors.border, paddingVertical: 8, gap: 12 }} wrap>
              {m.thumbnail_url ? (
                <Thumb uri={m.thumbnail_url} style={{ width: 64, height: 64, borderRadius: 6 }} alt={`${m.kind === 'video' ? 'Video' : 'Photo'} ${m.filename}`} />
              ) : (
                <View style={{ width: 64, height: 64, borderRadius: 6, backgroundColor: colors.border }} />
              )}
              <View style={{ flexGrow: 1, flexShrink: 1, minWidth: 160, gap: 2 }} testID="trash-entry">
                <Text style={{ color: colors.text, fontWeight: '600' }} numberOfLines={1}>
                  {m.filename}
                </Text>
                <Text style={{ color: colors.muted, fontSize: 12 }}>
                  Deleted by {m.deleted_by?.name ?? 'someone whose account is gone'} · {formatDate(m.deleted_at)}
                </Text>
                <Text style={{ color: colors.muted, fontSize: 12 }}>Deleted for good on {formatDate(m.purge_at, false)}</Text>
              </View>
              <Row>
                <Button small title="Restore" accessibilityLabel={`Restore: ${m.filename}`} busy={working === m.id} onPress={() => void act(m, true)} />
                <Button small variant="danger" title="Delete for good" accessibilityLabel={`Delete for good: ${m.filename}`} onPress={() => void act(m, false)} />
              </Row>
            </Row>
          ))}
          {shown.length === 0 ? <Body muted>The trash is empty.</Body> : null}
          {more ? <Button small variant="secondary" title="Show more" busy={busy} onPress={more} /> : null}
        </Card>
      )}
    </Screen>
  );
}
