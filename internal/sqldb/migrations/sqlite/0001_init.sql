-- Times are Unix milliseconds (UTC) in every dialect: exact, comparable and
-- free of driver-specific time handling.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    email_verified_at INTEGER,
    suspended_at INTEGER,
    is_admin INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    user_agent TEXT NOT NULL,
    ip TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id, id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE email_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    password_hash TEXT,
    name TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX email_tokens_user ON email_tokens(user_id, purpose, created_at);

CREATE TABLE "groups" (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    members_can_invite INTEGER NOT NULL DEFAULT 0,
    auto_hide_reports INTEGER NOT NULL DEFAULT 3,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE group_members (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    joined_at INTEGER NOT NULL,
    UNIQUE (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members(user_id, id);
CREATE INDEX group_members_group ON group_members(group_id, id);

CREATE TABLE invites (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
    code TEXT NOT NULL UNIQUE,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    max_uses INTEGER,
    uses INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX invites_group ON invites(group_id, id);

CREATE TABLE invite_uses (
    invite_id TEXT NOT NULL REFERENCES invites(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    used_at INTEGER NOT NULL,
    PRIMARY KEY (invite_id, user_id)
);
CREATE INDEX invite_uses_user ON invite_uses(user_id);

-- Throttling state lives in the database so that every API process sees the
-- same counts.
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);

-- No foreign keys: entries outlive the users and groups they mention.
CREATE TABLE audit_logs (
    id TEXT PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_id TEXT,
    group_id TEXT,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id TEXT NOT NULL,
    ip TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    request_id TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX audit_logs_group ON audit_logs(group_id, id);
CREATE INDEX audit_logs_actor ON audit_logs(actor_id, id);
