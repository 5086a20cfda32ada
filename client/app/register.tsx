import { Stack, router, useLocalSearchParams } from 'expo-router';
import React, { useState } from 'react';
import { Api } from '@/api';
import { rememberNext } from '@/pending';
import { useSession } from '@/session';
import { needsServerAddress } from '@/storage';
import { Body, Button, Card, Field, Notice, Screen, Title } from '@/ui';

export default function Register() {
  const { next } = useLocalSearchParams<{ next?: string }>();
  const session = useSession();
  const [server, setServer] = useState(session.server);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [sentTo, setSentTo] = useState('');
  const [resent, setResent] = useState(false);

  // Signing up again sends a new link (the old one stops working): the same
  // details, once more.
  async function resend() {
    setError('');
    setBusy(true);
    try {
      const api = needsServerAddress ? new Api({ baseUrl: server.trim() }) : session.api;
      await api.register(sentTo, password, name.trim());
      setResent(true);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not send the link again.');
    } finally {
      setBusy(false);
    }
  }

  async function submit() {
    setError('');
    if (password.length < 10) return setError('Choose a password of at least 10 characters.');
    setBusy(true);
    try {
      const api = needsServerAddress ? new Api({ baseUrl: server.trim() }) : session.api;
      await api.register(email.trim(), password, name.trim());
      rememberNext(next);
      setSentTo(email.trim());
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Could not create the account.');
    } finally {
      setBusy(false);
    }
  }

  if (sentTo) {
    return (
      <Screen>
        <Stack.Screen options={{ title: 'Check your e-mail' }} />
        <Title>Check your e-mail</Title>
        <Card>
          <Body>
            We sent a link to <Body style={{ fontWeight: '700' }}>{sentTo}</Body>. Open it to confirm your address, then sign in.
          </Body>
          <Body muted>Nothing there after a few minutes? Look in your spam folder, or have it sent again.</Body>
          {resent ? <Notice kind="ok">We sent a new link to {sentTo}; the earlier one no longer works.</Notice> : null}
          <Notice>{error}</Notice>
          <Button title="Send the link again" variant="secondary" onPress={resend} busy={busy} />
          <Button title="Go to sign in" variant="secondary" onPress={() => router.replace({ pathname: '/login', params: next ? { next } : {} })} />
        </Card>
      </Screen>
    );
  }

  return (
    <Screen>
      <Stack.Screen options={{ title: 'Sign up' }} />
      <Title>Create your account</Title>
      <Body muted>Share photos and videos with your people: everyone uploads once, everyone sees everything.</Body>
      <Card>
        {needsServerAddress ? <Field label="Server" value={server} onChangeText={setServer} keyboardType="url" /> : null}
        <Field label="Your name" value={name} onChangeText={setName} autoCapitalize="words" autoComplete="name" textContentType="name" />
        <Field label="E-mail" value={email} onChangeText={setEmail} keyboardType="email-address" autoComplete="email" textContentType="emailAddress" />
        <Field
          label="Password"
          hint="At least 10 characters."
          value={password}
          onChangeText={setPassword}
          secureTextEntry
          autoComplete="new-password"
          textContentType="newPassword"
          onSubmitEditing={submit}
        />
        <Notice>{error}</Notice>
        <Button title="Create account" onPress={submit} busy={busy} disabled={!email || !password || !name} />
      </Card>
      <Button variant="link" title="I already have an account" onPress={() => router.replace({ pathname: '/login', params: next ? { next } : {} })} />
    </Screen>
  );
}
