// Phones: a selection goes into the photo library, one original at a time
// through the app's cache; an album or a whole group comes as a ZIP, which
// the system's browser downloads.
import { Directory, File, Paths } from 'expo-file-system';
import * as Linking from 'expo-linking';
import { Asset, requestPermissionsAsync } from 'expo-media-library';
import type { Api } from './api';

/** What the selection's download button says here. */
export const saveLabel = 'Save to Photos';

export async function saveItems(api: Api, gid: string, what: { media_ids?: string[]; album_id?: string }, onProgress?: (done: number) => void): Promise<string> {
  const ids = what.media_ids ?? [];
  if (ids.length === 0) {
    const d = await api.createDownload(gid, what);
    await Linking.openURL(d.url);
    return `Downloading ${d.count} ${d.count === 1 ? 'item' : 'items'} as a ZIP.`;
  }
  const permission = await requestPermissionsAsync(true, ['photo', 'video']);
  if (!permission.granted) throw new Error('wmory may not add to your photo library: allow it in Settings.');
  const dir = new Directory(Paths.cache, 'wmory-save');
  dir.create({ idempotent: true, intermediates: true });
  let done = 0;
  for (const id of ids) {
    const m = await api.media(id);
    if (!m.original_url) continue;
    const file = await File.downloadFileAsync(m.original_url, dir, { idempotent: true });
    try {
      await Asset.create(file.uri);
    } finally {
      file.delete();
    }
    onProgress?.(++done);
  }
  return `Saved ${done} ${done === 1 ? 'item' : 'items'} to your photo library.`;
}
