import { Link, Stack, router, useLocalSearchParams } from 'expo-router';
import React, { useCallback, useEffect, useState } from 'react';
import { FlatList, Pressable, RefreshControl, StyleSheet, Text, View, useWindowDimensions } from 'react-native';
import type { Group } from '@/api';
import { useSession } from '@/session';
import { Thumb } from '@/Thumb';
import { Body, Button, Card, Field, Notice, Row, Screen, Title, colors, errorMessage } from '@/ui';

export default function Groups() {
  const { api, user } = useSession();
  const { ended } = useLocalSearchParams<{ ended?: string }>();
  const [groups, setGroups] = useState<Group[] | null>(null);
  const [error, setError] = useState('');
  const [refreshing, setRefreshing] = useState(false);
  const [name, setName] = useState('');
  const [creating, setCreating] = useState(false);
  const { width } = useWindowDimensions();
  const columns = width >= 900 ? 3 : width >= 600 ? 2 : 1;
  const cardWidth = (Math.min(width, 1200) - 40 - 12 * (columns - 1)) / columns;

  const load = useCallback(async () => {
    setError('');
    try {
      // Each group comes with its cover: one request for the whole list.
      const page = await api.groups();
      setGroups(page.items);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [api]);

  useEffect(() => {
    load();
  }, [load]);

  async function create() {
    setCreating(true);
    setError('');
    try {
      const g = await api.createGroup(name.trim());
      setName('');
      router.push(`/groups/${g.id}`);
      load();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setCreating(false);
    }
  }

  const header = (
    <View style={{ gap: 12, marginBottom: 12 }}>
      <Title>Your groups</Title>
      {ended ? <Notice kind="info">You no longer have access to that group: you were removed from it or left it, or it was deleted.</Notice> : null}
      <Card>
        <Field label="New group" placeholder="Summer in Lisbon" value={name} onChangeText={setName} autoCapitalize="sentences" onSubmitEditing={() => name.trim() && create()} />
        <Button title="Create group" onPress={create} busy={creating} disabled={!name.trim()} />
      </Card>
      <Notice>{error}</Notice>
      {groups && groups.length === 0 ? (
        <Body muted>No groups yet. Create one, then invite your friends with a link, or open an invite link someone sent you.</Body>
      ) : null}
    </View>
  );

  return (
    <Screen wide scroll={false}>
      <Stack.Screen
        options={{
          title: 'wmory',
          headerRight: () => (
            <Link href="/account" asChild>
              <Pressable accessibilityRole="link" accessibilityLabel={`${user?.name || 'Your'} account`} style={{ paddingHorizontal: 16 }}>
                <Text style={{ color: colors.accent, fontWeight: '600' }}>{user?.name || 'Account'}</Text>
              </Pressable>
            </Link>
          ),
        }}
      />
      <FlatList
        key={columns}
        data={groups ?? []}
        numColumns={columns}
        keyExtractor={(g) => g.id}
        ListHeaderComponent={header}
        columnWrapperStyle={columns > 1 ? { gap: 12 } : undefined}
        contentContainerStyle={{ gap: 12, paddingBottom: 40 }}
        refreshControl={<RefreshControl refreshing={refreshing} onRefresh={async () => { setRefreshing(true); await load(); setRefreshing(false); }} />}
        renderItem={({ item }) => <GroupCard group={item} cover={item.cover_url} width={cardWidth} />}
      />
    </Screen>
  );
}

function GroupCard({ group, cover, width }: { group: Group; cover?: string; width: number }) {
  return (
    <Link href={`/groups/${group.id}`} asChild>
      <Pressable accessibilityRole="link" style={StyleSheet.flatten([styles.card, { width }])}>
        {cover ? (
          <Thumb uri={cover} alt="" style={styles.cover} />
        ) : (
          <View style={[styles.cover, styles.noCover]}>
            <Text style={styles.initial}>{group.name.slice(0, 1).toUpperCase()}</Text>
          </View>
        )}
        <View style={{ padding: 14, gap: 2 }}>
          <Text style={styles.name} numberOfLines={1}>
            {group.name}
          </Text>
          <Row>
            <Text style={styles.meta}>
              {group.media_count} {group.media_count === 1 ? 'item' : 'items'} · {group.member_count} {group.member_count === 1 ? 'member' : 'members'}
            </Text>
            {group.role !== 'member' ? <Text style={styles.badge}>{group.role}</Text> : null}
            {group.unseen_count ? (
              <Text style={styles.unseen} testID="unseen-badge">
                {group.unseen_count} new
              </Text>
            ) : null}
          </Row>
        </View>
      </Pressable>
    </Link>
  );
}

const styles = StyleSheet.create({
  card: { backgroundColor: colors.card, borderRadius: 14, overflow: 'hidden', borderWidth: 1, borderColor: colors.border },
  cover: { width: '100%', aspectRatio: 16 / 9, backgroundColor: colors.placeholder },
  noCover: { alignItems: 'center', justifyContent: 'center', backgroundColor: '#f1ddd3' },
  initial: { fontSize: 48, fontWeight: '700', color: colors.accent },
  name: { fontSize: 17, fontWeight: '700', color: colors.text },
  meta: { fontSize: 13, color: colors.muted },
  badge: { fontSize: 11, color: colors.accent, borderWidth: 1, borderColor: colors.accent, borderRadius: 6, paddingHorizontal: 6, paddingVertical: 1, overflow: 'hidden' },
  unseen: { fontSize: 11, fontWeight: '700', color: colors.accentText, backgroundColor: colors.accent, borderRadius: 6, paddingHorizontal: 6, paddingVertical: 1, overflow: 'hidden' },
});
