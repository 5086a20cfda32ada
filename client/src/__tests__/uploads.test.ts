import { ApiError, type Media, type UploadGrant } from '../api';
import { TransferError, UploadQueue, backoffMs, contentTypeOf, describeUploadError, formatBytes, maxAttempts, resumeKey, type PickedFile, type QueueSnapshot, type ResumeBook, type ResumeRecord } from '../uploads';

const file = (name: string, size = 100): PickedFile => ({ name, size, type: '', body: null });
const grant = (id: string): UploadGrant => ({ upload_id: id, method: 'PUT', url: `https://store/${id}`, headers: {}, expires_at: '' });
const media = (id: string) => ({ id }) as Media;
const tick = () => new Promise((r) => setTimeout(r, 0));

/** Deps whose every step waits until the test lets it go, to observe the queue in flight. */
function controlled() {
  const sends: { id: string; resolve: () => void; reject: (e: Error) => void; progress: (n: number) => void }[] = [];
  let n = 0;
  const authorized: { filename: string; content_type: string; size: number }[] = [];
  return {
    sends,
    authorized,
    deps: {
      authorize: async (f: { filename: string; content_type: string; size: number }) => {
        authorized.push(f);
        return grant(`up${++n}`);
      },
      complete: async (id: string) => media(`m-${id}`),
      send: (g: UploadGrant, _f: PickedFile, progress: (n: number) => void) =>
        new Promise<void>((resolve, reject) => sends.push({ id: g.upload_id, resolve, reject, progress })),
    },
  };
}

describe('UploadQueue', () => {
  it('sends at most three files at a time and reports overall progress', async () => {
    const c = controlled();
    const uploaded: Media[] = [];
    const q = new UploadQueue(c.deps, 3, (m) => uploaded.push(m));
    let last: QueueSnapshot | undefined;
    q.subscribe((s) => (last = s));
    q.add([file('a.jpg'), file('b.jpg'), file('c.mov'), file('d.png'), file('e.webm')]);
    await tick();
    expect(c.sends).toHaveLength(3);
    expect(last!.items.filter((i) => i.status === 'uploading')).toHaveLength(3);
    expect(last!.items.filter((i) => i.status === 'queued')).toHaveLength(2);

    c.sends[0].progress(50);
    expect(last!.sent).toBe(50);
    expect(last!.total).toBe(500);

    c.sends[0].resolve();
    await tick();
    await tick();
    expect(c.sends).toHaveLength(4); // a finished slot is taken by the next file at once
    expect(last!.done).toBe(1);
    for (const s of c.sends.slice(1)) s.resolve();
    await tick();
    await tick();
    c.sends[4].resolve();
    await tick();
    await tick();
    expect(last!.active).toBe(false);
    expect(last!.done).toBe(5);
    expect(last!.sent).toBe(500);
    expect(uploaded.map((m) => m.id).sort()).toEqual(['m-up1', 'm-up2', 'm-up3', 'm-up4', 'm-up5']);
    expect(c.authorized.map((a) => a.content_type)).toEqual(['image/jpeg', 'image/jpeg', 'video/quicktime', 'image/png', 'video/webm']);
  });

  it('keeps refusals with the server reason, retries only what can succeed', async () => {
    let attempts = 0;
    const q = new UploadQueue({
      authorize: async (f) => {
        if (f.filename === 'big.mp4') throw new ApiError(413, 'file_too_large', 'Videos can be at most 4 GiB.');
        if (f.filename === 'dupe.jpg') throw new ApiError(409, 'duplicate', 'Already there.', { mediaId: 'm1' });
        return grant('g');
      },
      complete: async () => media('m'),
      send: async () => {
        if (++attempts === 1) throw new Error('The connection to storage failed.');
      },
    });
    let last!: QueueSnapshot;
    q.subscribe((s) => (last = s));
    q.add([file('big.mp4'), file('dupe.jpg'), file('flaky.jpg')]);
    for (let i = 0; i < 5; i++) await tick();
    const by = (name: string) => last.items.find((i) => i.name === name)!;
    expect(by('big.mp4')).toMatchObject({ status: 'failed', error: 'Videos can be at most 4 GiB.', retryable: false });
    expect(by('dupe.jpg')).toMatchObject({ status: 'duplicate' });
    expect(by('flaky.jpg')).toMatchObject({ status: 'failed', retryable: true });
    expect(last.failed).toBe(2);
    expect(last.total).toBe(100); // only the duplicate, which counts as arrived
    expect(last.sent).toBe(100);

    q.retryAll();
    for (let i = 0; i < 5; i++) await tick();
    expect(by('flaky.jpg').status).toBe('done');
    expect(by('big.mp4').status).toBe('failed'); // a size refusal does not go away by retrying

    q.clearFinished();
    expect(last.items.map((i) => i.name)).toEqual([]);
  });

  it('sends the hash when the platform can compute it', async () => {
    const seen: (string | undefined)[] = [];
    const q = new UploadQueue({
      authorize: async (f) => {
        seen.push(f.sha256);
        return grant('g');
      },
      complete: async () => media('m'),
      send: async () => undefined,
      hash: async (f) => (f.name === 'a.jpg' ? 'ab'.repeat(32) : undefined),
    });
    q.add([file('a.jpg'), file('b.jpg')]);
    for (let i = 0; i < 5; i++) await tick();
    expect(seen.sort()).toEqual(['ab'.repeat(32), undefined].sort());
  });
});

describe('UploadQueue through an outage', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());
  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };

  it('waits while the server is unreachable, keeps unstarted files queued, and resumes by itself', async () => {
    let up = false;
    let tries = 0;
    const abandoned: string[] = [];
    let n = 0;
    const q = new UploadQueue({
      authorize: async () => grant(`g${++n}`),
      send: async () => {
        tries++;
        if (!up) throw new TransferError(0, 'The connection to storage failed.');
      },
      complete: async (id) => {
        if (!up) throw new ApiError(0, 'network_error', 'Could not reach the server.');
        return media(`m-${id}`);
      },
      abandon: async (id) => {
        abandoned.push(id);
      },
    });
    let last!: QueueSnapshot;
    q.subscribe((s) => (last = s));
    q.add(['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg', 'e.jpg', 'f.jpg', 'g.jpg', 'h.jpg', 'i.jpg', 'j.jpg'].map((f) => file(f)));
    await settle();
    // The three in flight fail; nothing is marked failed, the rest never started.
    expect(last.failed).toBe(0);
    expect(last.offline).toBe(true);
    expect(last.retryAt).toBeGreaterThan(Date.now());
    expect(last.items.filter((i) => i.status === 'queued')).toHaveLength(10);
    expect(tries).toBe(3);
    expect(abandoned).toEqual(['g1', 'g2', 'g3']); // their reservations given back at once

    // Minutes of outage: one file at a time probes, further and further apart.
    for (let i = 0; i < 8; i++) {
      await jest.advanceTimersByTimeAsync(30_000);
      await settle();
    }
    expect(last.failed).toBe(0);
    // It kept asking, one file at a time and at most every 30 s (4 min: about 10 probes).
    expect(tries).toBeGreaterThan(3 + 5);
    expect(tries).toBeLessThanOrEqual(3 + 12);

    up = true;
    await jest.advanceTimersByTimeAsync(30_000);
    await settle();
    for (let i = 0; i < 5; i++) {
      await jest.advanceTimersByTimeAsync(1000);
      await settle();
    }
    expect(last.uploaded).toBe(10);
    expect(last.active).toBe(false);
    expect(last.retryAt).toBeUndefined();
    expect(last.items.every((i) => i.error === undefined)).toBe(true);
  });

  it('gives up on a file the server keeps failing, after a few tries', async () => {
    let tries = 0;
    const q = new UploadQueue({
      authorize: async () => grant('g'),
      send: async () => undefined,
      complete: async () => {
        tries++;
        throw new ApiError(503, 'storage_unavailable', 'The store is unavailable.');
      },
    });
    let last!: QueueSnapshot;
    q.subscribe((s) => (last = s));
    q.add([file('a.jpg')]);
    for (let i = 0; i < 10; i++) {
      await jest.advanceTimersByTimeAsync(30_000);
      await settle();
    }
    expect(tries).toBe(maxAttempts);
    expect(last.items[0]).toMatchObject({ status: 'failed', retryable: true, error: 'The store is unavailable.' });
  });

  it('counts duplicates apart from uploads', async () => {
    const q = new UploadQueue({
      authorize: async (f) => {
        if (f.filename !== 'new.jpg') throw new ApiError(409, 'duplicate', 'Already there.', { mediaId: 'm1' });
        return grant('g');
      },
      send: async () => undefined,
      complete: async () => media('m'),
    });
    let last!: QueueSnapshot;
    q.subscribe((s) => (last = s));
    q.add([file('new.jpg'), file('old1.jpg'), file('old2.jpg')]);
    await settle();
    expect(last).toMatchObject({ uploaded: 1, duplicates: 2, done: 3, failed: 0 });
  });

  it('backs off from one second to thirty', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
});

describe('helpers', () => {
  it('declares types the server accepts', () => {
    expect(contentTypeOf('IMG_0001.HEIC', '')).toBe('image/heic');
    expect(contentTypeOf('clip.MOV', 'video/quicktime')).toBe('video/quicktime');
    expect(contentTypeOf('photo.jpg', 'application/octet-stream')).toBe('image/jpeg');
    expect(contentTypeOf('notes.txt', 'text/plain')).toBe('text/plain'); // the server refuses it with a reason
  });

  it('explains refusals', () => {
    expect(describeUploadError(new ApiError(415, 'unsupported_media_type', 'x'))).toEqual({
      message: 'This kind of file cannot be shared here (photos and videos only).',
      retryable: false,
      kind: 'final',
    });
    expect(describeUploadError(new ApiError(429, 'quota_exceeded', 'Daily limit reached; resets at 00:00 UTC.')).retryable).toBe(false);
    const quota = describeUploadError(new ApiError(429, 'quota_exceeded', 'x', { retryAfterSeconds: 3600 }));
    expect(quota.message).toMatch(/^Your upload allowance for today is used up\. It resets .+\.$/);
    expect(quota.retryable).toBe(false);
    expect(describeUploadError(new ApiError(503, 'storage_unavailable', 'Try later.')).retryable).toBe(true);
    expect(describeUploadError(new ApiError(0, 'network_error', 'offline')).retryable).toBe(true);
  });

  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 ** 3)).toBe('5.0 GB');
  });
});

/**
 * A server and store of parts in memory, as the contract describes them:
 * parts kept by number, progress from them, complete refusing while parts
 * are missing. sendFails names parts whose next sends fail (a dropped link).
 */
function partServer(partSize: number) {
  const uploads = new Map<string, { size: number; parts: Map<number, number>; status: 'pending' | 'completed' }>();
  const sent: number[] = [];
  const sendFails = new Map<number, number>();
  let inFlight = 0;
  let mostInFlight = 0;
  let n = 0;
  const records: ResumeRecord[] = [];
  const book: ResumeBook = {
    list: async () => [...records],
    put: async (r) => {
      records.splice(0, records.length, ...records.filter((x) => x.key !== r.key), r);
    },
    forget: async (k) => {
      records.splice(0, records.length, ...records.filter((x) => x.key !== k));
    },
  };
  const count = (size: number) => Math.ceil(size / partSize);
  const parts = {
    gid: 'g1',
    authorize: async (f: { size: number }) => {
      const id = `up${++n}`;
      uploads.set(id, { size: f.size, parts: new Map(), status: 'pending' });
      return { upload_id: id, resumable: true as const, part_size: partSize, part_count: count(f.size), expires_at: '' };
    },
    sign: async (id: string, numbers: number[]) => numbers.map((num) => ({ number: num, method: 'PUT' as const, url: `https://store/${id}/${num}`, headers: {}, expires_at: '' })),
    progress: async (id: string) => {
      const u = uploads.get(id)!;
      return {
        upload_id: id, status: u.status, filename: 'f', size: u.size, resumable: true, part_size: partSize, part_count: count(u.size), expires_at: '',
        parts_done: [...u.parts].map(([number, size]) => ({ number, size })), media_id: u.status === 'completed' ? `m-${id}` : undefined,
      };
    },
    send: async (g: { url: string }, _f: PickedFile, start: number, end: number, progress: (n: number) => void) => {
      const [, , , id, num] = g.url.split('/');
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await tick();
      inFlight--;
      const fails = sendFails.get(Number(num)) ?? 0;
      if (fails > 0) {
        sendFails.set(Number(num), fails - 1);
        throw new TransferError(0, 'The connection to storage failed.');
      }
      progress(end - start);
      sent.push(Number(num));
      uploads.get(id)!.parts.set(Number(num), end - start);
    },
    media: async (id: string) => media(id),
    book,
  };
  const complete = async (id: string) => {
    const u = uploads.get(id)!;
    const missing = Array.from({ length: count(u.size) }, (_, i) => i + 1).filter((p) => !u.parts.has(p));
    if (missing.length) throw new ApiError(409, 'upload_missing', 'parts missing', { missing });
    u.status = 'completed';
    return media(`m-${id}`);
  };
  return { parts, complete, sent, sendFails, uploads, records, mostInFlight: () => mostInFlight };
}

const bigFile = (name: string, size: number): PickedFile => ({ name, size, type: 'video/mp4', body: null, modified: 1 });
const settle = async () => {
  for (let i = 0; i < 40; i++) await tick();
};

describe('UploadQueue with files in parts', () => {
  const mib = 1024 * 1024;

  it('sends a large file in parts, three at a time, and forgets it once in the group', async () => {
    const s = partServer(16 * mib);
    const q = new UploadQueue({ authorize: async () => grant('x'), send: async () => {}, complete: s.complete, parts: s.parts });
    let last: QueueSnapshot | undefined;
    q.subscribe((x) => (last = x));
    q.add([bigFile('trip.mp4', 100 * mib)]);
    await settle();
    expect(last!.items[0].status).toBe('done');
    expect(s.sent.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(s.mostInFlight()).toBe(3);
    expect(last!.sent).toBe(100 * mib);
    expect(s.records).toEqual([]);
  });

  it('keeps what arrived when the connection drops, and sends only the rest', async () => {
    const s = partServer(16 * mib);
    s.sendFails.set(5, 4); // part 5 fails on both tries of two runs
    const q = new UploadQueue({ authorize: async () => grant('x'), send: async () => {}, complete: s.complete, parts: s.parts });
    let last: QueueSnapshot | undefined;
    q.subscribe((x) => (last = x));
    q.add([bigFile('trip.mp4', 100 * mib)]);
    await settle();
    await new Promise((r) => setTimeout(r, 1100)); // the part's second try
    await settle();
    expect(last!.items[0].status).toBe('queued'); // waiting for the connection
    expect(last!.items[0].sent).toBeGreaterThan(0); // and keeping its progress
    expect(s.records).toHaveLength(1);
    // The connection is back (the wait elapses): part 5 fails once more,
    // then goes; nothing else is sent again.
    const before = s.sent.length;
    await new Promise((r) => setTimeout(r, backoffMs(1) + 50));
    await settle();
    await new Promise((r) => setTimeout(r, backoffMs(2) + 1100));
    await settle();
    expect(last!.items[0].status).toBe('done');
    expect(s.sent.slice(before)).toEqual([5]);
    expect(s.uploads.size).toBe(1);
  }, 15000);

  it('resumes an upload an earlier visit left, from the book, when the same file is picked again', async () => {
    const s = partServer(16 * mib);
    const { upload_id } = await s.parts.authorize({ size: 70 * mib });
    await s.parts.send({ url: `https://store/${upload_id}/1` }, bigFile('a', 0), 0, 16 * mib, () => {});
    await s.parts.send({ url: `https://store/${upload_id}/4` }, bigFile('a', 0), 48 * mib, 64 * mib, () => {});
    await s.parts.book.put({ key: resumeKey('g1', bigFile('trip.mp4', 70 * mib)), uploadId: upload_id, name: 'trip.mp4', size: 70 * mib, type: 'video/mp4', modified: 1 });
    s.sent.length = 0;
    const q = new UploadQueue({ authorize: async () => grant('x'), send: async () => {}, complete: s.complete, parts: s.parts });
    let last: QueueSnapshot | undefined;
    q.subscribe((x) => (last = x));
    q.add([bigFile('trip.mp4', 70 * mib)]);
    await settle();
    expect(last!.items[0].status).toBe('done');
    expect(s.sent.sort()).toEqual([2, 3, 5]);
    expect(s.uploads.size).toBe(1); // no second authorization
    expect(s.records).toEqual([]);
  });

  it('sends again the parts complete finds missing', async () => {
    const s = partServer(16 * mib);
    const lose = s.complete;
    let first = true;
    const complete = async (id: string) => {
      if (first) {
        first = false;
        s.uploads.get(id)!.parts.delete(2); // the store lost one
      }
      return lose(id);
    };
    const q = new UploadQueue({ authorize: async () => grant('x'), send: async () => {}, complete, parts: s.parts });
    let last: QueueSnapshot | undefined;
    q.subscribe((x) => (last = x));
    q.add([bigFile('trip.mp4', 70 * mib)]);
    await settle();
    expect(last!.items[0].status).toBe('done');
    expect(s.sent.filter((n) => n === 2)).toHaveLength(2);
  });

  it('sends small files in one request', async () => {
    const s = partServer(16 * mib);
    const sends: string[] = [];
    const q = new UploadQueue({ authorize: async () => grant('one'), send: async (g) => void sends.push(g.upload_id), complete: async () => media('m'), parts: s.parts });
    q.add([bigFile('small.mp4', 64 * mib)]);
    await settle();
    expect(sends).toEqual(['one']);
    expect(s.uploads.size).toBe(0);
  });
});
