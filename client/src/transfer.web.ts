// The web: the picked File goes as it is.
import type { PartGrant, UploadGrant } from './api';
import type { PickedFile } from './uploads';
import { xhrSend } from './xhr';

export async function sendFile(grant: UploadGrant, file: PickedFile, onProgress: (sent: number) => void) {
  await xhrSend(grant, file.body as Blob, onProgress);
}

/** One part of a large file: a slice of the File, read from disk as it is sent. */
export async function sendPart(grant: PartGrant, file: PickedFile, start: number, end: number, onProgress: (sent: number) => void) {
  await xhrSend(grant, (file.body as Blob).slice(start, end), onProgress);
}

// Hashing lets the server answer "already in this group" before any byte is sent.
// Only for files that fit comfortably in memory, and only where WebCrypto exists
// (secure contexts: https or localhost).
const maxHashBytes = 64 * 1024 * 1024;

export async function hashFile(file: PickedFile): Promise<string | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle || file.size > maxHashBytes) return undefined;
  const digest = await subtle.digest('SHA-256', await (file.body as Blob).arrayBuffer());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
