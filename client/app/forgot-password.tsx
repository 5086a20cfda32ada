import { Stack } from 'expo-router';
import React, { useState } from 'react';
import { useSession } from '@/session';
import { useAction } from '@/useAction';
import { Body, Button, Card, Field, Notice, Screen, Title } from '@/ui';

export default function ForgotPassword() {
  const { api } = useSession();
  const [email, setEmail] = useState('');
  const { busy, error, run } = useAction();
  const [sent, setSent] = useState(false);

  async function submit() {
    if (await run('send', () => api.requestPasswordReset(email.trim()))) setSent(true);
  }

  return (
    <Screen>
      <Stack.Screen options={{ title: 'Forgotten password' }} />
      <Title>Forgotten password</Title>
      <Card>
        {sent ? (
          <Notice kind="ok">If an account uses {email.trim()}, we sent it a link to choose a new password. The link works for one hour.</Notice>
        ) : (
          <>
            <Body>Enter your e-mail address and we will send you a link to choose a new password.</Body>
            <Field label="E-mail" value={email} onChangeText={setEmail} keyboardType="email-address" autoComplete="email" onSubmitEditing={submit} />
            <Notice>{error}</Notice>
            <Button title="Send the link" onPress={submit} busy={!!busy} disabled={!email} />
          </>
        )}
      </Card>
    </Screen>
  );
}
