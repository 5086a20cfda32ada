-- open_key is media_id + reporter while a report is open and NULL afterwards:
-- a unique index on it allows one open report per member and item on every
-- engine (MySQL has no partial indexes).
CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    media_id TEXT NOT NULL,
    group_id TEXT NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
    reporter_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    reason TEXT NOT NULL,
    details TEXT NOT NULL,
    status TEXT NOT NULL,
    action TEXT NOT NULL,
    open_key TEXT UNIQUE,
    escalated_at INTEGER,
    created_at INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by TEXT
);
CREATE INDEX reports_group ON reports(group_id, status, id);
CREATE INDEX reports_media ON reports(media_id, status);
CREATE INDEX reports_escalated ON reports(escalated_at, id);

-- Per-user overrides of the instance limits; NULL means the instance default.
CREATE TABLE user_limits (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    daily_bytes_limit INTEGER,
    daily_files_limit INTEGER,
    max_photo_bytes INTEGER,
    max_video_bytes INTEGER
);

-- When owners and admins of a group were last told of a new report.
CREATE TABLE report_notices (
    group_id TEXT PRIMARY KEY REFERENCES "groups"(id) ON DELETE CASCADE,
    sent_at INTEGER NOT NULL
);

CREATE INDEX audit_logs_at ON audit_logs(at);
