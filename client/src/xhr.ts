// Sends bytes to object storage with the signed request the server handed out.
// XMLHttpRequest because fetch reports no upload progress.
import type { UploadGrant } from './api';
import { TransferError } from './uploads';

// Browsers set these themselves and refuse them from scripts.
const forbidden = new Set(['content-length', 'host', 'connection', 'expect']);

export function xhrSend(grant: Pick<UploadGrant, 'method' | 'url' | 'headers'>, body: Blob, onProgress: (sent: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(grant.method, grant.url);
    for (const [k, v] of Object.entries(grant.headers ?? {})) {
      if (!forbidden.has(k.toLowerCase())) xhr.setRequestHeader(k, v);
    }
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve()
        : reject(new TransferError(xhr.status, `Storage refused the file (${xhr.status}).`));
    xhr.onerror = () => reject(new TransferError(0, 'The connection to storage failed.'));
    xhr.ontimeout = () => reject(new TransferError(0, 'Sending the file took too long.'));
    xhr.send(body);
  });
}

