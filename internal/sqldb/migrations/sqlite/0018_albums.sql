-- Albums inside a group: named sets of its items, by reference (no bytes
-- copied, nothing counted twice); an item may be in many, and deleting an
-- album deletes no item.
CREATE TABLE albums (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX albums_of_group ON albums(group_id, created_at, id);
CREATE TABLE album_media (
    album_id TEXT NOT NULL REFERENCES albums(id) ON DELETE CASCADE,
    media_id TEXT NOT NULL REFERENCES media(id) ON DELETE CASCADE,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (album_id, media_id)
);
CREATE INDEX album_media_by_media ON album_media(media_id);
-- The activity tells of albums made, as it tells of comments.
ALTER TABLE activity ADD COLUMN album_id TEXT;
