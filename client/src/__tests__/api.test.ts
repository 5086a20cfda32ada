/**
 * The API client against a real wmory (the binary from `make build`, fresh data
 * dir, console mailer): the calls the app makes, and the refusals it must explain.
 * It runs in plain Node (the "api" jest project), with Node's own fetch.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Api, ApiError } from '../api';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { startWmory, root } = require('../../e2e/wmory.cjs');

type Wmory = { url: string; mailedLink(to: string, kind: string): Promise<string>; stop(): Promise<void> };
let wmory: Wmory;

beforeAll(async () => {
  wmory = await startWmory();
}, 40000);
afterAll(() => wmory?.stop());

async function signedIn(email: string, name: string): Promise<Api> {
  const anon = new Api({ baseUrl: wmory.url });
  await anon.register(email, 'correct horse battery', name);
  const token = new URL(await wmory.mailedLink(email, 'verify-email')).searchParams.get('token')!;
  await anon.verifyEmail(token);
  const { token: bearer, user } = await anon.login(email, 'correct horse battery');
  expect(user.email).toBe(email);
  return new Api({ baseUrl: wmory.url, token: bearer });
}

const photo = fs.readFileSync(path.join(root, 'internal', 'imaging', 'testdata', 'camera.jpg'));

test('a photo goes authorize → PUT → complete and shows up in the gallery', async () => {
  const api = await signedIn('ana@example.org', 'Ana');
  const group = await api.createGroup('Trip');
  expect(group).toMatchObject({ name: 'Trip', role: 'owner', member_count: 1 });

  const grant = await api.authorizeUpload(group.id, { filename: 'camera.jpg', content_type: 'image/jpeg', size: photo.length });
  const put = await fetch(grant.url, { method: grant.method, headers: grant.headers, body: photo });
  expect(put.status).toBeLessThan(300);
  const media = await api.completeUpload(grant.upload_id);
  expect(media).toMatchObject({ kind: 'photo', filename: 'camera.jpg', size: photo.length, uploader: { name: 'Ana' } });
  expect(await api.completeUpload(grant.upload_id)).toMatchObject({ id: media.id }); // idempotent

  const page = await api.gallery(group.id);
  expect(page.items.map((m) => m.id)).toEqual([media.id]);
  const me = await api.me();
  // One member's items, and the one look at items still processing.
  expect((await api.gallery(group.id, undefined, 60, { uploader: me.user.id })).items.map((m) => m.id)).toEqual([media.id]);
  expect((await api.gallery(group.id, undefined, 60, { uploader: group.id })).items).toEqual([]);
  expect((await api.gallery(group.id, undefined, 1, { ids: [media.id] })).items.map((m) => m.id)).toEqual([media.id]);
  expect(me.quota.daily_files_used).toBe(1);
  expect(me.quota.daily_bytes_used).toBe(photo.length);
}, 30000);

test('refusals arrive as ApiError with the contract code', async () => {
  const api = await signedIn('bo@example.org', 'Bo');
  const group = await api.createGroup('Refusals');

  await expect(new Api({ baseUrl: wmory.url }).login('bo@example.org', 'wrong password!')).rejects.toMatchObject({ status: 401, code: 'invalid_credentials' });
  await expect(new Api({ baseUrl: wmory.url }).me()).rejects.toMatchObject({ status: 401, code: 'unauthenticated' });
  await expect(api.authorizeUpload(group.id, { filename: 'a.txt', content_type: 'text/plain', size: 10 })).rejects.toMatchObject({
    status: 415,
    code: 'unsupported_media_type',
  });
  await expect(api.authorizeUpload(group.id, { filename: 'a.jpg', content_type: 'image/jpeg', size: 10 * 1024 ** 3 })).rejects.toMatchObject({
    status: 413,
    code: 'file_too_large',
  });
  await expect(api.group('does-not-exist')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  await expect(api.previewInvite('nope')).rejects.toMatchObject({ status: 404, code: 'invite_invalid' });

  // A duplicate carries the id of the media already there.
  const sha = crypto.createHash('sha256').update(photo).digest('hex');
  const grant = await api.authorizeUpload(group.id, { filename: 'a.jpg', content_type: 'image/jpeg', size: photo.length, sha256: sha });
  await fetch(grant.url, { method: grant.method, headers: grant.headers, body: photo });
  const first = await api.completeUpload(grant.upload_id);
  const dup = await api.authorizeUpload(group.id, { filename: 'b.jpg', content_type: 'image/jpeg', size: photo.length, sha256: sha }).catch((e) => e);
  expect(dup).toBeInstanceOf(ApiError);
  expect(dup).toMatchObject({ status: 409, code: 'duplicate', mediaId: first.id });
}, 30000);

test('the session ends for the client when the server says so', async () => {
  const api = await signedIn('cy@example.org', 'Cy');
  let told = 0;
  const same = new Api({ baseUrl: wmory.url, token: api.token, onUnauthenticated: () => told++ });
  await same.logout();
  await expect(same.me()).rejects.toMatchObject({ code: 'unauthenticated' });
  expect(told).toBe(1);
  const unreachable = new Api({ baseUrl: 'http://127.0.0.1:9' });
  await expect(unreachable.me()).rejects.toMatchObject({ status: 0, code: 'network_error' });
}, 30000);
