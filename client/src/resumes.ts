// Phones: unfinished uploads in parts are kept in a file of the app's own, so
// that the app, opened again, offers to resume them: the file is read again
// from its URI.
import { File, Paths } from 'expo-file-system';
import type { ResumeBook, ResumeRecord } from './uploads';

const file = () => new File(Paths.document, 'wmory-uploads.json');

async function read(): Promise<ResumeRecord[]> {
  try {
    const f = file();
    if (!f.exists) return [];
    const list = JSON.parse(await f.text());
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

async function write(list: ResumeRecord[]) {
  const f = file();
  if (!f.exists) f.create();
  f.write(JSON.stringify(list));
}

export const canReopenFiles = true;

export const resumeBook: ResumeBook = {
  list: read,
  async put(r) {
    await write([...(await read()).filter((x) => x.key !== r.key), r]);
  },
  async forget(k) {
    await write((await read()).filter((x) => x.key !== k));
  },
};
