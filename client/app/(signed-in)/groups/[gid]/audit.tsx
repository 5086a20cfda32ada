import { Stack, useLocalSearchParams } from 'expo-router';
import React, { useCallback, useEffect, useState } from 'react';
import { Text, View } from 'react-native';
import type { AuditEntry } from '@/api';
import { useSession } from '@/session';
import { useGroup } from '@/useGroup';
import { Body, Button, Card, Loading, Notice, Screen, Title, colors, errorMessage, formatDate } from '@/ui';

/** "media.delete" → "media delete" */
const describe = (action: string) => action.replace(/[._]/g, ' ');

export default function Audit() {
  const { gid } = useLocalSearchParams<{ gid: string }>();
  const { api } = useSession();
  const { group } = useGroup(gid);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(
    async (after?: string) => {
      setBusy(true);
      try {
        const page = await api.audit(gid, after);
        setEntries((old) => (after ? [...(old ?? []), ...page.items] : page.items));
        setCursor(page.next_cursor || undefined);
      } catch (err) {
        setError(errorMessage(err));
      } finally {
        setBusy(false);
      }
    },
    [api, gid],
  );
  useEffect(() => {
    load();
  }, [load]);

  return (
    <Screen>
      <Stack.Screen options={{ title: `${group?.name ?? ''} · Activity` }} />
      <Title>Activity</Title>
      <Body muted>Everything that changed in this group, newest first.</Body>
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
          {cursor ? <Button small variant="secondary" title="Show older" busy={busy} onPress={() => load(cursor)} /> : null}
        </Card>
      )}
    </Screen>
  );
}
