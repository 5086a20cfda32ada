// Phones: sending a picked file straight to object storage with the signed
// request the server handed out.
import type { UploadGrant } from './api';
import type { PickedFile } from './uploads';
import { xhrSend } from './xhr';

/** Phones: the picker gives a file URI, which fetch turns into a Blob. */
export async function sendFile(grant: UploadGrant, file: PickedFile, onProgress: (sent: number) => void) {
  const blob = await (await fetch((file.body as { uri: string }).uri)).blob();
  await xhrSend(grant, blob, onProgress);
}

/** Hashing on the phone would read every file twice; the server still checks sizes and types. */
export async function hashFile(_file: PickedFile): Promise<string | undefined> {
  return undefined;
}
