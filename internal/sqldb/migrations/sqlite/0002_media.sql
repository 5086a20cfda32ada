-- Uploads have no foreign keys: they outlive a deleted group or account until
-- the cleanup task has removed their object and released their quota.
CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    group_id TEXT NOT NULL,
    object_key TEXT NOT NULL UNIQUE,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    quota_day INTEGER NOT NULL,
    status TEXT NOT NULL,
    media_id TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX uploads_pending ON uploads(status, expires_at);

-- Bytes and files per user and UTC day (days since 1970-01-01), reservations
-- included: a reservation is counted when the upload is authorized and given
-- back if it is never completed.
CREATE TABLE quota_days (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    files INTEGER NOT NULL,
    PRIMARY KEY (user_id, day)
);

CREATE TABLE media (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
    uploader_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    upload_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    content_type TEXT NOT NULL,
    filename TEXT NOT NULL,
    size INTEGER NOT NULL,
    etag TEXT NOT NULL,
    object_key TEXT NOT NULL,
    width INTEGER,
    height INTEGER,
    duration_ms INTEGER,
    taken_at INTEGER NOT NULL,
    uploaded_at INTEGER NOT NULL,
    status TEXT NOT NULL
);
CREATE INDEX media_gallery ON media(group_id, taken_at, id);
CREATE INDEX media_uploader ON media(uploader_id);

-- The durable job queue: rows are claimed with a lease and retried with backoff.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    run_at INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs(kind, run_at);
