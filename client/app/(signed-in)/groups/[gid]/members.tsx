import * as Clipboard from 'expo-clipboard';
import { Stack, router, useLocalSearchParams } from 'expo-router';
import React, { useCallback, useEffect, useState } from 'react';
import { Platform, Share, Switch, Text, View } from 'react-native';
import type { Invite, Member } from '@/api';
import { confirm } from '@/confirm';
import { useSession } from '@/session';
import { useAction } from '@/useAction';
import { useGroup } from '@/useGroup';
import { Body, Button, Card, Field, Heading, Loading, Notice, Row, Screen, Title, colors, errorMessage, formatDate } from '@/ui';

const expiryChoices = [
  { hours: 24, label: '1 day' },
  { hours: 24 * 7, label: '7 days' },
  { hours: 24 * 30, label: '30 days' },
];
const useChoices: { uses?: number; label: string }[] = [{ label: 'Unlimited' }, { uses: 1, label: '1 person' }, { uses: 10, label: '10 people' }];

export default function Members() {
  const { gid } = useLocalSearchParams<{ gid: string }>();
  const { api, user } = useSession();
  const { group, reload, isModerator } = useGroup(gid);
  const [takeAway, setTakeAway] = useState(false);
  const [members, setMembers] = useState<Member[] | null>(null);
  const [invites, setInvites] = useState<Invite[]>([]);
  const { busy, error, info, run, setError, setInfo } = useAction();
  const [expiry, setExpiry] = useState(24 * 7);
  const [uses, setUses] = useState<number | undefined>(undefined);
  const [name, setName] = useState('');
  const isOwner = group?.role === 'owner';
  const canInvite = isModerator || !!group?.members_can_invite;

  const load = useCallback(async () => {
    try {
      setMembers((await api.members(gid)).items);
      if (isModerator) setInvites((await api.invites(gid)).items);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [api, gid, isModerator, setError]);
  useEffect(() => {
    load();
  }, [load]);
  useEffect(() => setName(group?.name ?? ''), [group?.name]);

  // Every change reloads the members, the invites and the group's counts.
  const act = (key: string, fn: () => Promise<unknown>, done?: string) =>
    run(key, async () => {
      await fn();
      await Promise.all([load(), reload()]);
    }, done);

  async function share(invite: Invite) {
    if (Platform.OS !== 'web') {
      await Share.share({ message: `Join ${group?.name} on wmory: ${invite.url}` });
      return;
    }
    await Clipboard.setStringAsync(invite.url);
    setInfo('Invite link copied. Send it to the people you want in the group.');
  }

  if (!group || !members) return <Loading />;
  const active = invites.filter((i) => !i.revoked && new Date(i.expires_at) > new Date() && (i.max_uses == null || i.uses < i.max_uses));

  return (
    <Screen>
      <Stack.Screen options={{ title: `${group.name} · Members` }} />
      <Title>Members</Title>
      <Notice>{error}</Notice>
      <Notice kind="ok">{info}</Notice>

      {canInvite ? (
        <Card>
          <Heading>Invite people</Heading>
          <Body muted>Anyone with the link can join while it is valid. Choose how long and for how many.</Body>
          <Text style={{ fontWeight: '600' }}>Valid for</Text>
          <Row wrap>
            {expiryChoices.map((c) => (
              <Button key={c.hours} small title={c.label} variant={expiry === c.hours ? 'primary' : 'secondary'} onPress={() => setExpiry(c.hours)} accessibilityLabel={`Valid for ${c.label}`} />
            ))}
          </Row>
          <Text style={{ fontWeight: '600' }}>Can be used by</Text>
          <Row wrap>
            {useChoices.map((c) => (
              <Button key={c.label} small title={c.label} variant={uses === c.uses ? 'primary' : 'secondary'} onPress={() => setUses(c.uses)} accessibilityLabel={`Usable by ${c.label}`} />
            ))}
          </Row>
          <Button
            title="Create invite link"
            busy={busy === 'invite'}
            onPress={() =>
              act('invite', async () => {
                const inv = await api.createInvite(gid, { expires_in_hours: expiry, max_uses: uses });
                setInvites((list) => [inv, ...list]);
                await Clipboard.setStringAsync(inv.url).catch(() => undefined);
              }, 'Invite link created and copied.')
            }
          />
          {active.map((inv) => (
            <View key={inv.id} style={{ gap: 4, borderTopWidth: 1, borderTopColor: colors.border, paddingTop: 8 }}>
              <Text selectable style={{ color: colors.text, fontFamily: Platform.OS === 'web' ? 'monospace' : undefined }} accessibilityLabel="Invite link" testID="invite-url">
                {inv.url}
              </Text>
              <Text style={{ color: colors.muted, fontSize: 13 }}>
                Used {inv.uses}
                {inv.max_uses != null ? ` of ${inv.max_uses}` : ''} · expires {formatDate(inv.expires_at)}
              </Text>
              <Row>
                <Button small variant="secondary" title="Copy link" onPress={() => share(inv)} />
                {isModerator ? <Button small variant="danger" title="Revoke" busy={busy === inv.id} onPress={() => act(inv.id, () => api.revokeInvite(gid, inv.id), 'Invite revoked.')} /> : null}
              </Row>
            </View>
          ))}
        </Card>
      ) : null}

      <Card>
        <Heading>{members.length === 1 ? '1 member' : `${members.length} members`}</Heading>
        {members.map((m) => {
          const self = m.user_id === user?.id;
          return (
            <View key={m.user_id} style={{ gap: 6, borderTopWidth: 1, borderTopColor: colors.border, paddingTop: 8 }}>
              <Row style={{ justifyContent: 'space-between' }}>
                <Text style={{ fontWeight: '600', color: colors.text }}>
                  {m.name}
                  {self ? ' (you)' : ''}
                </Text>
                <Text style={{ color: m.role === 'member' ? colors.muted : colors.accent }}>{m.role}</Text>
              </Row>
              <Text style={{ color: colors.muted, fontSize: 13 }}>Joined {formatDate(m.joined_at, false)}</Text>
              {!self && (isOwner || (group.role === 'admin' && m.role === 'member')) ? (
                <Row wrap>
                  {isOwner && m.role === 'member' ? <Button small variant="secondary" title="Make admin" onPress={() => act(m.user_id, () => api.setRole(gid, m.user_id, 'admin'))} /> : null}
                  {isOwner && m.role === 'admin' ? <Button small variant="secondary" title="Make member" onPress={() => act(m.user_id, () => api.setRole(gid, m.user_id, 'member'))} /> : null}
                  {isOwner ? (
                    <Button
                      small
                      variant="secondary"
                      title="Make owner"
                      onPress={async () => {
                        if (await confirm(`Make ${m.name} the owner?`, 'You will become an admin. Only the new owner can undo this.', 'Transfer')) {
                          act(m.user_id, () => api.transfer(gid, m.user_id), `${m.name} is now the owner.`);
                        }
                      }}
                    />
                  ) : null}
                  <Button
                    small
                    variant="danger"
                    title="Remove"
                    accessibilityLabel={`Remove ${m.name}`}
                    onPress={async () => {
                      if (await confirm(`Remove ${m.name}?`, 'They lose access to the group. What they uploaded stays.', 'Remove')) {
                        act(m.user_id, () => api.removeMember(gid, m.user_id), `${m.name} was removed.`);
                      }
                    }}
                  />
                </Row>
              ) : null}
            </View>
          );
        })}
      </Card>

      {isModerator ? (
        <Card>
          <Heading>Group settings</Heading>
          <Field label="Group name" value={name} onChangeText={setName} autoCapitalize="sentences" />
          <Button small variant="secondary" title="Rename" disabled={!name.trim() || name === group.name} onPress={() => act('rename', () => api.updateGroup(gid, { name: name.trim() }), 'Renamed.')} />
          <Row style={{ justifyContent: 'space-between' }}>
            <Text style={{ color: colors.text, flexShrink: 1 }}>Members can create invite links</Text>
            <Switch
              accessibilityLabel="Members can create invite links"
              value={group.members_can_invite}
              onValueChange={(v) => void act('setting', () => api.updateGroup(gid, { members_can_invite: v }))}
            />
          </Row>
        </Card>
      ) : null}

      <Card>
        <Heading>Leave</Heading>
        {isOwner ? (
          <>
            <Body muted>As the owner, make someone else the owner before you leave, or delete the group with everything in it.</Body>
            <Button
              variant="danger"
              title="Delete group"
              onPress={async () => {
                if (await confirm(`Delete ${group.name}?`, 'Every photo and video in it is deleted for everyone. This cannot be undone.', 'Delete')) {
                  if (await run('delete', () => api.deleteGroup(gid))) router.replace('/');
                }
              }}
            />
          </>
        ) : (
          <>
            <Row style={{ justifyContent: 'space-between' }}>
              <Text style={{ color: colors.text, flexShrink: 1 }}>Also move what I uploaded to the group&apos;s trash</Text>
              <Switch accessibilityLabel="Also move what I uploaded to the group's trash" value={takeAway} onValueChange={setTakeAway} />
            </Row>
            <Body muted>
              {takeAway
                ? "Your photos and videos leave the group with you; its admins can still restore them from the trash for 30 days. Download them first if you want to keep them: select them in the gallery, or download everything you uploaded from your account."
                : 'What you uploaded stays in the group for the others.'}
            </Body>
            <Button
              variant="danger"
              title="Leave group"
              onPress={async () => {
                const what = takeAway ? 'What you uploaded goes to the trash.' : 'What you uploaded stays.';
                if (await confirm(`Leave ${group.name}?`, `You will need a new invite to come back. ${what}`, 'Leave')) {
                  if (await run('leave', () => api.leaveGroup(gid, takeAway))) router.replace('/');
                }
              }}
            />
          </>
        )}
      </Card>
    </Screen>
  );
}
