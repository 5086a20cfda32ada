-- Albums inside a group: named sets of its items, by reference (no bytes
-- copied, nothing counted twice); an item may be in many, and deleting an
-- album deletes no item.
CREATE TABLE albums (
    id VARCHAR(26) PRIMARY KEY,
    group_id VARCHAR(26) NOT NULL,
    name TEXT NOT NULL,
    created_by VARCHAR(26),
    created_at BIGINT NOT NULL,
    FOREIGN KEY (group_id) REFERENCES "groups"(id) ON DELETE CASCADE,
    FOREIGN KEY (created_by) REFERENCES users(id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX albums_of_group ON albums(group_id, created_at, id);
CREATE TABLE album_media (
    album_id VARCHAR(26) NOT NULL,
    media_id VARCHAR(26) NOT NULL,
    added_at BIGINT NOT NULL,
    PRIMARY KEY (album_id, media_id),
    FOREIGN KEY (album_id) REFERENCES albums(id) ON DELETE CASCADE,
    FOREIGN KEY (media_id) REFERENCES media(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX album_media_by_media ON album_media(media_id);
-- The activity tells of albums made, as it tells of comments.
ALTER TABLE activity ADD COLUMN album_id VARCHAR(26);
