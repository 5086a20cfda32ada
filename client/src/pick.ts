// Phones: photos and videos from the library through the system picker.
import * as ImagePicker from 'expo-image-picker';
import type { PickedFile } from './uploads';

export const canDropFiles = false;

export async function pickMedia(): Promise<PickedFile[]> {
  const perm = await ImagePicker.requestMediaLibraryPermissionsAsync();
  if (!perm.granted) throw new Error('wmory needs access to your photos to upload them. You can allow it in Settings.');
  const res = await ImagePicker.launchImageLibraryAsync({
    mediaTypes: ['images', 'videos'],
    allowsMultipleSelection: true,
    quality: 1,
    exif: false,
    // Send the camera's own file (HEIC stays HEIC), not a re-encoded copy.
    preferredAssetRepresentationMode: ImagePicker.UIImagePickerPreferredAssetRepresentationMode.Current,
  });
  if (res.canceled) return [];
  return res.assets.map((a) => ({
    name: a.fileName ?? a.uri.split('/').pop() ?? 'file',
    size: a.fileSize ?? 0,
    type: a.mimeType ?? '',
    body: { uri: a.uri },
    uri: a.uri,
  }));
}

export async function takePhoto(): Promise<PickedFile[]> {
  const perm = await ImagePicker.requestCameraPermissionsAsync();
  if (!perm.granted) throw new Error('wmory needs the camera to take a photo. You can allow it in Settings.');
  const res = await ImagePicker.launchCameraAsync({ mediaTypes: ['images', 'videos'], quality: 1 });
  if (res.canceled) return [];
  return res.assets.map((a) => ({ name: a.fileName ?? 'camera.jpg', size: a.fileSize ?? 0, type: a.mimeType ?? '', body: { uri: a.uri } }));
}

export function onDroppedFiles(_handler: (files: PickedFile[]) => void, _onDrag?: (over: boolean) => void): () => void {
  return () => {};
}
