-- Together: likes (one per member and item), comments, the group's activity,
-- and when each member last looked at the group.
CREATE TABLE likes (
    media_id VARCHAR(26) NOT NULL,
    user_id VARCHAR(26) NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (media_id, user_id),
    FOREIGN KEY (media_id) REFERENCES media(id) ON DELETE CASCADE,
    FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX likes_by_user ON likes(user_id, media_id);
CREATE TABLE comments (
    id VARCHAR(26) PRIMARY KEY,
    media_id VARCHAR(26) NOT NULL,
    group_id VARCHAR(26) NOT NULL,
    author_id VARCHAR(26) NOT NULL,
    text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    FOREIGN KEY (media_id) REFERENCES media(id) ON DELETE CASCADE,
    FOREIGN KEY (group_id) REFERENCES "groups"(id) ON DELETE CASCADE,
    FOREIGN KEY (author_id) REFERENCES users(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX comments_of_media ON comments(media_id, created_at, id);
-- One row per event people see in a group's activity; an uploader's run of
-- uploads no more than 10 minutes apart is one row that grows (count, the
-- first items, and at: its latest upload).
CREATE TABLE activity (
    id VARCHAR(26) PRIMARY KEY,
    group_id VARCHAR(26) NOT NULL,
    actor_id VARCHAR(26),
    type VARCHAR(32) NOT NULL,
    at BIGINT NOT NULL,
    count INTEGER NOT NULL,
    media_ids TEXT NOT NULL,
    comment_id VARCHAR(26),
    FOREIGN KEY (group_id) REFERENCES "groups"(id) ON DELETE CASCADE,
    FOREIGN KEY (actor_id) REFERENCES users(id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX activity_of_group ON activity(group_id, at, id);
CREATE INDEX activity_batches ON activity(group_id, actor_id, type, at);
ALTER TABLE group_members ADD COLUMN seen_at BIGINT NOT NULL DEFAULT 0;
-- A member's unseen items are those others added after the member last looked.
CREATE INDEX media_arrivals ON media(group_id, uploaded_at);
