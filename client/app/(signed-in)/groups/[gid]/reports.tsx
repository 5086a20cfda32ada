import { Stack, useLocalSearchParams } from 'expo-router';
import React, { useCallback, useEffect, useState } from 'react';
import { Text, View } from 'react-native';
import type { Media, Report, ResolveAction } from '@/api';
import { confirm } from '@/confirm';
import { useGallery } from '@/gallery';
import { useSession } from '@/session';
import { Thumb } from '@/Thumb';
import { reasonLabels } from '@/labels';
import { useAction } from '@/useAction';
import { useGroup } from '@/useGroup';
import { Body, Button, Card, Loading, Notice, Row, Screen, Title, colors, errorMessage, formatDate } from '@/ui';


const actionText: Record<string, string> = {
  dismiss: 'Dismissed',
  remove_media: 'Item removed',
  remove_uploader: 'Uploader removed',
  escalated: 'Sent to the instance admins',
};

export default function Reports() {
  const { gid } = useLocalSearchParams<{ gid: string }>();
  const { api, user } = useSession();
  const { group, isModerator } = useGroup(gid);
  const gallery = useGallery(gid);
  const [status, setStatus] = useState<'open' | 'resolved'>('open');
  const [reports, setReports] = useState<Report[] | null>(null);
  const [media, setMedia] = useState<Record<string, Media | null>>({});
  const { busy, error, run, setError } = useAction();

  const load = useCallback(async () => {
    setError('');
    try {
      const page = await api.reports(gid, status);
      setReports(page.items);
      const ids = [...new Set(page.items.map((r) => r.media_id))];
      const items = await Promise.all(ids.map((id) => api.media(id).catch(() => null)));
      setMedia(Object.fromEntries(ids.map((id, i) => [id, items[i]])));
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [api, gid, status, setError]);
  useEffect(() => {
    setReports(null);
    load();
  }, [load]);

  async function resolve(r: Report, action: ResolveAction | 'escalate') {
    const what = action === 'remove_media' ? 'Remove this item for everyone?' : action === 'remove_uploader' ? 'Remove the uploader from the group and delete this item?' : null;
    if (what && !(await confirm(what, 'This cannot be undone.', 'Remove'))) return;
    await run(r.id + action, async () => {
      if (action === 'escalate') await api.escalateReport(r.id);
      else await api.resolveReport(r.id, action);
      if (action === 'remove_media' || action === 'remove_uploader') gallery.remove(r.media_id);
      await load();
    });
  }

  return (
    <Screen>
      <Stack.Screen options={{ title: `${group?.name ?? ''} · Reports` }} />
      <Title>{isModerator ? 'Reports' : 'My reports'}</Title>
      <Row>
        <Button small title="Open" variant={status === 'open' ? 'primary' : 'secondary'} onPress={() => setStatus('open')} />
        <Button small title="Resolved" variant={status === 'resolved' ? 'primary' : 'secondary'} onPress={() => setStatus('resolved')} />
      </Row>
      <Notice>{error}</Notice>
      {!reports ? (
        <Loading />
      ) : reports.length === 0 ? (
        <Body muted>{status === 'open' ? 'No open reports. All is well.' : 'No resolved reports yet.'}</Body>
      ) : (
        reports.map((r) => {
          const m = media[r.media_id];
          return (
            <Card key={r.id}>
              <Row style={{ alignItems: 'flex-start', gap: 12 }}>
                {m?.thumbnail_url ? (
                  <Thumb uri={m.thumbnail_url} alt={`Reported ${m.kind}`} style={{ width: 88, height: 88, borderRadius: 8 }} />
                ) : (
                  <View style={{ width: 88, height: 88, borderRadius: 8, backgroundColor: colors.placeholder, alignItems: 'center', justifyContent: 'center' }}>
                    <Text style={{ fontSize: 11, color: colors.muted, textAlign: 'center' }}>{m === null ? 'Removed' : ''}</Text>
                  </View>
                )}
                <View style={{ flex: 1, gap: 2 }}>
                  <Text style={{ fontWeight: '700', color: colors.text }}>{reasonLabels[r.reason] ?? r.reason}</Text>
                  {r.details ? <Text style={{ color: colors.text }}>“{r.details}”</Text> : null}
                  <Text style={{ color: colors.muted, fontSize: 13 }}>
                    {m ? `Uploaded by ${m.uploader.name} · ` : ''}reported {formatDate(r.created_at)}
                  </Text>
                  {r.status === 'resolved' ? (
                    <Text style={{ color: colors.ok, fontSize: 13 }}>
                      {actionText[r.action ?? ''] ?? 'Resolved'} {formatDate(r.resolved_at)}
                    </Text>
                  ) : null}
                </View>
              </Row>
              {isModerator && r.status === 'open' ? (
                <Row wrap>
                  <Button small variant="secondary" title="Dismiss" busy={busy === r.id + 'dismiss'} onPress={() => resolve(r, 'dismiss')} />
                  <Button small variant="danger" title="Remove item" busy={busy === r.id + 'remove_media'} onPress={() => resolve(r, 'remove_media')} />
                  {m && m.uploader.id !== user?.id ? <Button small variant="danger" title="Remove uploader" busy={busy === r.id + 'remove_uploader'} onPress={() => resolve(r, 'remove_uploader')} /> : null}
                  <Button small variant="secondary" title="Escalate" busy={busy === r.id + 'escalate'} onPress={() => resolve(r, 'escalate')} accessibilityLabel="Escalate to the instance admins" />
                </Row>
              ) : null}
            </Card>
          );
        })
      )}
    </Screen>
  );
}
