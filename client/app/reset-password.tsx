import { Stack, router, useLocalSearchParams } from 'expo-router';
import React, { useState } from 'react';
import { useSession } from '@/session';
import { useAction } from '@/useAction';
import { Button, Card, Field, Notice, Screen, Title } from '@/ui';

export default function ResetPassword() {
  const { token } = useLocalSearchParams<{ token?: string }>();
  const { api } = useSession();
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const { busy, error, run, setError } = useAction();
  const [done, setDone] = useState(false);

  async function submit() {
    if (password.length < 10) return setError('Choose a password of at least 10 characters.');
    if (password !== again) return setError('The two passwords differ.');
    if (await run('reset', () => api.confirmPasswordReset(token ?? '', password))) setDone(true);
  }

  return (
    <Screen>
      <Stack.Screen options={{ title: 'Choose a new password' }} />
      <Title>Choose a new password</Title>
      <Card>
        {done ? (
          <>
            <Notice kind="ok">Your password is changed, and every device was signed out.</Notice>
            <Button title="Sign in" onPress={() => router.replace('/login')} />
          </>
        ) : (
          <>
            <Field label="New password" hint="At least 10 characters." value={password} onChangeText={setPassword} secureTextEntry autoComplete="new-password" />
            <Field label="New password again" value={again} onChangeText={setAgain} secureTextEntry autoComplete="new-password" onSubmitEditing={submit} />
            <Notice>{error}</Notice>
            <Button title="Set the new password" onPress={submit} busy={!!busy} disabled={!token || !password} />
          </>
        )}
      </Card>
    </Screen>
  );
}
