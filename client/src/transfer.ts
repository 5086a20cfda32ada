// Phones: sending a picked file straight to object storage with the signed
// request the server handed out.
import { File } from 'expo-file-system';
import type { PartGrant, UploadGrant } from './api';
import type { PickedFile } from './uploads';
import { xhrSend } from './xhr';

/** Phones: the picker gives a file URI, which fetch turns into a Blob. */
export async function sendFile(grant: UploadGrant, file: PickedFile, onProgress: (sent: number) => void) {
  const blob = await (await fetch((file.body as { uri: string }).uri)).blob();
  await xhrSend(grant, blob, onProgress);
}

/** One part of a large video: a slice of the file, read from its URI as it is sent (never the whole file in memory). */
export async function sendPart(grant: PartGrant, file: PickedFile, start: number, end: number, onProgress: (sent: number) => void) {
  const uri = file.uri ?? (file.body as { uri: string }).uri;
  await xhrSend(grant, new File(uri).slice(start, end), onProgress);
}

/** Hashing on the phone would read every file twice; the server still checks sizes and types. */
export async function hashFile(_file: PickedFile): Promise<string | undefined> {
  return undefined;
}
