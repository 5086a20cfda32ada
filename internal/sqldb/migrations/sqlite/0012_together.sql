-- Together: likes (one per member and item), comments, the group's activity,
-- and when each member last looked at the group.
CREATE TABLE likes (
    media_id TEXT NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (media_id, user_id)
);
CREATE INDEX likes_by_user ON likes(user_id, media_id);
CREATE TABLE comments (
    id TEXT PRIMARY KEY,
    media_id TEXT NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    group_id TEXT NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX comments_of_media ON comments(media_id, created_at, id);
-- One row per event people see in a group's activity; an uploader's run of
-- uploads no more than 10 minutes apart is one row that grows (count, the
-- first items, and at: its latest upload).
CREATE TABLE activity (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
    actor_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    type TEXT NOT NULL,
    at INTEGER NOT NULL,
    count INTEGER NOT NULL,
    media_ids TEXT NOT NULL,
    comment_id TEXT
);
CREATE INDEX activity_of_group ON activity(group_id, at, id);
CREATE INDEX activity_batches ON activity(group_id, actor_id, type, at);
ALTER TABLE group_members ADD COLUMN seen_at INTEGER NOT NULL DEFAULT 0;
-- A member's unseen items are those others added after the member last looked.
CREATE INDEX media_arrivals ON media(group_id, uploaded_at);
