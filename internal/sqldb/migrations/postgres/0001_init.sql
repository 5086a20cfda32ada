-- Times are Unix milliseconds (UTC) in every dialect: exact, comparable and
-- free of driver-specific time handling.
CREATE TABLE users (
    id VARCHAR(26) PRIMARY KEY,
    email VARCHAR(254) NOT NULL UNIQUE,
    name VARCHAR(400) NOT NULL,
    password_hash VARCHAR(255) NOT NULL,
    email_verified_at BIGINT,
    suspended_at BIGINT,
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    id VARCHAR(26) PRIMARY KEY,
    user_id VARCHAR(26) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash CHAR(64) NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    user_agent VARCHAR(512) NOT NULL,
    ip VARCHAR(64) NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id, id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE email_tokens (
    id VARCHAR(26) PRIMARY KEY,
    user_id VARCHAR(26) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose VARCHAR(16) NOT NULL,
    token_hash CHAR(64) NOT NULL UNIQUE,
    email VARCHAR(254) NOT NULL,
    password_hash VARCHAR(255),
    name VARCHAR(400),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX email_tokens_user ON email_tokens(user_id, purpose, created_at);

CREATE TABLE "groups" (
    id VARCHAR(26) PRIMARY KEY,
    name VARCHAR(400) NOT NULL,
    members_can_invite BOOLEAN NOT NULL DEFAULT FALSE,
    auto_hide_reports INTEGER NOT NULL DEFAULT 3,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE group_members (
    id VARCHAR(26) PRIMARY KEY,
    group_id VARCHAR(26) NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
    user_id VARCHAR(26) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role VARCHAR(16) NOT NULL,
    joined_at BIGINT NOT NULL,
    UNIQUE (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members(user_id, id);
CREATE INDEX group_members_group ON group_members(group_id, id);

CREATE TABLE invites (
    id VARCHAR(26) PRIMARY KEY,
    group_id VARCHAR(26) NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
    code VARCHAR(64) NOT NULL UNIQUE,
    created_by VARCHAR(26) REFERENCES users(id) ON DELETE SET NULL,
    max_uses INTEGER,
    uses INTEGER NOT NULL DEFAULT 0,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX invites_group ON invites(group_id, id);

CREATE TABLE invite_uses (
    invite_id VARCHAR(26) NOT NULL REFERENCES invites(id) ON DELETE CASCADE,
    user_id VARCHAR(26) NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    used_at BIGINT NOT NULL,
    PRIMARY KEY (invite_id, user_id)
);
CREATE INDEX invite_uses_user ON invite_uses(user_id);

-- Throttling state lives in the database so that every API process sees the
-- same counts.
CREATE TABLE login_throttle (
    throttle_key VARCHAR(26) PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

-- No foreign keys: entries outlive the users and groups they mention.
CREATE TABLE audit_logs (
    id VARCHAR(26) PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id VARCHAR(26),
    group_id VARCHAR(26),
    action VARCHAR(64) NOT NULL,
    target_type VARCHAR(32) NOT NULL,
    target_id VARCHAR(64) NOT NULL,
    ip VARCHAR(64) NOT NULL,
    user_agent VARCHAR(512) NOT NULL,
    request_id VARCHAR(64) NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX audit_logs_group ON audit_logs(group_id, id);
CREATE INDEX audit_logs_actor ON audit_logs(actor_id, id);
