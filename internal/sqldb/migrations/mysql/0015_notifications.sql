-- E-mail about a group, chosen by each member: 'batched' (a message per
-- uploader's batch, and per run of comments on one's items), 'daily' (one
-- digest a day at most) or 'off'; and until when the last digest told.
ALTER TABLE group_members ADD COLUMN email VARCHAR(16) NOT NULL DEFAULT 'batched';
ALTER TABLE group_members ADD COLUMN digest_through BIGINT NOT NULL DEFAULT 0;
CREATE INDEX members_digests ON group_members(email, digest_through);
-- A batch to tell by e-mail once it has ended: one uploader's run of uploads
-- (told to the other members), or a run of comments on one member's items
-- (told to that member). One per group, kind and member while it runs; it is
-- deleted in the transaction that queues its messages, so it is told once.
CREATE TABLE notices (
    id VARCHAR(26) PRIMARY KEY,
    group_id VARCHAR(26) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    user_id VARCHAR(26) NOT NULL,
    since BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    UNIQUE (group_id, kind, user_id),
    FOREIGN KEY (group_id) REFERENCES "groups"(id) ON DELETE CASCADE,
    FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- The links in e-mails that turn one member's e-mail about one group off
-- without signing in; kept as hashes, like every token.
CREATE TABLE unsubscribe_tokens (
    token_hash CHAR(64) PRIMARY KEY,
    user_id VARCHAR(26) NOT NULL,
    group_id VARCHAR(26) NOT NULL,
    created_at BIGINT NOT NULL,
    FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE,
    FOREIGN KEY (group_id) REFERENCES "groups"(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX unsubscribe_tokens_age ON unsubscribe_tokens(created_at);
