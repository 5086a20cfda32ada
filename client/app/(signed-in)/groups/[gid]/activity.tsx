import { Link, Stack, useLocalSearchParams } from 'expo-router';
import React, { useCallback, useEffect, useState } from 'react';
import { Pressable, Text, View } from 'react-native';
import type { Activity, EmailChoice } from '@/api';
import { useSession } from '@/session';
import { usePages } from '@/usePages';
import { useGroup } from '@/useGroup';
import { Body, Button, Card, Heading, Loading, Notice, Screen, Title, colors, errorMessage, formatDate } from '@/ui';

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
    case 'album_created':
      return `${who} made an album`;
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
      <EmailSettings gid={gid} groupName={group?.name} />
    </Screen>
  );
}

const emailChoices: { value: EmailChoice; label: string; hint: string }[] = [
  { value: 'batched', label: 'When something is added', hint: 'One e-mail per batch someone adds, a few minutes after their last item, and when someone comments on yours.' },
  { value: 'daily', label: 'Once a day', hint: 'One summary a day at most, when there is news.' },
  { value: 'off', label: 'Never', hint: 'No e-mail about this group. What is new still shows here.' },
];

/** How the member hears about the group by e-mail; e-mails' unsubscribe links change the same choice. */
function EmailSettings({ gid, groupName }: { gid: string; groupName?: string }) {
  const { api } = useSession();
  const [choice, setChoice] = useState<EmailChoice>();
  const [error, setError] = useState('');
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    let live = true;
    api.notifications(gid).then(
      (n) => live && setChoice(n.email),
      (err) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [api, gid]);
  const choose = async (next: EmailChoice) => {
    const before = choice;
    setChoice(next);
    setError('');
    setSaved(false);
    try {
      setChoice((await api.setNotifications(gid, next)).email);
      setSaved(true);
    } catch (err) {
      setChoice(before);
      setError(errorMessage(err));
    }
  };
  return (
    <Card>
      <Heading>E-mail me about {groupName ?? 'this group'}</Heading>
      <View role="radiogroup" aria-label="E-mail about this group" style={{ gap: 6 }} testID="email-settings">
        {emailChoices.map((c) => (
          <Pressable
            key={c.value}
            role="radio"
            aria-checked={choice === c.value}
            aria-label={c.label}
            disabled={!choice}
            onPress={() => void choose(c.value)}
            style={{
              flexDirection: 'row',
              gap: 10,
              padding: 10,
              borderRadius: 8,
              borderWidth: 1,
              borderColor: choice === c.value ? colors.accent : colors.border,
              backgroundColor: choice === c.value ? colors.card : 'transparent',
            }}
          >
            <Text style={{ color: choice === c.value ? colors.accent : colors.muted, fontSize: 16 }} aria-hidden>
              {choice === c.value ? '◉' : '○'}
            </Text>
            <View style={{ flexShrink: 1, gap: 2 }}>
              <Text style={{ color: colors.text, fontWeight: '600' }}>{c.label}</Text>
              <Text style={{ color: colors.muted, fontSize: 13 }}>{c.hint}</Text>
            </View>
          </Pressable>
        ))}
      </View>
      {saved ? <Notice kind="ok">Saved.</Notice> : null}
      <Notice>{error}</Notice>
    </Card>
  );
}
