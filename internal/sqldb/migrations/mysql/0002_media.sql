-- Uploads have no foreign keys: they outlive a deleted group or account until
-- the cleanup task has removed their object and released their quota.
CREATE TABLE uploads (
    id VARCHAR(26) PRIMARY KEY,
    user_id VARCHAR(26) NOT NULL,
    group_id VARCHAR(26) NOT NULL,
    object_key VARCHAR(200) NOT NULL UNIQUE,
    filename VARCHAR(1024) NOT NULL,
    content_type VARCHAR(100) NOT NULL,
    size BIGINT NOT NULL,
    quota_day INTEGER NOT NULL,
    status VARCHAR(16) NOT NULL,
    media_id VARCHAR(26),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX uploads_pending ON uploads(status, expires_at);

-- Bytes and files per user and UTC day (days since 1970-01-01), reservations
-- included: a reservation is counted when the upload is authorized and given
-- back if it is never completed.
CREATE TABLE quota_days (
    user_id VARCHAR(26) NOT NULL,
    day INTEGER NOT NULL,
    bytes BIGINT NOT NULL,
    files INTEGER NOT NULL,
    PRIMARY KEY (user_id, day),
    FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE media (
    id VARCHAR(26) PRIMARY KEY,
    group_id VARCHAR(26) NOT NULL,
    uploader_id VARCHAR(26) NOT NULL,
    upload_id VARCHAR(26) NOT NULL UNIQUE,
    kind VARCHAR(32) NOT NULL,
    content_type VARCHAR(100) NOT NULL,
    filename VARCHAR(1024) NOT NULL,
    size BIGINT NOT NULL,
    etag VARCHAR(200) NOT NULL,
    object_key VARCHAR(200) NOT NULL,
    width INTEGER,
    height INTEGER,
    duration_ms BIGINT,
    taken_at BIGINT NOT NULL,
    uploaded_at BIGINT NOT NULL,
    status VARCHAR(16) NOT NULL,
    FOREIGN KEY (group_id) REFERENCES "groups"(id) ON DELETE CASCADE,
    FOREIGN KEY (uploader_id) REFERENCES users(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX media_gallery ON media(group_id, taken_at, id);
CREATE INDEX media_uploader ON media(uploader_id);

-- The durable job queue: rows are claimed with a lease and retried with backoff.
CREATE TABLE jobs (
    id VARCHAR(26) PRIMARY KEY,
    kind VARCHAR(32) NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    run_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    last_error TEXT NOT NULL,
    created_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX jobs_due ON jobs(kind, run_at);
