-- ZIP downloads: a signed link (its token kept as a hash) names what to put
-- in the archive, for one member, for an hour: a selection of a group's
-- items, an album, or the whole group. What is in it is decided when the
-- link is opened, with the member's access then.
CREATE TABLE downloads (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
    album_id TEXT,
    media_ids TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX downloads_expiry ON downloads(expires_at);
