-- open_key is media_id + reporter while a report is open and NULL afterwards:
-- a unique index on it allows one open report per member and item on every
-- engine (MySQL has no partial indexes).
CREATE TABLE reports (
    id VARCHAR(26) PRIMARY KEY,
    media_id VARCHAR(26) NOT NULL,
    group_id VARCHAR(26) NOT NULL,
    reporter_id VARCHAR(26),
    reason VARCHAR(32) NOT NULL,
    details TEXT NOT NULL,
    status VARCHAR(16) NOT NULL,
    action VARCHAR(32) NOT NULL,
    open_key VARCHAR(60) UNIQUE,
    escalated_at BIGINT,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT,
    resolved_by VARCHAR(26),
    FOREIGN KEY (group_id) REFERENCES "groups"(id) ON DELETE CASCADE,
    FOREIGN KEY (reporter_id) REFERENCES users(id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX reports_group ON reports(group_id, status, id);
CREATE INDEX reports_media ON reports(media_id, status);
CREATE INDEX reports_escalated ON reports(escalated_at, id);

-- Per-user overrides of the instance limits; NULL means the instance default.
CREATE TABLE user_limits (
    user_id VARCHAR(26) PRIMARY KEY,
    daily_bytes_limit BIGINT,
    daily_files_limit BIGINT,
    max_photo_bytes BIGINT,
    max_video_bytes BIGINT,
    FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- When owners and admins of a group were last told of a new report.
CREATE TABLE report_notices (
    group_id VARCHAR(26) PRIMARY KEY,
    sent_at BIGINT NOT NULL,
    FOREIGN KEY (group_id) REFERENCES "groups"(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX audit_logs_at ON audit_logs(at);
