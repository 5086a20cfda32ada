// The web: everything comes as one ZIP, streamed by the server through a
// signed link the browser downloads like any file.
import type { Api } from './api';
import { formatBytes } from './uploads';

export const saveLabel = 'Download';

export async function saveItems(api: Api, gid: string, what: { media_ids?: string[]; album_id?: string }): Promise<string> {
  const d = await api.createDownload(gid, what);
  window.location.assign(d.url);
  return `Downloading ${d.count} ${d.count === 1 ? 'item' : 'items'} (${formatBytes(d.bytes)}) as a ZIP.`;
}
