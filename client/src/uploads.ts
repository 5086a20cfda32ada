// The upload queue: every file goes authorize → direct PUT to storage → complete,
// a few at a time, with per-file and overall progress and retry of failed ones.
// It knows nothing about React or the platform: the screen subscribes to it, and
// the platform supplies how bytes are read, hashed and sent.
import { ApiError, type Media, type PartGrant, type ResumableGrant, type UploadGrant, type UploadProgress } from './api';

export type UploadStatus = 'queued' | 'authorizing' | 'uploading' | 'completing' | 'done' | 'duplicate' | 'failed';

export type UploadItem = {
  id: string;
  name: string;
  size: number;
  type: string;
  status: UploadStatus;
  sent: number;
  error?: string;
  /** Whether trying again could help (a quota or size refusal will not go away by itself). */
  retryable?: boolean;
  /** Tries so far; transient failures are tried again by themselves. */
  attempts?: number;
  media?: Media;
};

/**
 * A file the user picked; `body` is whatever the platform's sender
 * understands. `modified` (the web's lastModified) or `uri` (a phone's)
 * tells the same file when it is picked again.
 */
export type PickedFile = { name: string; size: number; type: string; body: unknown; modified?: number; uri?: string };

/** An upload in parts not yet finished, as kept across reloads and restarts. */
export type ResumeRecord = {
  key: string;
  uploadId: string;
  name: string;
  size: number;
  type: string;
  modified?: number;
  uri?: string;
};

/** Where unfinished uploads in parts are kept (the browser's or the phone's storage). */
export type ResumeBook = {
  list(): Promise<ResumeRecord[]>;
  put(r: ResumeRecord): Promise<void>;
  forget(key: string): Promise<void>;
};

/** Files above this go up in parts, and can be resumed (the contract's advice: 64 MiB). */
export const resumableOver = 64 * 1024 * 1024;
/** Parts of one file sent at once. */
export const partsInFlight = 3;

/** Which file a record is about: the same name, size and time (or URI) in the same group. */
export function resumeKey(gid: string, f: { name: string; size: number; modified?: number; uri?: string }): string {
  return [gid, f.name, f.size, f.modified ?? f.uri ?? ''].join('|');
}

export type UploadDeps = {
  authorize(file: { filename: string; content_type: string; size: number; sha256?: string }): Promise<UploadGrant>;
  complete(uploadId: string): Promise<Media>;
  send(grant: UploadGrant, file: PickedFile, onProgress: (sent: number) => void): Promise<void>;
  /** Gives up an authorized upload, so its reservation of the day's allowance is released at once. */
  abandon?(uploadId: string): Promise<void>;
  /** Hex SHA-256 of the file, or undefined when it is too costly here; lets the server spot duplicates. */
  hash?(file: PickedFile): Promise<string | undefined>;
  /** Large files in parts, resumable; without it every file goes in one request. */
  parts?: PartDeps;
};

export type PartDeps = {
  /** The group, whose unfinished uploads the book keeps apart from others'. */
  gid: string;
  authorize(file: { filename: string; content_type: string; size: number; sha256?: string }): Promise<ResumableGrant>;
  sign(uploadId: string, numbers: number[]): Promise<PartGrant[]>;
  progress(uploadId: string): Promise<UploadProgress>;
  /** Sends bytes start..end of the file to a part's URL. */
  send(grant: PartGrant, file: PickedFile, start: number, end: number, onProgress: (sent: number) => void): Promise<void>;
  media(id: string): Promise<Media>;
  book: ResumeBook;
};

export type QueueSnapshot = {
  items: UploadItem[];
  sent: number;
  total: number;
  /** Uploaded or already in the group. */
  done: number;
  uploaded: number;
  duplicates: number;
  failed: number;
  active: boolean;
  /** When the queue tries again, while it waits after failures. */
  retryAt?: number;
  /** It waits because nothing answered: the connection is gone. */
  offline?: boolean;
};

const extensionTypes: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  avif: 'image/avif',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
};

/** The content type to declare: the platform's when it knows one we accept, else from the extension. */
export function contentTypeOf(name: string, reported?: string): string {
  if (reported && Object.values(extensionTypes).includes(reported)) return reported;
  const ext = name.toLowerCase().split('.').pop() ?? '';
  return extensionTypes[ext] ?? (reported || 'application/octet-stream');
}

/** A failed transfer to storage: status 0 when no answer came (connection lost, timeout). */
export class TransferError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'TransferError';
  }
}

/**
 * How a failure is handled: `offline` (no answer at all: wait for the
 * connection, however long), `transient` (the server or the store had a
 * moment: try again a few times), or `final` (retrying cannot help).
 */
export type FailureKind = 'offline' | 'transient' | 'final';

/** A sentence for the person uploading, from the server's refusal. */
export function describeUploadError(err: unknown): { message: string; retryable: boolean; kind: FailureKind } {
  if (err instanceof ApiError) {
    switch (err.code) {
      case 'unsupported_media_type':
        return { message: 'This kind of file cannot be shared here (photos and videos only).', retryable: false, kind: 'final' };
      case 'quota_exceeded':
        if (err.retryAfterSeconds) {
          const resets = new Date(Date.now() + err.retryAfterSeconds * 1000);
          return {
            message: `Your upload allowance for today is used up. It resets ${resets.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}.`,
            retryable: false,
            kind: 'final',
          };
        }
        return { message: err.message, retryable: false, kind: 'final' };
      case 'file_too_large':
      case 'upload_rejected':
      case 'forbidden':
      case 'not_found':
        return { message: err.message, retryable: false, kind: 'final' };
      case 'rate_limited':
        return { message: 'Too many uploads at once. Trying again in a moment.', retryable: true, kind: 'transient' };
      case 'network_error':
        return { message: 'Could not reach the server.', retryable: true, kind: 'offline' };
      default: {
        const retryable = err.status === 0 || err.status >= 500 || err.code === 'upload_expired' || err.code === 'upload_missing';
        return { message: err.message, retryable, kind: err.status === 0 ? 'offline' : retryable ? 'transient' : 'final' };
      }
    }
  }
  if (err instanceof TransferError) {
    // A refusal from the store (an expired URL, say) goes away with a new authorization.
    return { message: err.message, retryable: true, kind: err.status === 0 ? 'offline' : 'transient' };
  }
  return { message: err instanceof Error ? err.message : 'The upload failed.', retryable: true, kind: 'final' };
}

/** Attempts of a file whose failures are transient, before it is marked failed. */
export const maxAttempts = 5;
/** The wait before the next try: 1 s, 2 s, 4 s… at most 30 s. */
export function backoffMs(failuresInRow: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, failuresInRow - 1));
}

export class UploadQueue {
  private items: UploadItem[] = [];
  private files = new Map<string, PickedFile>();
  private running = 0;
  private listeners = new Set<(s: QueueSnapshot) => void>();
  private seq = 0;
  // While the server or the store fails, nothing starts before resumeAt;
  // the first success clears it.
  private failuresInRow = 0;
  private resumeAt = 0;
  private offline = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly deps: UploadDeps,
    private readonly concurrency = 3,
    private readonly onUploaded?: (m: Media) => void,
  ) {}

  subscribe(listener: (s: QueueSnapshot) => void): () => void {
    this.listeners.add(listener);
    listener(this.snapshot());
    return () => this.listeners.delete(listener);
  }

  snapshot(): QueueSnapshot {
    const items = this.items.map((i) => ({ ...i }));
    let sent = 0;
    let total = 0;
    let uploaded = 0;
    let duplicates = 0;
    let failed = 0;
    for (const i of items) {
      // A refused file will send nothing: overall progress counts what can arrive.
      if (i.status !== 'failed') total += i.size;
      sent += i.status === 'done' || i.status === 'duplicate' ? i.size : i.sent;
      if (i.status === 'done') uploaded++;
      if (i.status === 'duplicate') duplicates++;
      if (i.status === 'failed') failed++;
    }
    const waiting = this.resumeAt > Date.now() && items.some((i) => i.status === 'queued');
    return {
      items,
      sent,
      total,
      done: uploaded + duplicates,
      uploaded,
      duplicates,
      failed,
      active: items.some((i) => !['done', 'duplicate', 'failed'].includes(i.status)),
      retryAt: waiting ? this.resumeAt : undefined,
      offline: waiting && this.offline,
    };
  }

  add(files: PickedFile[]): void {
    for (const f of files) {
      const id = `u${++this.seq}`;
      const file = { ...f, type: contentTypeOf(f.name, f.type) };
      this.files.set(id, file);
      this.items.push({ id, name: f.name, size: f.size, type: file.type, status: 'queued', sent: 0, attempts: 0 });
    }
    this.emit();
    this.pump();
  }

  retry(id: string): void {
    const item = this.items.find((i) => i.id === id);
    if (!item || item.status !== 'failed') return;
    Object.assign(item, { status: 'queued', sent: 0, error: undefined, retryable: undefined, attempts: 0 });
    this.resumeAt = 0;
    this.emit();
    this.pump();
  }

  retryAll(): void {
    for (const i of this.items) if (i.status === 'failed' && i.retryable !== false) Object.assign(i, { status: 'queued', sent: 0, error: undefined, attempts: 0 });
    this.resumeAt = 0;
    this.emit();
    this.pump();
  }

  /** Forgets finished and failed files (the list the user sees). */
  clearFinished(): void {
    this.items = this.items.filter((i) => !['done', 'duplicate', 'failed'].includes(i.status));
    for (const id of [...this.files.keys()]) if (!this.items.some((i) => i.id === id)) this.files.delete(id);
    this.emit();
  }

  /** Stops the retry timer (the screen went away). */
  dispose(): void {
    clearTimeout(this.timer);
  }

  private emit() {
    const s = this.snapshot();
    for (const l of this.listeners) l(s);
  }

  private pump() {
    const wait = this.resumeAt - Date.now();
    if (wait > 0) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.pump(), wait);
      return;
    }
    while (this.running < this.concurrency) {
      const next = this.items.find((i) => i.status === 'queued');
      if (!next) return;
      this.running++;
      next.status = 'authorizing';
      this.emit();
      this.run(next).finally(() => {
        this.running--;
        this.emit();
        this.pump();
      });
      // After failures, one file at a time tells whether the way is open again.
      if (this.failuresInRow > 0) return;
    }
  }

  private async run(item: UploadItem) {
    const file = this.files.get(item.id)!;
    if (this.deps.parts && file.size > resumableOver) return this.runInParts(item, file, this.deps.parts);
    let grant: UploadGrant | undefined;
    try {
      const sha256 = this.deps.hash ? await this.deps.hash(file).catch(() => undefined) : undefined;
      try {
        grant = await this.deps.authorize({ filename: file.name, content_type: file.type, size: file.size, sha256 });
      } catch (err) {
        if (isDuplicate(err)) return this.alreadyHere(item);
        throw err;
      }
      item.status = 'uploading';
      this.emit();
      await this.deps.send(grant, file, (sent) => {
        // Progress never goes backwards within a try.
        item.sent = Math.max(item.sent, Math.min(sent, item.size));
        this.emit();
      });
      item.sent = item.size;
      item.status = 'completing';
      this.emit();
      const media = await this.deps.complete(grant.upload_id);
      item.status = 'done';
      item.media = media;
      item.error = undefined;
      this.succeeded();
      this.onUploaded?.(media);
    } catch (err) {
      // The reservation of an upload that will not complete is given back at
      // once (a retry authorizes anew), not held until it expires.
      if (grant && this.deps.abandon && !(err instanceof ApiError && err.code === 'upload_rejected')) {
        this.deps.abandon(grant.upload_id).catch(() => undefined);
      }
      this.failed(item, err);
    }
  }

  /** A failure: tried again later when it may pass, else the file is marked failed. */
  private failed(item: UploadItem, err: unknown, keepProgress = false) {
    const { message, retryable, kind } = describeUploadError(err);
    if (!keepProgress) item.sent = 0;
    item.attempts = (item.attempts ?? 0) + 1;
    if (kind === 'offline' || (kind === 'transient' && item.attempts < maxAttempts)) {
      this.failuresInRow++;
      this.offline = kind === 'offline';
      this.resumeAt = Date.now() + backoffMs(this.failuresInRow);
      item.status = 'queued';
      item.error = kind === 'offline' ? 'Waiting for the connection…' : `${message} Trying again…`;
      return;
    }
    item.status = 'failed';
    item.error = message;
    item.retryable = retryable;
  }

  /**
   * A large file in parts: resumed from what the store holds when an earlier
   * try (or an earlier visit, through the book) began it, else authorized
   * anew; the missing parts go three at a time, each tried again once at
   * once; then complete, sending again any part the server finds missing.
   * A failure keeps what arrived: the next try sends only the rest.
   */
  private async runInParts(item: UploadItem, file: PickedFile, parts: PartDeps) {
    const key = resumeKey(parts.gid, file);
    try {
      let uploadId: string | undefined = (await parts.book.list().catch(() => [])).find((r) => r.key === key)?.uploadId;
      let progress: UploadProgress | undefined;
      if (uploadId) {
        progress = await parts.progress(uploadId).catch((err) => {
          if (err instanceof ApiError && err.status === 404) return undefined;
          throw err;
        });
        if (progress?.status === 'completed' && progress.media_id) {
          await parts.book.forget(key);
          return this.finished(item, await parts.media(progress.media_id));
        }
        if (progress?.status !== 'pending') {
          await parts.book.forget(key);
          uploadId = undefined;
          progress = undefined;
        }
      }
      if (!uploadId || !progress) {
        const sha256 = this.deps.hash ? await this.deps.hash(file).catch(() => undefined) : undefined;
        let grant: ResumableGrant;
        try {
          grant = await parts.authorize({ filename: file.name, content_type: file.type, size: file.size, sha256 });
        } catch (err) {
          if (isDuplicate(err)) return this.alreadyHere(item);
          throw err;
        }
        uploadId = grant.upload_id;
        await parts.book.put({ key, uploadId, name: file.name, size: file.size, type: file.type, modified: file.modified, uri: file.uri });
        progress = { upload_id: uploadId, status: 'pending', filename: file.name, size: file.size, resumable: true, part_size: grant.part_size, part_count: grant.part_count, parts_done: [], expires_at: grant.expires_at };
      }
      const partSize = progress.part_size;
      const length = (n: number) => Math.min(partSize, file.size - (n - 1) * partSize);
      const done = new Set(progress.parts_done.filter((p) => p.size === length(p.number)).map((p) => p.number));
      const inFlight = new Map<number, number>();
      const show = () => {
        let sent = 0;
        for (const n of done) sent += length(n);
        for (const v of inFlight.values()) sent += v;
        item.sent = Math.max(item.sent, Math.min(sent, item.size));
        this.emit();
      };
      item.status = 'uploading';
      show();
      let missing = Array.from({ length: progress.part_count }, (_, i) => i + 1).filter((n) => !done.has(n));
      for (let round = 0; ; round++) {
        await this.sendParts(uploadId, file, missing, partSize, parts, (n, sent) => {
          if (sent < 0) {
            inFlight.delete(n);
            done.add(n);
          } else inFlight.set(n, sent);
          show();
        });
        item.status = 'completing';
        this.emit();
        try {
          const media = await this.deps.complete(uploadId);
          await parts.book.forget(key);
          return this.finished(item, media);
        } catch (err) {
          if (err instanceof ApiError && err.code === 'upload_missing' && err.missing?.length && round < 2) {
            missing = err.missing;
            for (const n of missing) done.delete(n);
            item.status = 'uploading';
            continue;
          }
          if (isDuplicate(err)) {
            await parts.book.forget(key);
            return this.alreadyHere(item);
          }
          throw err;
        }
      }
    } catch (err) {
      // Refused for good: nothing to resume. Otherwise the parts stay, and
      // the next try (or visit) resumes them.
      if (describeUploadError(err).kind === 'final') await parts.book.forget(key).catch(() => undefined);
      this.failed(item, err, true);
    }
  }

  /** Sends the parts, partsInFlight at a time; a part that fails is sent once more before the failure counts. */
  private async sendParts(
    uploadId: string,
    file: PickedFile,
    numbers: number[],
    partSize: number,
    parts: PartDeps,
    progress: (n: number, sent: number) => void,
  ) {
    const queue = [...numbers];
    let failure: unknown;
    const sendOne = async (n: number) => {
      const start = (n - 1) * partSize;
      const end = Math.min(file.size, start + partSize);
      for (let attempt = 1; ; attempt++) {
        try {
          const [grant] = await parts.sign(uploadId, [n]);
          await parts.send(grant, file, start, end, (sent) => progress(n, sent));
          progress(n, -1);
          return;
        } catch (err) {
          progress(n, 0);
          if (attempt >= 2 || describeUploadError(err).kind === 'final') throw err;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    };
    // Each runner takes the next part until none is left or one has failed.
    const runner = async () => {
      for (let n = queue.shift(); n !== undefined && failure === undefined; n = queue.shift()) {
        await sendOne(n).catch((err) => {
          failure ??= err;
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(partsInFlight, queue.length) }, runner));
    if (failure !== undefined) throw failure;
  }

  /** The group holds this file already: nothing was, or will be, sent twice. */
  private alreadyHere(item: UploadItem) {
    item.status = 'duplicate';
    item.error = 'Already in this group.';
    this.succeeded();
  }

  private finished(item: UploadItem, media: Media) {
    item.status = 'done';
    item.media = media;
    item.error = undefined;
    item.sent = item.size;
    this.succeeded();
    this.onUploaded?.(media);
  }

  private succeeded() {
    this.failuresInRow = 0;
    this.offline = false;
    this.resumeAt = 0;
  }
}

const isDuplicate = (err: unknown) => err instanceof ApiError && err.code === 'duplicate';

/** "3.2 MB" */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}
