import { Link, Stack, router } from 'expo-router';
import React, { useCallback, useEffect, useState } from 'react';
import { Platform, Text, View } from 'react-native';
import type { Session } from '@/api';
import { confirm } from '@/confirm';
import { useSession } from '@/session';
import { describeAgent } from '@/agent';
import { Body, Button, Card, Field, Heading, Meter, Notice, Row, Screen, Title, colors, errorMessage, formatDate } from '@/ui';
import { formatBytes } from '@/uploads';
import { useAction } from '@/useAction';

export default function Account() {
  const { api, user, quota, refresh, signOut } = useSession();
  const [name, setName] = useState(user?.name ?? '');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [sessions, setSessions] = useState<Session[]>([]);
  const admin = !!user?.is_admin;
  const [deletePassword, setDeletePassword] = useState('');
  const { busy, error, info, run: act, setError } = useAction();

  const loadSessions = useCallback(() => api.sessions().then((p) => setSessions(p.items), (err) => setError(errorMessage(err))), [api, setError]);
  useEffect(() => {
    loadSessions();
    refresh().catch(() => undefined);
  }, [loadSessions, refresh]);

  return (
    <Screen>
      <Stack.Screen options={{ title: 'Account' }} />
      <Title>{user?.name}</Title>
      <Body muted>{user?.email}</Body>
      <Notice>{error}</Notice>
      <Notice kind="ok">{info}</Notice>
      {admin ? (
        <Link href="/admin" asChild>
          <Button role="link" variant="secondary" title="Administration of this wmory" />
        </Link>
      ) : null}

      {quota ? (
        <Card>
          <Heading>{"Today's uploads"}</Heading>
          <Text style={{ color: colors.text }}>
            {formatBytes(quota.daily_bytes_used)} of {formatBytes(quota.daily_bytes_limit)}
          </Text>
          <Meter value={quota.daily_bytes_used} max={quota.daily_bytes_limit} label="Bytes uploaded today" warn />
          <Text style={{ color: colors.text }}>
            {quota.daily_files_used} of {quota.daily_files_limit} files
          </Text>
          <Meter value={quota.daily_files_used} max={quota.daily_files_limit} label="Files uploaded today" warn />
          <Body muted>Resets {formatDate(quota.resets_at)}.</Body>
          <Body muted>You keep {formatBytes(quota.stored_bytes)} in wmory, all your uploads together.</Body>
        </Card>
      ) : null}

      <Card>
        <Heading>Your name</Heading>
        <Field label="Name" value={name} onChangeText={setName} autoCapitalize="words" />
        <Button small variant="secondary" title="Save name" busy={busy === 'name'} disabled={!name.trim() || name === user?.name} onPress={() => act('name', async () => { await api.rename(name.trim()); await refresh(); }, 'Saved.')} />
      </Card>

      <Card>
        <Heading>Password</Heading>
        <Field label="Current password" value={current} onChangeText={setCurrent} secureTextEntry autoComplete="current-password" />
        <Field label="New password" hint="At least 10 characters." value={next} onChangeText={setNext} secureTextEntry autoComplete="new-password" />
        <Button
          small
          variant="secondary"
          title="Change password"
          busy={busy === 'password'}
          disabled={!current || next.length < 10}
          onPress={() =>
            act('password', async () => {
              await api.changePassword(current, next);
              setCurrent('');
              setNext('');
              await loadSessions();
            }, 'Password changed.')
          }
        />
      </Card>

      <Card>
        <Heading>{"Where you're signed in"}</Heading>
        {sessions.map((s) => (
          <View key={s.id} style={{ borderTopWidth: 1, borderTopColor: colors.border, paddingTop: 8, gap: 4 }}>
            <Text style={{ color: colors.text }} numberOfLines={2}>
              {describeAgent(s.user_agent)}
              {s.current ? ' (this device)' : ''}
            </Text>
            <Text style={{ color: colors.muted, fontSize: 13 }}>
              {s.ip} · signed in {formatDate(s.created_at)} · last seen {formatDate(s.last_seen_at)} · ends {formatDate(s.ends_at)} at the latest
            </Text>
            {!s.current ? <Button small variant="secondary" title="Sign out this device" busy={busy === s.id} onPress={() => act(s.id, async () => { await api.revokeSession(s.id); await loadSessions(); })} /> : null}
          </View>
        ))}
        <Button small variant="secondary" title="Sign out" onPress={async () => { await signOut(); router.replace('/login'); }} />
      </Card>

      <Card>
        <Heading>Your photos and videos</Heading>
        <Body muted>One ZIP of every original you uploaded, in a folder per group and day, with wmory-export.json: your account, groups, each item&apos;s details and your comments.</Body>
        {Platform.OS === 'web' ? (
          <Button variant="secondary" title="Download everything I uploaded" onPress={() => window.location.assign(api.exportURL())} />
        ) : (
          <Body muted>Download it from wmory in a browser, signed in.</Body>
        )}
      </Card>

      <Card>
        <Heading>Delete account</Heading>
        <Body muted>Deletes your account and everything you uploaded. Groups you own pass to their longest-standing admin or member.</Body>
        <Field label="Password to confirm" value={deletePassword} onChangeText={setDeletePassword} secureTextEntry autoComplete="current-password" />
        <Row>
          <Button
            variant="danger"
            title="Delete my account"
            disabled={!deletePassword}
            busy={busy === 'delete'}
            onPress={async () => {
              if (!(await confirm('Delete your account?', 'Everything you uploaded is deleted. This cannot be undone.', 'Delete'))) return;
              act('delete', async () => {
                await api.deleteAccount(deletePassword);
                await signOut();
                router.replace('/login');
              });
            }}
          />
        </Row>
      </Card>
    </Screen>
  );
}
