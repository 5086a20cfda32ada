import { Link, Stack, router, useLocalSearchParams } from 'expo-router';
import React, { useState } from 'react';
import { ApiError } from '@/api';
import { rememberNext, takeNext } from '@/pending';
import { useSession } from '@/session';
import { needsServerAddress } from '@/storage';
import { Body, Button, Card, Field, Notice, Row, Screen, Title } from '@/ui';

export default function Login() {
  const { next } = useLocalSearchParams<{ next?: string }>();
  const session = useSession();
  const [server, setServer] = useState(session.server);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  async function submit() {
    setBusy(true);
    setError('');
    try {
      await session.signIn(email.trim(), password, server.trim());
      router.replace(takeNext(next) as any);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'email_not_verified') {
        setError('Please confirm your e-mail address first: open the link we sent you.');
      } else if (err instanceof ApiError && err.code === 'rate_limited' && err.retryAfterSeconds) {
        setError(`Too many attempts. Try again in ${Math.ceil(err.retryAfterSeconds / 60)} minute(s), or reset your password.`);
      } else {
        setError(err instanceof Error ? err.message : 'Could not sign in.');
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Screen>
      <Stack.Screen options={{ title: 'Sign in' }} />
      <Title>{session.returning ? 'Welcome back' : 'Sign in'}</Title>
      <Body muted>{"Your group's photos and videos, all in one place."}</Body>
      <Card>
        {needsServerAddress ? (
          <Field label="Server" value={server} onChangeText={setServer} placeholder="https://photos.example.org" keyboardType="url" autoComplete="url" />
        ) : null}
        <Field label="E-mail" value={email} onChangeText={setEmail} keyboardType="email-address" autoComplete="email" textContentType="emailAddress" />
        <Field label="Password" value={password} onChangeText={setPassword} secureTextEntry autoComplete="current-password" textContentType="password" onSubmitEditing={submit} />
        <Notice>{error}</Notice>
        <Button title="Sign in" onPress={submit} busy={busy} disabled={!email || !password} />
      </Card>
      <Row wrap>
        <Link href="/forgot-password" asChild>
          <Button role="link" variant="link" title="Forgot your password?" />
        </Link>
        <Button
          variant="link"
          title="Create an account"
          onPress={() => {
            rememberNext(next);
            router.replace({ pathname: '/register', params: next ? { next } : {} });
          }}
        />
      </Row>
    </Screen>
  );
}
