-- E-mail about a group, chosen by each member: 'batched' (a message per
-- uploader's batch, and per run of comments on one's items), 'daily' (one
-- digest a day at most) or 'off'; and until when the last digest told.
ALTER TABLE group_members ADD COLUMN email TEXT NOT NULL DEFAULT 'batched';
ALTER TABLE group_members ADD COLUMN digest_through INTEGER NOT NULL DEFAULT 0;
CREATE INDEX members_digests ON group_members(email, digest_through);
-- A batch to tell by e-mail once it has ended: one uploader's run of uploads
-- (told to the other members), or a run of comments on one member's items
-- (told to that member). One per group, kind and member while it runs; it is
-- deleted in the transaction that queues its messages, so it is told once.
CREATE TABLE notices (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    since INTEGER NOT NULL,
    last_at INTEGER NOT NULL,
    UNIQUE (group_id, kind, user_id)
);
-- The links in e-mails that turn one member's e-mail about one group off
-- without signing in; kept as hashes, like every token.
CREATE TABLE unsubscribe_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
CREATE INDEX unsubscribe_tokens_age ON unsubscribe_tokens(created_at);
