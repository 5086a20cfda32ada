import { Stack, router, useLocalSearchParams } from 'expo-router';
import React, { useEffect, useState } from 'react';
import { ApiError, type InvitePreview } from '../../src/api';
import { rememberNext } from '../../src/pending';
import { useSession } from '../../src/session';
import { Body, Button, Card, Loading, Notice, Screen, Title, formatDate } from '../../src/ui';

export default function Invite() {
  const { code } = useLocalSearchParams<{ code: string }>();
  const { api, status } = useSession();
  const [preview, setPreview] = useState<InvitePreview | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const next = `/invite/${code}`;

  useEffect(() => {
    if (status !== 'signedIn') return;
    api
      .previewInvite(code)
      .then(setPreview)
      .catch((err) =>
        setError(err instanceof ApiError && err.code === 'invite_invalid' ? 'This invite link is no longer valid: it may have expired, been used up or been revoked. Ask for a new one.' : err.message),
      );
  }, [api, code, status]);

  async function join() {
    setBusy(true);
    setError('');
    try {
      const g = await api.acceptInvite(code);
      router.replace(`/groups/${g.id}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not join.');
    } finally {
      setBusy(false);
    }
  }

  if (status === 'loading') return <Loading />;
  if (status === 'signedOut') {
    return (
      <Screen>
        <Stack.Screen options={{ title: 'Invitation' }} />
        <Title>You're invited</Title>
        <Card>
          <Body>Someone invited you to a private group on wmory. Sign in, or create an account, to see the invitation.</Body>
          <Button title="Sign in" onPress={() => { rememberNext(next); router.push({ pathname: '/login', params: { next } }); }} />
          <Button title="Create an account" variant="secondary" onPress={() => { rememberNext(next); router.push({ pathname: '/register', params: { next } }); }} />
        </Card>
      </Screen>
    );
  }
  return (
    <Screen>
      <Stack.Screen options={{ title: 'Invitation' }} />
      <Title>{preview ? `Join ${preview.group_name}` : 'Invitation'}</Title>
      <Notice>{error}</Notice>
      {preview ? (
        <Card>
          <Body>
            {preview.invited_by} invited you to <Body style={{ fontWeight: '700' }}>{preview.group_name}</Body>. Members see every photo and video shared in the group.
          </Body>
          <Body muted>This invitation expires {formatDate(preview.expires_at)}.</Body>
          <Button title={`Join ${preview.group_name}`} onPress={join} busy={busy} />
        </Card>
      ) : !error ? (
        <Loading />
      ) : (
        <Button title="Go to my groups" variant="secondary" onPress={() => router.replace('/')} />
      )}
    </Screen>
  );
}
