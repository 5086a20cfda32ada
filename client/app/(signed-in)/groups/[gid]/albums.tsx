import { Link, Stack, useLocalSearchParams } from 'expo-router';
import React, { useCallback, useState } from 'react';
import { Pressable, Text, View, useWindowDimensions } from 'react-native';
import type { Album } from '@/api';
import { useSession } from '@/session';
import { Thumb } from '@/Thumb';
import { usePages } from '@/usePages';
import { useGroup } from '@/useGroup';
import { Body, Button, Card, Field, Loading, Notice, Row, Screen, Title, colors, errorMessage } from '@/ui';

/** A group's albums: sets of its photos and videos, by reference. */
export default function Albums() {
  const { gid } = useLocalSearchParams<{ gid: string }>();
  const { api } = useSession();
  const { group } = useGroup(gid);
  const { items, error, busy, more } = usePages(useCallback((after?: string) => api.albums(gid, after), [api, gid]));
  const [made, setMade] = useState<Album[]>([]);
  const [name, setName] = useState('');
  const [problem, setProblem] = useState('');
  const { width } = useWindowDimensions();
  const card = Math.max(140, Math.min(220, Math.floor((Math.min(width, 900) - 64) / 3)));
  const all = [...made, ...(items ?? []).filter((a) => !made.some((m) => m.id === a.id))];

  async function create() {
    setProblem('');
    try {
      const a = await api.createAlbum(gid, name.trim());
      setMade((m) => [a, ...m]);
      setName('');
    } catch (err) {
      setProblem(errorMessage(err));
    }
  }

  return (
    <Screen wide>
      <Stack.Screen options={{ title: `${group?.name ?? ''} · Albums` }} />
      <Title>Albums</Title>
      <Body muted>An album gathers some of the group&apos;s photos and videos, such as one evening&apos;s. Adding to an album copies nothing, and deleting an album deletes no photo.</Body>
      <Notice>{error || problem}</Notice>
      <Card>
        <Field label="New album" value={name} onChangeText={setName} autoCapitalize="sentences" onSubmitEditing={() => name.trim() && void create()} />
        <Button small title="Make album" disabled={!name.trim()} onPress={() => void create()} />
      </Card>
      {!items ? (
        <Loading />
      ) : (
        <Row wrap style={{ gap: 12, alignItems: 'flex-start' }}>
          {all.map((a) => (
            <Link key={a.id} href={{ pathname: '/groups/[gid]', params: { gid, album: a.id } }} asChild>
              <Pressable accessibilityRole="link" accessibilityLabel={`${a.name}, ${a.media_count} ${a.media_count === 1 ? 'item' : 'items'}`} style={{ width: card, gap: 4 }} testID="album">
                {a.cover_url ? (
                  <Thumb uri={a.cover_url} alt="" style={{ width: card, height: card, borderRadius: 10 }} />
                ) : (
                  <View style={{ width: card, height: card, borderRadius: 10, backgroundColor: colors.placeholder }} />
                )}
                <Text style={{ color: colors.text, fontWeight: '600' }} numberOfLines={1}>
                  {a.name}
                </Text>
                <Text style={{ color: colors.muted, fontSize: 12 }}>{a.media_count === 1 ? '1 item' : `${a.media_count} items`}</Text>
              </Pressable>
            </Link>
          ))}
          {all.length === 0 ? <Body muted>No albums yet. Make one here, or select photos in the gallery and add them to a new album.</Body> : null}
        </Row>
      )}
      {more ? <Button small variant="secondary" title="Show more" busy={busy} onPress={more} /> : null}
    </Screen>
  );
}
