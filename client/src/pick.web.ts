// The web: the browser's file chooser, and files dropped anywhere on the page.
import type { PickedFile } from './uploads';

export const canDropFiles = true;

const toPicked = (files: FileList | File[]): PickedFile[] =>
  Array.from(files).map((f) => ({ name: f.name, size: f.size, type: f.type, body: f, modified: f.lastModified }));

export function pickMedia(): Promise<PickedFile[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.accept = 'image/*,video/*,.heic,.heif,.avif,.mov';
    input.style.display = 'none';
    input.setAttribute('aria-hidden', 'true');
    const done = (files: PickedFile[]) => {
      input.remove();
      resolve(files);
    };
    input.addEventListener('change', () => done(toPicked(input.files ?? [])));
    input.addEventListener('cancel', () => done([]));
    document.body.appendChild(input);
    input.click();
  });
}

export const takePhoto = undefined;

/** Calls handler with files dropped on the page; onDrag tells when files hover over it. */
export function onDroppedFiles(handler: (files: PickedFile[]) => void, onDrag?: (over: boolean) => void): () => void {
  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
  const over = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    onDrag?.(true);
  };
  const leave = (e: DragEvent) => {
    if (e.relatedTarget === null) onDrag?.(false);
  };
  const drop = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    onDrag?.(false);
    handler(toPicked(e.dataTransfer?.files ?? []));
  };
  window.addEventListener('dragover', over);
  window.addEventListener('dragleave', leave);
  window.addEventListener('drop', drop);
  return () => {
    window.removeEventListener('dragover', over);
    window.removeEventListener('dragleave', leave);
    window.removeEventListener('drop', drop);
  };
}
