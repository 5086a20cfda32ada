import { Stack, router, useLocalSearchParams } from 'expo-router';
import React, { useState } from 'react';
import { takeNext } from '@/pending';
import { useSession } from '@/session';
import { useAction } from '@/useAction';
import { Body, Button, Card, Notice, Screen, Title } from '@/ui';

// The link from the sign-up e-mail. Confirming takes a click, so that mail
// scanners that open links on their own cannot spend the token.
export default function VerifyEmail() {
  const { token } = useLocalSearchParams<{ token?: string }>();
  const { api, status, refresh } = useSession();
  const { busy, error, run } = useAction();
  const [done, setDone] = useState(false);

  async function confirm() {
    if (!(await run('verify', () => api.verifyEmail(token ?? '')))) return;
    // A browser is signed in by confirming (the server sets its session);
    // a phone signs in as usual.
    await refresh().catch(() => undefined);
    setDone(true);
  }

  return (
    <Screen>
      <Stack.Screen options={{ title: 'Confirm your e-mail' }} />
      <Title>Confirm your e-mail</Title>
      <Card>
        {done ? (
          <>
            <Notice kind="ok">Your e-mail address is confirmed.</Notice>
            {/* Signed in, on to where the sign-up began (an invite), or the groups. */}
            <Button title={status === 'signedIn' ? 'Continue' : 'Sign in'} onPress={() => router.replace((status === 'signedIn' ? takeNext() : '/login') as any)} />
          </>
        ) : (
          <>
            <Body>One click and your account is ready.</Body>
            <Notice>{error}</Notice>
            <Button title="Confirm my e-mail address" onPress={confirm} busy={!!busy} disabled={!token} />
          </>
        )}
      </Card>
    </Screen>
  );
}
