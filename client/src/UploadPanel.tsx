import React, { useState } from 'react';
import { StyleSheet, Text, View } from 'react-native';
import type { Quota } from './api';
import { Button, Card, Meter, Row, colors } from './ui';
import { formatBytes, type QueueSnapshot, type ResumeRecord, type UploadItem } from './uploads';

/** Rows of a batch shown before the list collapses. */
const collapsedRows = 5;

const statusText: Record<UploadItem['status'], string> = {
  queued: 'Waiting',
  authorizing: 'Starting',
  uploading: 'Uploading',
  completing: 'Checking',
  done: 'Uploaded',
  duplicate: 'Already here',
  failed: 'Failed',
};

export function UploadPanel({ queue, quota, onRetry, onRetryAll, onClear }: {
  queue: QueueSnapshot;
  quota?: Quota;
  onRetry: (id: string) => void;
  onRetryAll: () => void;
  onClear: () => void;
}) {
  const [expanded, setExpanded] = useState(false);
  if (queue.items.length === 0) return null;
  // A long batch keeps the gallery in view: the files still to go and the
  // failed ones are listed, the finished ones counted, until asked for.
  const collapsible = queue.items.length > collapsedRows;
  const listed = expanded || !collapsible ? queue.items : queue.items.filter((i) => i.status !== 'done' && i.status !== 'duplicate').slice(0, collapsedRows);
  const hidden = queue.items.length - listed.length;
  const pct = queue.total ? Math.round((queue.sent / queue.total) * 100) : 0;
  const retryable = queue.items.some((i) => i.status === 'failed' && i.retryable !== false);
  const finished = [
    `${queue.uploaded} uploaded`,
    queue.duplicates ? `${queue.duplicates} already here` : '',
    queue.failed ? `${queue.failed} failed` : '',
  ].filter(Boolean);
  return (
    <Card style={{ marginBottom: 12 }}>
      <Row style={{ justifyContent: 'space-between' }} wrap>
        <Text style={styles.title} accessibilityRole="header" aria-live="polite">
          {queue.active
            ? `Uploading ${queue.done} of ${queue.items.length} · ${pct}%`
            : finished.join(' · ')}
        </Text>
        <Row>
          {retryable && !queue.active ? <Button small variant="secondary" title="Retry failed" onPress={onRetryAll} /> : null}
          {!queue.active ? <Button small variant="secondary" title="Clear" onPress={onClear} /> : null}
        </Row>
      </Row>
      {queue.retryAt ? (
        <Text style={styles.waiting} accessibilityRole="alert">
          {queue.offline ? 'Connection lost. The uploads go on by themselves when it is back.' : 'The server is busy. The uploads go on by themselves in a moment.'}
        </Text>
      ) : null}
      <Meter value={queue.sent} max={queue.total} label="Upload progress" />
      <Text style={styles.meta}>
        {formatBytes(queue.sent)} of {formatBytes(queue.total)}
        {quota ? ` · today: ${formatBytes(quota.daily_bytes_used)} of ${formatBytes(quota.daily_bytes_limit)}, ${quota.daily_files_used} of ${quota.daily_files_limit} files` : ''}
      </Text>
      <View style={{ gap: 6 }}>
        {listed.map((i) => (
          <View key={i.id} style={styles.item} accessibilityLabel={`${i.name}: ${statusText[i.status]}${i.error ? `. ${i.error}` : ''}`}>
            <Row style={{ justifyContent: 'space-between' }}>
              <Text style={styles.name} numberOfLines={1}>
                {i.name}
              </Text>
              <Text style={[styles.status, i.status === 'failed' && { color: colors.danger }, i.status === 'done' && { color: colors.ok }]}>
                {statusText[i.status]}
                {i.status === 'uploading' && i.size ? ` ${Math.round((i.sent / i.size) * 100)}%` : ''}
              </Text>
            </Row>
            {i.status === 'uploading' ? <Meter value={i.sent} max={i.size} label={`${i.name} progress`} /> : null}
            {i.error ? (
              <Row style={{ justifyContent: 'space-between' }}>
                <Text style={i.status === 'failed' ? styles.error : styles.note}>{i.error}</Text>
                {i.status === 'failed' && i.retryable !== false ? <Button small variant="secondary" title="Retry" accessibilityLabel={`Retry ${i.name}`} onPress={() => onRetry(i.id)} /> : null}
              </Row>
            ) : null}
          </View>
        ))}
        {collapsible ? (
          <Button small variant="link" title={expanded ? 'Show fewer' : `Show all ${queue.items.length} files${hidden ? ` (${hidden} more)` : ''}`} onPress={() => setExpanded((e) => !e)} />
        ) : null}
      </View>
    </Card>
  );
}

/**
 * Large files an earlier visit left half sent: resumed from where they
 * stopped. A phone reads the file again itself; a browser needs it picked
 * again (the same file: name, size and time).
 */
export function UnfinishedUploads({ records, onResume, onDiscard }: {
  records: ResumeRecord[];
  onResume?: (r: ResumeRecord) => void;
  onDiscard: (r: ResumeRecord) => void;
}) {
  if (records.length === 0) return null;
  return (
    <Card style={{ marginBottom: 12 }}>
      <Text style={styles.title} accessibilityRole="header">
        {records.length === 1 ? 'An upload was left unfinished' : `${records.length} uploads were left unfinished`}
      </Text>
      <Text style={styles.meta}>
        {onResume ? 'They go on from where they stopped.' : 'Pick the same file again to go on from where it stopped; nothing already sent is sent again.'}
      </Text>
      <View style={{ gap: 6 }}>
        {records.map((r) => (
          <Row key={r.key} style={styles.unfinished} wrap>
            <Text style={styles.name} numberOfLines={1}>
              {r.name} · {formatBytes(r.size)}
            </Text>
            <Row>
              {onResume ? <Button small title="Resume" accessibilityLabel={`Resume ${r.name}`} onPress={() => onResume(r)} /> : null}
              <Button small variant="secondary" title="Discard" accessibilityLabel={`Discard ${r.name}`} onPress={() => onDiscard(r)} />
            </Row>
          </Row>
        ))}
      </View>
    </Card>
  );
}

const styles = StyleSheet.create({
  title: { fontSize: 15, fontWeight: '700', color: colors.text },
  meta: { fontSize: 12, color: colors.muted },
  item: { gap: 4, paddingVertical: 4, borderTopWidth: StyleSheet.hairlineWidth, borderTopColor: colors.border },
  unfinished: { justifyContent: 'space-between', paddingVertical: 4, borderTopWidth: StyleSheet.hairlineWidth, borderTopColor: colors.border },
  name: { flexShrink: 1, fontSize: 14, color: colors.text },
  status: { fontSize: 13, color: colors.muted },
  error: { flexShrink: 1, fontSize: 13, color: colors.danger },
  waiting: { fontSize: 13, color: colors.text },
  note: { flexShrink: 1, fontSize: 13, color: colors.muted },
});
