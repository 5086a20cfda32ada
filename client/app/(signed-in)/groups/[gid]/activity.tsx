import { Link, Stack, useLocalSearchParams } from 'expo-router';
import React, { useCallback } from 'react';
import { Text, View } from 'react-native';
import type { Activity } from '@/api';
import { useSession } from '@/session';
import { usePages } from '@/usePages';
import { useGroup } from '@/useGroup';
import { Body, Button, Card, Loading, Notice, Screen, Title, colors, formatDate } from '@/ui';

/** "Ana added 23 photos and videos", "Bo joined", … */
export function describeActivity(a: Activity): string {
  const who = a.actor?.name ?? 'Someone whose account is gone';
  switch (a.type) {
    case 'uploaded':
      return `${who} added ${a.count} ${a.count === 1 ? 'item' : 'items'}`;
    case 'joined':
      return `${who} joined`;
    case 'left':
      return `${who} left the group`;
    case 'commented':
      return `${who} commented`;
  }
}

export default function GroupActivity() {
  const { gid } = useLocalSearchParams<{ gid: string }>();
  const { api } = useSession();
  const { group } = useGroup(gid);
  const { items: entries, error, busy, more } = usePages(useCallback((after?: string) => api.activity(gid, after), [api, gid]));

  return (
    <Screen>
      <Stack.Screen options={{ title: `${group?.name ?? ''} · What's new` }} />
      <Title>{"What's new"}</Title>
      <Body muted>Who added what, who joined, and comments, newest first.</Body>
      <Notice>{error}</Notice>
      {!entries ? (
        <Loading />
      ) : (
        <Card>
          {entries.map((a) => (
            <View key={a.id} style={{ borderTopWidth: 1, borderTopColor: colors.border, paddingVertical: 8, gap: 2 }} testID="activity-entry">
              <Text style={{ color: colors.text, fontWeight: '600' }}>{describeActivity(a)}</Text>
              <Text style={{ color: colors.muted, fontSize: 12 }}>{formatDate(a.at)}</Text>
              {a.media_ids.length > 0 ? (
                <Link href={{ pathname: '/groups/[gid]/media/[mid]', params: { gid, mid: a.media_ids[0] } }} style={{ color: colors.accent, fontSize: 14 }}>
                  {a.type === 'commented' ? 'See the comment' : a.count === 1 ? 'See it' : 'See the first'}
                </Link>
              ) : null}
            </View>
          ))}
          {entries.length === 0 ? <Body muted>Nothing yet.</Body> : null}
          {more ? <Button small variant="secondary" title="Show older" busy={busy} onPress={more} /> : null}
        </Card>
      )}
    </Screen>
  );
}
