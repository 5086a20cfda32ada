import { Stack, useLocalSearchParams } from 'expo-router';
import React, { useCallback } from 'react';
import { Text, View } from 'react-native';
import { useSession } from '@/session';
import { usePages } from '@/usePages';
import { useGroup } from '@/useGroup';
import { Body, Button, Card, Loading, Notice, Screen, Title, colors, formatDate } from '@/ui';

/** "media.delete" → "media delete" */
const describe = (action: string) => action.replace(/[._]/g, ' ');

export default function Audit() {
  const { gid } = useLocalSearchParams<{ gid: string }>();
  const { api } = useSession();
  const { group } = useGroup(gid);
  const { items: entries, error, busy, more } = usePages(useCallback((after?: string) => api.audit(gid, after), [api, gid]));

  return (
    <Screen>
      <Stack.Screen options={{ title: `${group?.name ?? ''} · Audit log` }} />
      <Title>Audit log</Title>
      <Body muted>Every change in this group and who made it, newest first.</Body>
      <Notice>{error}</Notice>
      {!entries ? (
        <Loading />
      ) : (
        <Card>
          {entries.map((e) => (
            <View key={e.id} style={{ borderTopWidth: 1, borderTopColor: colors.border, paddingVertical: 6 }}>
              <Text style={{ color: colors.text }}>
                <Text style={{ fontWeight: '700' }}>{e.actor?.name ?? 'wmory'}</Text> · {describe(e.action)}
              </Text>
              <Text style={{ color: colors.muted, fontSize: 12 }}>
                {formatDate(e.at)} · {e.target_type} {e.target_id}
                {e.ip ? ` · ${e.ip}` : ''}
              </Text>
            </View>
          ))}
          {entries.length === 0 ? <Body muted>Nothing yet.</Body> : null}
          {more ? <Button small variant="secondary" title="Show older" busy={busy} onPress={more} /> : null}
        </Card>
      )}
    </Screen>
  );
}
