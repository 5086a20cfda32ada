// The wmory HTTP API as typed calls. One instance per signed-in server; the web
// build relies on the session cookie, phones send a bearer token. The shapes
// are the server's own: src/openapi.ts, generated from the OpenAPI document it
// serves (make test fails when the two differ).
import type { components } from './openapi';

type Schemas = components['schemas'];

export type User = Schemas['User'];

export type Quota = Schemas['Quota'];

export type Role = Member['role'];

export type Group = Schemas['Group'];

export type Member = Schemas['Member'];

export type Invite = Schemas['Invite'];

export type InvitePreview = Schemas['InvitePreview'];

export type MediaStatus = Media['status'];

/** Why an item failed, as the server's code. */
export type FailureReason = NonNullable<Media['failure_reason']>;

export type Media = Schemas['Media'];

/** One member's items, items taken before a time (to jump to a month), or named items (at most 100). */
export type GalleryFilter = { uploader?: string; until?: string; kind?: 'photo' | 'video'; liked?: boolean; album?: string; ids?: string[] };

export type Month = Schemas['Month'];

export type Notifications = Schemas['Notifications'];
export type TrashedMedia = Schemas['TrashedMedia'];
export type Album = Schemas['Album'];
export type Download = Schemas['Download'];
export type EmailChoice = Notifications['email'];

export type ReportReason = Report['reason'];
export const reportReasons: ReportReason[] = ['depicts_me', 'wrong_group', 'spam', 'nudity', 'violence', 'harassment', 'copyright', 'other'];

export type ResolveAction = Schemas['ResolveRequest']['action'];

export type Report = Schemas['Report'];

export type AuditEntry = Schemas['AuditEntry'];

export type Session = Schemas['Session'];

export type Page<T> = { items: T[]; next_cursor?: string };

export type AdminUser = Schemas['AdminUser'];

/** Per-user overrides; null means the instance default. */
export type Limits = Schemas['Limits'];

export type UploadGrant = Schemas['SingleUpload'];
export type ResumableGrant = Schemas['ResumableUpload'];
export type PartGrant = Schemas['Parts']['parts'][number];
export type UploadProgress = Schemas['UploadProgress'];
export type Comment = Schemas['Comment'];
export type Activity = Schemas['Activity'];

/** An error answered by the server (with its contract code) or met on the way. */
/** The device's IANA time zone, or undefined where the platform cannot say. */
export function deviceTimeZone(): string | undefined {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || undefined;
  } catch {
    return undefined;
  }
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly retryAfterSeconds?: number;
  readonly mediaId?: string;
  /** With upload_missing, for a file sent in parts: the parts the store lacks. */
  readonly missing?: number[];

  constructor(status: number, code: string, message: string, extra: { retryAfterSeconds?: number; mediaId?: string; missing?: number[] } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = extra.retryAfterSeconds;
    this.mediaId = extra.mediaId;
    this.missing = extra.missing;
  }
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export type ApiOptions = {
  /** Server origin, e.g. https://photos.example.org; "" for the origin that served the web app. */
  baseUrl: string;
  /** Bearer token; null on the web, where the HttpOnly session cookie authenticates. */
  token?: string | null;
  fetch?: Fetch;
  /** Called when the server says the session is gone, so the app can show the sign-in screen. */
  onUnauthenticated?: () => void;
};

const q = (params: Record<string, string | number | undefined | null>) => {
  const parts = Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
};

const seg = encodeURIComponent;

export class Api {
  readonly baseUrl: string;
  token: string | null;
  private readonly doFetch: Fetch;
  private readonly onUnauthenticated?: () => void;

  constructor(opts: ApiOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.token = opts.token ?? null;
    this.doFetch = opts.fetch ?? ((input, init) => fetch(input, init));
    this.onUnauthenticated = opts.onUnauthenticated;
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await this.doFetch(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: this.token ? 'omit' : 'same-origin',
      });
    } catch {
      throw new ApiError(0, 'network_error', 'Could not reach the server. Check your connection and try again.');
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let data: any = undefined;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
    }
    if (!res.ok) {
      const err = data?.error;
      const retry = Number(res.headers.get('Retry-After'));
      const apiErr = new ApiError(
        res.status,
        typeof err?.code === 'string' ? err.code : `http_${res.status}`,
        typeof err?.message === 'string' ? err.message : `The server answered ${res.status}.`,
        {
          retryAfterSeconds: Number.isFinite(retry) && retry > 0 ? retry : undefined,
          mediaId: data?.media_id,
          missing: Array.isArray(data?.missing) ? data.missing : undefined,
        },
      );
      if (res.status === 401 && apiErr.code === 'unauthenticated') this.onUnauthenticated?.();
      throw apiErr;
    }
    return data as T;
  }

  // Accounts
  register(email: string, password: string, name: string) {
    return this.request<{ status: string }>('POST', '/api/v1/auth/register', { email, password, name });
  }
  verifyEmail(token: string) {
    return this.request<User>('POST', '/api/v1/auth/verify-email', { token });
  }
  login(email: string, password: string) {
    return this.request<{ token: string; expires_at: string; user: User }>('POST', '/api/v1/auth/login', { email, password });
  }
  logout() {
    return this.request<void>('POST', '/api/v1/auth/logout');
  }
  requestPasswordReset(email: string) {
    return this.request<{ status: string }>('POST', '/api/v1/auth/password-reset', { email });
  }
  confirmPasswordReset(token: string, password: string) {
    return this.request<void>('POST', '/api/v1/auth/password-reset/confirm', { token, password });
  }
  me() {
    return this.request<{ user: User; quota: Quota }>('GET', '/api/v1/me');
  }
  rename(name: string) {
    return this.request<User>('PATCH', '/api/v1/me', { name });
  }
  changePassword(password: string, newPassword: string) {
    return this.request<User>('PATCH', '/api/v1/me', { password, new_password: newPassword });
  }
  deleteAccount(password: string) {
    return this.request<void>('DELETE', '/api/v1/me', { password });
  }
  sessions() {
    return this.request<Page<Session>>('GET', '/api/v1/me/sessions?limit=200');
  }
  revokeSession(id: string) {
    return this.request<void>('DELETE', `/api/v1/me/sessions/${seg(id)}`);
  }

  // Groups, members, invites
  groups(cursor?: string) {
    return this.request<Page<Group>>('GET', `/api/v1/groups${q({ cursor, limit: 200 })}`);
  }
  group(gid: string) {
    return this.request<Group>('GET', `/api/v1/groups/${seg(gid)}`);
  }
  createGroup(name: string) {
    return this.request<Group>('POST', '/api/v1/groups', { name });
  }
  updateGroup(gid: string, patch: { name?: string; members_can_invite?: boolean }) {
    return this.request<Group>('PATCH', `/api/v1/groups/${seg(gid)}`, patch);
  }
  deleteGroup(gid: string) {
    return this.request<void>('DELETE', `/api/v1/groups/${seg(gid)}`);
  }
  members(gid: string) {
    return this.request<Page<Member>>('GET', `/api/v1/groups/${seg(gid)}/members?limit=200`);
  }
  setRole(gid: string, uid: string, role: 'admin' | 'member') {
    return this.request<Member>('PATCH', `/api/v1/groups/${seg(gid)}/members/${seg(uid)}`, { role });
  }
  removeMember(gid: string, uid: string) {
    return this.request<void>('DELETE', `/api/v1/groups/${seg(gid)}/members/${seg(uid)}`);
  }
  /** Leaves a group; trash moves what one uploaded there to its trash (it stays, by default). */
  leaveGroup(gid: string, trash = false) {
    return this.request<void>('DELETE', `/api/v1/groups/${seg(gid)}/members/me${q({ media: trash ? 'trash' : undefined })}`);
  }
  /** Where the caller's export streams from (signed in: the web app's cookie goes along). */
  exportURL() {
    return `${this.baseUrl}/api/v1/me/export`;
  }
  transfer(gid: string, userId: string) {
    return this.request<Group>('POST', `/api/v1/groups/${seg(gid)}/transfer`, { user_id: userId });
  }
  createInvite(gid: string, opts: { max_uses?: number; expires_in_hours?: number }) {
    return this.request<Invite>('POST', `/api/v1/groups/${seg(gid)}/invites`, opts);
  }
  invites(gid: string) {
    return this.request<Page<Invite>>('GET', `/api/v1/groups/${seg(gid)}/invites?limit=200`);
  }
  revokeInvite(gid: string, iid: string) {
    return this.request<void>('DELETE', `/api/v1/groups/${seg(gid)}/invites/${seg(iid)}`);
  }
  previewInvite(code: string) {
    return this.request<InvitePreview>('GET', `/api/v1/invites/${seg(code)}`);
  }
  acceptInvite(code: string) {
    return this.request<Group>('POST', `/api/v1/invites/${seg(code)}/accept`);
  }

  // Media
  /** The device's time zone goes along: a camera clock the file gives without an offset is read in it. */
  authorizeUpload(gid: string, file: { filename: string; content_type: string; size: number; sha256?: string }) {
    return this.request<UploadGrant>('POST', `/api/v1/groups/${seg(gid)}/uploads`, { ...file, time_zone: deviceTimeZone() });
  }
  /** Authorizes a file sent in parts (resumable): its parts' URLs are signed on request. */
  authorizeResumable(gid: string, file: { filename: string; content_type: string; size: number; sha256?: string }) {
    return this.request<ResumableGrant>('POST', `/api/v1/groups/${seg(gid)}/uploads`, { ...file, resumable: true, time_zone: deviceTimeZone() });
  }
  signParts(uploadId: string, numbers: number[]) {
    return this.request<Schemas['Parts']>('POST', `/api/v1/uploads/${seg(uploadId)}/parts`, { numbers }).then((r) => r.parts);
  }
  // Together
  like(mid: string) {
    return this.request<void>('PUT', `/api/v1/media/${seg(mid)}/like`);
  }
  unlike(mid: string) {
    return this.request<void>('DELETE', `/api/v1/media/${seg(mid)}/like`);
  }
  comments(mid: string, cursor?: string) {
    return this.request<Page<Comment>>('GET', `/api/v1/media/${seg(mid)}/comments${q({ cursor, limit: 100 })}`);
  }
  addComment(mid: string, text: string) {
    return this.request<Comment>('POST', `/api/v1/media/${seg(mid)}/comments`, { text });
  }
  deleteComment(cid: string) {
    return this.request<void>('DELETE', `/api/v1/comments/${seg(cid)}`);
  }
  activity(gid: string, cursor?: string) {
    return this.request<Page<Activity>>('GET', `/api/v1/groups/${seg(gid)}/activity${q({ cursor, limit: 50 })}`);
  }
  /** How the caller hears about the group by e-mail. */
  notifications(gid: string) {
    return this.request<Notifications>('GET', `/api/v1/groups/${seg(gid)}/notifications`);
  }
  setNotifications(gid: string, email: EmailChoice) {
    return this.request<Notifications>('PUT', `/api/v1/groups/${seg(gid)}/notifications`, { email });
  }
  /** Everything in the group so far is seen: its "new" count starts again. */
  markSeen(gid: string) {
    return this.request<void>('POST', `/api/v1/groups/${seg(gid)}/seen`);
  }
  /** An upload, and for a resumable one the parts the store already holds. */
  uploadProgress(uploadId: string) {
    return this.request<UploadProgress>('GET', `/api/v1/uploads/${seg(uploadId)}`);
  }
  completeUpload(uploadId: string) {
    return this.request<Media>('POST', `/api/v1/uploads/${seg(uploadId)}/complete`);
  }
  abandonUpload(uploadId: string) {
    return this.request<void>('DELETE', `/api/v1/uploads/${seg(uploadId)}`);
  }
  /** A page of the gallery, narrowed as the filter says. */
  gallery(gid: string, cursor?: string, limit = 60, only: GalleryFilter = {}) {
    return this.request<Page<Media>>(
      'GET',
      `/api/v1/groups/${seg(gid)}/media${q({ cursor, limit, uploader: only.uploader, until: only.until, kind: only.kind, liked: only.liked ? 'true' : undefined, album: only.album, ids: only.ids?.join(',') })}`,
    );
  }
  /** How many items each month holds, newest first. */
  galleryMonths(gid: string) {
    return this.request<Page<Month>>('GET', `/api/v1/groups/${seg(gid)}/media/months`);
  }
  media(mid: string) {
    return this.request<Media>('GET', `/api/v1/media/${seg(mid)}`);
  }
  /** A signed link (an hour) to a ZIP of a selection, an album, or (neither) the whole group. */
  createDownload(gid: string, what: { media_ids?: string[]; album_id?: string } = {}) {
    return this.request<Download>('POST', `/api/v1/groups/${seg(gid)}/downloads`, what);
  }
  albums(gid: string, cursor?: string) {
    return this.request<Page<Album>>('GET', `/api/v1/groups/${seg(gid)}/albums${q({ cursor, limit: 100 })}`);
  }
  createAlbum(gid: string, name: string) {
    return this.request<Album>('POST', `/api/v1/groups/${seg(gid)}/albums`, { name });
  }
  renameAlbum(aid: string, name: string) {
    return this.request<Album>('PATCH', `/api/v1/albums/${seg(aid)}`, { name });
  }
  deleteAlbum(aid: string) {
    return this.request<void>('DELETE', `/api/v1/albums/${seg(aid)}`);
  }
  /** Adds items to an album (add) or takes them out, by reference. */
  changeAlbum(aid: string, mediaIds: string[], add: boolean) {
    return this.request<Album>(add ? 'POST' : 'DELETE', `/api/v1/albums/${seg(aid)}/media`, { media_ids: mediaIds });
  }
  /** The group's trash: everything for owners and admins, one's own items for members. */
  trash(gid: string, cursor?: string) {
    return this.request<Page<TrashedMedia>>('GET', `/api/v1/groups/${seg(gid)}/trash${q({ cursor, limit: 60 })}`);
  }
  restoreMedia(mid: string) {
    return this.request<Media>('POST', `/api/v1/media/${seg(mid)}/restore`);
  }
  /** Deletes an item for good, now: in the trash or not. */
  purgeMedia(mid: string) {
    return this.request<void>('DELETE', `/api/v1/media/${seg(mid)}/permanent`);
  }
  /** Moves an item to the group's trash. */
  deleteMedia(mid: string) {
    return this.request<void>('DELETE', `/api/v1/media/${seg(mid)}`);
  }

  // Moderation and audit
  report(mid: string, reason: ReportReason, details?: string) {
    return this.request<Report>('POST', `/api/v1/media/${seg(mid)}/reports`, { reason, details: details || undefined });
  }
  reports(gid: string, status: 'open' | 'resolved', cursor?: string) {
    return this.request<Page<Report>>('GET', `/api/v1/groups/${seg(gid)}/reports${q({ status, cursor, limit: 100 })}`);
  }
  resolveReport(rid: string, action: ResolveAction) {
    return this.request<Report>('POST', `/api/v1/reports/${seg(rid)}/resolve`, { action });
  }
  escalateReport(rid: string) {
    return this.request<Report>('POST', `/api/v1/reports/${seg(rid)}/escalate`);
  }
  audit(gid: string, cursor?: string) {
    return this.request<Page<AuditEntry>>('GET', `/api/v1/groups/${seg(gid)}/audit${q({ cursor, limit: 100 })}`);
  }

  // Instance administration: every call answers 404 to anyone else.
  adminUsers(search: string, cursor?: string) {
    return this.request<Page<AdminUser>>('GET', `/api/v1/admin/users${q({ q: search, cursor, limit: 50 })}`);
  }
  setSuspended(uid: string, suspended: boolean) {
    return this.request<AdminUser>('POST', `/api/v1/admin/users/${seg(uid)}/${suspended ? 'suspend' : 'reinstate'}`);
  }
  setLimits(uid: string, limits: Partial<Limits>) {
    return this.request<Limits>('PATCH', `/api/v1/admin/users/${seg(uid)}/limits`, limits);
  }
  escalatedReports(cursor?: string) {
    return this.request<Page<Report>>('GET', `/api/v1/admin/reports${q({ cursor, limit: 100 })}`);
  }
  adminAudit(filter: { actor?: string; group?: string; action?: string }, cursor?: string) {
    return this.request<Page<AuditEntry & { group_id?: string }>>('GET', `/api/v1/admin/audit${q({ ...filter, cursor, limit: 100 })}`);
  }
}
