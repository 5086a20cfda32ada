import { Stack, router, useLocalSearchParams } from 'expo-router';
import React, { useEffect, useState } from 'react';
import { ApiError, type InvitePreview } from '@/api';
import { rememberNext } from '@/pending';
import { useSession } from '@/session';
import { Body, Button, Card, Loading, Notice, Screen, Title, formatDate } from '@/ui';

const deadLink = 'This invite link is no longer valid: it may have expired, been used up or been revoked. Ask for a new one.';

function describe(err: unknown): string {
  if (err instanceof ApiError && err.code === 'invite_invalid') return deadLink;
  return err instanceof Error ? err.message : 'Something went wrong.';
}

export default function Invite() {
  const { code } = useLocalSearchParams<{ code: string }>();
  const { api, status } = useSession();
  const [preview, setPreview] = useState<InvitePreview | null>(null);
  const [error, setError] = useState('');
  const [dead, setDead] = useState(false);
  const [busy, setBusy] = useState(false);
  const next = `/invite/${code}`;

  // The invitation is read signed out too, so that a dead link says so
  // before anyone signs up for it.
  useEffect(() => {
    if (status === 'loading') return;
    let live = true;
    api
      .previewInvite(code)
      .then((p) => live && setPreview(p))
      .catch((err) => {
        if (!live) return;
        setDead(err instanceof ApiError && err.code === 'invite_invalid');
        setError(describe(err));
      });
    return () => {
      live = false;
    };
  }, [api, code, status]);

  async function join() {
    setBusy(true);
    setError('');
    try {
      const g = await api.acceptInvite(code);
      router.replace(`/groups/${g.id}`);
    } catch (err) {
      // An invite that stopped working (or never admitted this account) offers no Join.
      if (err instanceof ApiError && err.code === 'invite_invalid') {
        setDead(true);
        setPreview(null);
      }
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  }

  if (status === 'loading' || (!preview && !error)) return <Loading />;
  const header = <Stack.Screen options={{ title: 'Invitation' }} />;
  if (!preview) {
    return (
      <Screen>
        {header}
        <Title>{dead ? 'This invitation has ended' : 'Invitation'}</Title>
        <Notice>{error}</Notice>
        <Button title={status === 'signedIn' ? 'Go to my groups' : 'Go to the start page'} variant="secondary" onPress={() => router.replace('/')} />
      </Screen>
    );
  }
  if (status === 'signedOut') {
    return (
      <Screen>
        {header}
        <Title>{`You're invited to ${preview.group_name}`}</Title>
        <Card>
          <Body>
            {preview.invited_by} invited you to <Body style={{ fontWeight: '700' }}>{preview.group_name}</Body>, a private group on wmory: members see every photo and video shared in it.
            Sign in, or create an account, to join.
          </Body>
          <Body muted>This invitation expires {formatDate(preview.expires_at)}.</Body>
          <Button title="Create an account" onPress={() => { rememberNext(next); router.push({ pathname: '/register', params: { next } }); }} />
          <Button title="Sign in" variant="secondary" onPress={() => { rememberNext(next); router.push({ pathname: '/login', params: { next } }); }} />
        </Card>
      </Screen>
    );
  }
  return (
    <Screen>
      {header}
      <Title>{`Join ${preview.group_name}`}</Title>
      <Notice>{error}</Notice>
      <Card>
        <Body>
          {preview.invited_by} invited you to <Body style={{ fontWeight: '700' }}>{preview.group_name}</Body>. Members see every photo and video shared in the group.
        </Body>
        <Body muted>This invitation expires {formatDate(preview.expires_at)}.</Body>
        <Button title={`Join ${preview.group_name}`} onPress={join} busy={busy} />
      </Card>
    </Screen>
  );
}
