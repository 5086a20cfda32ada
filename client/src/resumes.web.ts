// The web: unfinished uploads in parts are kept in the browser's storage, so
// that a reload (or a new visit) offers to resume them; picking the same file
// again (same name, size and time) resumes it.
import type { ResumeBook, ResumeRecord } from './uploads';

const key = 'wmory.resumes';

function read(): ResumeRecord[] {
  try {
    const list = JSON.parse(globalThis.localStorage?.getItem(key) ?? '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

function write(list: ResumeRecord[]) {
  try {
    globalThis.localStorage?.setItem(key, JSON.stringify(list));
  } catch {
    // Storage refused (private mode): uploads still resume within the visit.
  }
}

export const canReopenFiles = false;

export const resumeBook: ResumeBook = {
  async list() {
    return read();
  },
  async put(r) {
    write([...read().filter((x) => x.key !== r.key), r]);
  },
  async forget(k) {
    write(read().filter((x) => x.key !== k));
  },
};
