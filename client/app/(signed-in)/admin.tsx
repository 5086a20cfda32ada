import { Stack } from 'expo-router';
import React, { useCallback, useEffect, useState } from 'react';
import { Text, View } from 'react-native';
import type { AdminUser, AuditEntry, Report } from '@/api';
import { confirm } from '@/confirm';
import { reasonLabels } from '@/labels';
import { useSession } from '@/session';
import { Body, Button, Card, Field, Heading, Loading, Notice, Row, Screen, Title, colors, formatDate } from '@/ui';
import { formatBytes } from '@/uploads';
import { useAction } from '@/useAction';

type Tab = 'users' | 'reports' | 'audit';

export default function Admin() {
  const { user } = useSession();
  const [tab, setTab] = useState<Tab>('users');

  // The account says whether it administers this wmory (the server checks each call all the same).
  if (!user) return <Loading />;
  if (!user.is_admin) {
    return (
      <Screen>
        <Stack.Screen options={{ title: 'Administration' }} />
        <Notice>This page is for the administrators of this wmory.</Notice>
      </Screen>
    );
  }
  return (
    <Screen>
      <Stack.Screen options={{ title: 'Administration' }} />
      <Title>Administration</Title>
      <Row wrap>
        <Button small title="Accounts" variant={tab === 'users' ? 'primary' : 'secondary'} onPress={() => setTab('users')} />
        <Button small title="Escalated reports" variant={tab === 'reports' ? 'primary' : 'secondary'} onPress={() => setTab('reports')} />
        <Button small title="Audit log" variant={tab === 'audit' ? 'primary' : 'secondary'} onPress={() => setTab('audit')} />
      </Row>
      {tab === 'users' ? <Users /> : tab === 'reports' ? <Escalated /> : <AuditSearch />}
    </Screen>
  );
}

const GiB = 1024 ** 3;

function Users() {
  const { api, user: me } = useSession();
  const [search, setSearch] = useState('');
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [limitsFor, setLimitsFor] = useState<string | null>(null);
  const [dailyGiB, setDailyGiB] = useState('');
  const [dailyFiles, setDailyFiles] = useState('');
  const { busy, error, info, run } = useAction();

  const load = useCallback(() => run('load', async () => setUsers((await api.adminUsers(search.trim())).items)), [api, run, search]);
  useEffect(() => {
    load();
    // Searching is explicit (the button or Enter); the first load shows everyone.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api]);

  const number = (v: string) => (v.trim() === '' ? null : Number(v));

  return (
    <>
      <Card>
        <Field label="Search accounts" placeholder="e-mail or name" value={search} onChangeText={setSearch} onSubmitEditing={load} />
        <Button small title="Search" onPress={load} busy={busy === 'load'} />
      </Card>
      <Notice>{error}</Notice>
      <Notice kind="ok">{info}</Notice>
      {!users ? <Loading /> : null}
      {users?.length === 0 ? <Body muted>No account matches.</Body> : null}
      {users?.map((u) => (
        <Card key={u.id}>
          <Row style={{ justifyContent: 'space-between' }} wrap>
            <Text style={{ fontWeight: '700', color: colors.text }}>
              {u.name} {u.is_admin ? '· admin' : ''}
            </Text>
            {u.suspended ? <Text style={{ color: colors.danger }}>suspended</Text> : !u.email_verified ? <Text style={{ color: colors.muted }}>unconfirmed</Text> : null}
          </Row>
          <Text style={{ color: colors.muted }}>{u.email}</Text>
          <Text style={{ color: colors.muted, fontSize: 13 }}>
            Joined {formatDate(u.created_at, false)} · stores {formatBytes(u.stored_bytes)} · today {formatBytes(u.daily_bytes_used)}
          </Text>
          {u.id !== me?.id ? (
            <Row wrap>
              <Button
                small
                variant={u.suspended ? 'secondary' : 'danger'}
                title={u.suspended ? 'Reinstate' : 'Suspend'}
                accessibilityLabel={`${u.suspended ? 'Reinstate' : 'Suspend'} ${u.name}`}
                busy={busy === u.id}
                onPress={async () => {
                  if (!u.suspended && !(await confirm(`Suspend ${u.name}?`, 'They are signed out everywhere and cannot sign in until reinstated.', 'Suspend'))) return;
                  await run(u.id, async () => {
                    const next = await api.setSuspended(u.id, !u.suspended);
                    setUsers((list) => list?.map((x) => (x.id === u.id ? { ...x, suspended: next.suspended } : x)) ?? null);
                  }, `${u.name} is ${u.suspended ? 'reinstated' : 'suspended'}.`);
                }}
              />
              <Button small variant="secondary" title="Limits" accessibilityLabel={`Limits of ${u.name}`} onPress={() => setLimitsFor(limitsFor === u.id ? null : u.id)} />
            </Row>
          ) : null}
          {limitsFor === u.id ? (
            <View style={{ gap: 8 }}>
              <Body muted>Leave a field empty for the instance default.</Body>
              <Field label="Daily upload allowance (GiB)" value={dailyGiB} onChangeText={setDailyGiB} keyboardType="numeric" />
              <Field label="Daily file allowance" value={dailyFiles} onChangeText={setDailyFiles} keyboardType="numeric" />
              <Button
                small
                title="Save limits"
                busy={busy === 'limits'}
                onPress={() =>
                  run('limits', async () => {
                    const gib = number(dailyGiB);
                    await api.setLimits(u.id, { daily_bytes_limit: gib === null ? null : Math.round(gib * GiB), daily_files_limit: number(dailyFiles) });
                    setLimitsFor(null);
                  }, `Limits of ${u.name} saved.`)
                }
              />
            </View>
          ) : null}
        </Card>
      ))}
    </>
  );
}

function Escalated() {
  const { api } = useSession();
  const [reports, setReports] = useState<Report[] | null>(null);
  const { error, run } = useAction();
  useEffect(() => {
    run('load', async () => setReports((await api.escalatedReports()).items));
  }, [api, run]);
  if (!reports) return error ? <Notice>{error}</Notice> : <Loading />;
  if (reports.length === 0) return <Body muted>Nothing escalated. Group admins handle their own reports.</Body>;
  return (
    <>
      {reports.map((r) => (
        <Card key={r.id}>
          <Text style={{ fontWeight: '700', color: colors.text }}>{reasonLabels[r.reason] ?? r.reason}</Text>
          {r.details ? <Text style={{ color: colors.text }}>“{r.details}”</Text> : null}
          <Text style={{ color: colors.muted, fontSize: 13 }}>
            Group {r.group_id} · item {r.media_id} · reported {formatDate(r.created_at)}
          </Text>
          <Body muted>Look the group up in the audit log; suspend the account responsible from Accounts.</Body>
        </Card>
      ))}
    </>
  );
}

function AuditSearch() {
  const { api } = useSession();
  const [actor, setActor] = useState('');
  const [group, setGroup] = useState('');
  const [action, setAction] = useState('');
  const [entries, setEntries] = useState<(AuditEntry & { group_id?: string })[] | null>(null);
  const { busy, error, run } = useAction();
  const search = useCallback(
    () => run('search', async () => setEntries((await api.adminAudit({ actor: actor.trim(), group: group.trim(), action: action.trim() })).items)),
    [api, run, actor, group, action],
  );
  useEffect(() => {
    search();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [api]);
  return (
    <>
      <Card>
        <Heading>Search the audit log</Heading>
        <Field label="Actor (user id)" value={actor} onChangeText={setActor} />
        <Field label="Group id" value={group} onChangeText={setGroup} />
        <Field label="Action" placeholder="e.g. media.delete" value={action} onChangeText={setAction} onSubmitEditing={search} />
        <Button small title="Search" busy={busy === 'search'} onPress={search} />
      </Card>
      <Notice>{error}</Notice>
      {entries ? (
        <Card>
          {entries.length === 0 ? <Body muted>No entries.</Body> : null}
          {entries.map((e) => (
            <View key={e.id} style={{ borderTopWidth: 1, borderTopColor: colors.border, paddingVertical: 6 }}>
              <Text style={{ color: colors.text }}>
                <Text style={{ fontWeight: '700' }}>{e.actor?.name ?? 'wmory'}</Text> · {e.action.replace(/[._]/g, ' ')}
              </Text>
              <Text style={{ color: colors.muted, fontSize: 12 }}>
                {formatDate(e.at)} · {e.target_type} {e.target_id}
                {e.group_id ? ` · group ${e.group_id}` : ''}
                {e.ip ? ` · ${e.ip}` : ''}
              </Text>
            </View>
          ))}
        </Card>
      ) : null}
    </>
  );
}
